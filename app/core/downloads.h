// Model downloads for the Models page: the GUI-thread face of the download engine.
// It owns a QThread running a DownloadWorker (download_worker.h), started with the app so
// jobs an earlier run left running resume, and the list of jobs QML shows. Every call
// returns at once: requests go to the worker by queued calls, rows come back as values.
// Downloads land in the models folder ModelLibrary uses; each finished one is in the
// installed list (modelRegistered, which the controller turns into a refresh).
#pragma once

#include <QObject>
#include <QPointer>
#include <QThread>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include "download_list_model.h"
#include "machine_memory.h"
#include "downloads/download_settings.h"

namespace tessera::app {

class DownloadWorker;

class Downloads : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    Q_PROPERTY(tessera::app::DownloadListModel* jobs READ jobs CONSTANT)
    Q_PROPERTY(int activeCount READ activeCount NOTIFY totalsChanged)
    Q_PROPERTY(int queuedCount READ queuedCount NOTIFY totalsChanged)
    Q_PROPERTY(qint64 totalBytesDone READ totalBytesDone NOTIFY totalsChanged)
    Q_PROPERTY(qint64 totalBytes READ totalBytes NOTIFY totalsChanged)
    Q_PROPERTY(double totalSpeed READ totalSpeed NOTIFY totalsChanged)
    Q_PROPERTY(double totalSecondsLeft READ totalSecondsLeft NOTIFY totalsChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    // The Hugging Face API base (the Hub, a mirror, a test server) "owner/repo/file" is resolved against.
    Q_PROPERTY(QString catalogUrl READ catalogUrl WRITE setCatalogUrl NOTIFY catalogUrlChanged)
    // The catalog: repositories found (each {repo, downloads (-1 unknown), billions (0 unknown),
    // multiMachine}), the .gguf files of the one shown (each {path, size, verified: has an LFS
    // SHA-256, multiMachine, splitParts, and "will it fit" from the file's header: fitState
    // "reading" | "ready" | "failed", then needBytes, context, quantization, fitKind ("gpu",
    // "ram", "split", "notNow", "tooBig"), fitText and recommended (catalog_fit.h's rule) once
    // the machine's memory is known, or fitError), and where the answer came from ("" when
    // fresh, else offline/cache).
    Q_PROPERTY(QVariantList catalogRepos READ catalogRepos NOTIFY catalogChanged)
    Q_PROPERTY(QString filesRepo READ filesRepo NOTIFY catalogChanged)
    Q_PROPERTY(QVariantList catalogFiles READ catalogFiles NOTIFY catalogChanged)
    Q_PROPERTY(QString catalogStatus READ catalogStatus NOTIFY catalogChanged)
    Q_PROPERTY(bool catalogBusy READ catalogBusy NOTIFY catalogChanged)
    // A Hugging Face token is kept (in the SecretStore, never the database), and where.
    Q_PROPERTY(bool hubTokenSet READ hubTokenSet NOTIFY hubTokenChanged)
    Q_PROPERTY(QString hubTokenLocation READ hubTokenLocation NOTIFY hubTokenChanged)
    // The machine the catalog's files are judged against (the models page's MachineMemory).
    Q_PROPERTY(tessera::app::MachineMemory* machine READ machine WRITE setMachine NOTIFY machineChanged)

public:
    // read_only_reason: why the history is open read-only (then downloads are off), or empty.
    Downloads(QString database_path, QString models_folder, downloads::DownloadSettings settings = {},
              QString read_only_reason = {}, QObject* parent = nullptr);
    ~Downloads() override;  // the worker stops its transfers (saved, resumed next start) and the thread ends

    DownloadListModel* jobs() { return &jobs_; }
    int activeCount() const { return totals_.active; }
    int queuedCount() const { return totals_.queued; }
    qint64 totalBytesDone() const { return totals_.bytes_done; }
    qint64 totalBytes() const { return totals_.bytes_total; }
    double totalSpeed() const { return totals_.bytes_per_second; }
    double totalSecondsLeft() const { return totals_.seconds_left; }
    QString errorText() const { return error_text_; }
    QString catalogUrl() const { return catalog_url_.toString(); }
    void setCatalogUrl(const QString& url);
    QVariantList catalogRepos() const { return catalog_repos_; }
    QString filesRepo() const { return files_repo_; }
    QVariantList catalogFiles() const { return catalog_files_; }
    QString catalogStatus() const { return catalog_status_; }
    bool catalogBusy() const { return catalog_busy_; }
    MachineMemory* machine() const { return machine_; }
    bool hubTokenSet() const { return hub_token_set_; }
    QString hubTokenLocation() const { return hub_token_location_; }
    // For gated repositories: sent to the catalog's address only; an empty text removes it.
    Q_INVOKABLE void setHubToken(const QString& token);
    void setMachine(MachineMemory* machine);

    // Searches the Hub (through the cache when offline); an empty query lists the bundled
    // repositories and those added by hand.
    Q_INVOKABLE void searchCatalog(const QString& query);
    Q_INVOKABLE void showRepoFiles(const QString& repo);

    // An https URL, http to this machine only, or "owner/repository/file.gguf" from the
    // catalog. False (with errorText) when the text is refused at once; a refusal from the
    // engine (file exists, unsafe name, not in the repository) comes later in errorText.
    Q_INVOKABLE bool add(const QString& source);
    Q_INVOKABLE void pause(qint64 id);
    Q_INVOKABLE void resume(qint64 id);
    // A live job is stopped and its partial deleted; a finished or failed one leaves the list.
    Q_INVOKABLE void cancel(qint64 id);
    Q_INVOKABLE void clearError();

signals:
    void totalsChanged();
    void errorTextChanged();
    void catalogUrlChanged();
    void catalogChanged();
    void machineChanged();
    void hubTokenChanged();
    void modelRegistered(const QString& path);

private:
    void onRows(const QList<DownloadRow>& rows, const DownloadTotals& totals);
    void setError(const QString& text);
    void onFileFit(const QString& repo, const QString& path, const QVariantMap& fit);
    // Verdicts and the recommended file for catalog_files_, from their needs and the machine.
    void judgeFiles();

    QThread thread_;
    DownloadWorker* worker_;  // lives on thread_, deleted there when it ends
    DownloadListModel jobs_;
    DownloadTotals totals_;
    QString error_text_;
    QUrl catalog_url_;
    QVariantList catalog_repos_, catalog_files_;
    QString files_repo_, catalog_status_;
    bool catalog_busy_ = false;
    QPointer<MachineMemory> machine_;
    bool hub_token_set_ = false;
    QString hub_token_location_;
};

}  // namespace tessera::app

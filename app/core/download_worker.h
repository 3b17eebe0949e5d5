// The download engine on its own thread (downloads/download_manager.h asks for that): it
// owns a second connection to the history database, the DownloadManager and the Hugging
// Face catalog client, all created on that thread by open(). The GUI thread talks to it
// only with queued calls and gets plain values back (download_rows.h):
//   1. Rows are sent at most every kRowUpdateMs, batched: a transfer reports progress per
//      network chunk, far more often than a person can read it.
//   2. A finished download is read by the engine's reader (read_model_summary) here, off the
//      GUI thread, and its catalog entry gets the architecture, parameter count and
//      quantization before modelRegistered is sent.
//   3. Each .gguf file of a repository the page shows gets its header read (HeaderProbe, at
//      most settings.probe.max_parallel at once) unless the database has it already: the facts
//      (catalog_fit.h) come back by catalogFileFit, and are cached for the next time, offline
//      included. A split model is listed once, by its first part.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QVariantList>
#include <memory>

#include "catalog_fit.h"
#include "download_rows.h"
#include "secret_store.h"
#include "downloads/download_manager.h"
#include "downloads/header_probe.h"
#include "downloads/hf_catalog.h"
#include "storage/database.h"

namespace tessera::app {

class DownloadWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kRowUpdateMs = 100;

    // read_only_reason: non-empty when the history is open read-only (a newer version's schema,
    // S8): then nothing is written, and every request is refused with it.
    DownloadWorker(QString database_path, QString models_folder, downloads::DownloadSettings settings, QUrl catalog_url,
                   QString read_only_reason = {});
    ~DownloadWorker() override;  // transfers stop; their jobs resume at the next start

    // On the worker thread: opens the connection, resumes jobs a previous run left, sends the rows.
    void open();
    void addUrl(const QUrl& url);
    QString unavailable() const;
    void addHubFile(const HubFileRef& file);
    void pause(qint64 id) { if (manager_) manager_->pause(id); }
    void resume(qint64 id) { if (manager_) manager_->resume(id); }
    void cancel(qint64 id) { if (manager_) manager_->cancel(id); }
    // Saved in the settings table (kCatalogUrlKey), so the next start uses it too.
    void setCatalogUrl(const QUrl& url);
    void searchCatalog(const QString& query);
    void listRepoFiles(const QString& repo);
    // Kept in the SecretStore (never the database); empty removes it. Sent as "Authorization:
    // Bearer" to the catalog's origin only: catalog calls, header reads and downloads.
    void setHubToken(const QString& token);

    static constexpr const char* kCatalogUrlKey = "hf_base_url";
    static constexpr const char* kHubTokenName = "huggingface-token";

signals:
    void rowsChanged(const QList<tessera::app::DownloadRow>& rows, const tessera::app::DownloadTotals& totals);
    void refused(const QString& message);          // an add that did not become a job
    void modelRegistered(const QString& path);     // in the catalog, with what the reader found
    void catalogUrlLoaded(const QUrl& url);         // the saved base URL, read at open()
    // Catalog answers as QML-ready maps (catalog_rows in downloads.cpp names the keys);
    // status says when they come from the offline cache.
    void catalogSearched(const QVariantList& repos, const QString& status);
    void catalogFilesListed(const QString& repo, const QVariantList& files, const QString& status);
    // What a file's header says (fitState "ready": needBytes, context, quantization,
    // parameterCount, splitParts) or why it could not be read (fitState "failed": fitError).
    void catalogFileFit(const QString& repo, const QString& path, const QVariantMap& fit);
    // Whether a Hugging Face token is kept, and where (the SecretStore's location).
    void hubTokenChanged(bool set, const QString& location);

private:
    struct HeaderJob {
        QString repo, path, key;
        QUrl url;
        qint64 size = 0, other_parts_bytes = 0;
    };
    QVariantList listed_files(const downloads::FilesResult& result);
    void runProbes();
    void onProbed(const HeaderJob& job, const downloads::ProbeResult& result, const std::optional<HeaderFacts>& facts,
                  const QString& error);
    void enqueue(const downloads::DownloadRequest& request);
    // The token (or none) to the catalog client and the download manager, for catalog_url_.
    void applyHubToken();
    QByteArray hubAuthorization() const;
    void onFilesListed(const downloads::FilesResult& result);
    void onSearched(const downloads::SearchResult& result);
    void onFinished(qint64 id, const QString& path);
    void markChanged(qint64 id);
    void sendRows();
    DownloadRow row(qint64 id);

    QString database_path_, models_folder_;
    downloads::DownloadSettings settings_;
    QUrl catalog_url_;
    QString read_only_reason_;
    std::unique_ptr<storage::Database> db_;
    std::unique_ptr<storage::CatalogStore> catalog_;
    std::unique_ptr<downloads::DownloadManager> manager_;
    std::unique_ptr<downloads::HfCatalog> hub_;
    QMultiHash<QString, QString> wanted_files_;
    QSet<QString> shown_repos_;  // file lists asked for by the page  // repository -> files asked for, until it is listed
    QHash<qint64, qint64> known_totals_;  // job -> size the server announced
    QSet<qint64> changed_;
    QTimer send_timer_;
    std::unique_ptr<QNetworkAccessManager> probe_network_;
    std::unique_ptr<SecretStore> secrets_;
    QByteArray hub_token_;
    QList<HeaderJob> header_jobs_;
    QSet<QString> headers_asked_;  // file keys queued or being read
    int probes_running_ = 0;
};

}  // namespace tessera::app

// Importing and deleting model files on the models page.
//
// Import (one GGUF file, every *.gguf in a folder, or a Hugging Face checkpoint folder,
// which is converted), on a pool thread:
//   0. A folder with config.json is a Hugging Face checkpoint: it is converted by the
//      engine (tessera-cli convert's code) into the models folder, as NAME[-TYPE].gguf, with
//      progress and Cancel; a failed or cancelled conversion leaves no file.
//   1. Each file is validated by the engine's reader and tensor checks (read_model_summary);
//      a bad file is reported by name with the reader's error and is never registered.
//   2. copy: each valid file is copied into the models folder as NAME.part, flushed, then
//      renamed to NAME, so the folder never holds a truncated NAME; an existing NAME is
//      never overwritten. reference: the file is registered where it is.
//   3. Back on the GUI thread, the files that passed (and were copied, when asked) are
//      registered in the catalog with what the reader found.
// Delete removes the file (when asked) and then the catalog entry; a file that cannot be
// removed keeps its entry, so nothing is lost from view.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>
#include <atomic>
#include <memory>
#include <vector>

#include "model/model_summary.h"
#include "model_catalog_model.h"
#include "storage/catalog_store.h"

namespace tessera::app {

struct ImportedModel {
    QString path;  // where it is registered
    ModelSummary summary;
};

struct ImportOutcome {
    std::vector<ImportedModel> imported;
    QStringList errors;  // "bad.gguf: tensor 'blk.0.attn_q.weight' ... runs past the end of the file"
    bool cancelled = false;
};

class ModelLibrary : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    Q_PROPERTY(QString modelsFolder READ modelsFolder CONSTANT)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)  // 0..1 of the bytes to copy
    Q_PROPERTY(QString statusText READ statusText NOTIFY statusChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY statusChanged)

public:
    ModelLibrary(storage::Database& db, QString models_folder, ModelCatalogModel& catalog, QObject* parent = nullptr);
    ~ModelLibrary() override;  // cancels a copy under way and waits for it

    QString modelsFolder() const { return models_folder_; }
    bool busy() const { return busy_; }  // from importPath() until the outcome is registered
    double progress() const { return progress_; }
    QString statusText() const { return status_text_; }
    QString errorText() const { return error_text_; }

    // A file or folder path, or a file:// URL. False (with errorText) when busy or empty.
    // convertType is for a Hugging Face checkpoint folder: "" (f16, or bf16 for a bf16
    // checkpoint), or a type or mix such as "q8_0" or "q4_k_m".
    Q_INVOKABLE bool importPath(const QString& pathOrUrl, bool copy, const QString& convertType = QString());
    // True for a folder holding a Hugging Face checkpoint (config.json), which import converts.
    Q_INVOKABLE static bool isCheckpointFolder(const QString& pathOrUrl);
    Q_INVOKABLE void cancelImport();
    Q_INVOKABLE bool isInModelsFolder(const QString& path) const;
    // The local path of a file:// URL (what file dialogs give), or the text as it is.
    Q_INVOKABLE static QString localPath(const QString& pathOrUrl);
    // Deletes the catalog entry, and first the file when deleteFile. False with errorText on failure.
    Q_INVOKABLE bool removeModel(const QString& path, bool deleteFile);
    Q_INVOKABLE void clearMessages();

    // The work itself, without Qt's event loop (tests call it directly too).
    static ImportOutcome run_import(const QString& source, bool copy, const QString& models_folder,
                                    const std::atomic<bool>& cancel, const std::function<void(double)>& progress,
                                    const QString& convert_type = QString());

signals:
    void busyChanged();
    void progressChanged();
    void statusChanged();
    void importFinished(int imported, int failed);

private:
    void onImportDone();
    void setMessages(QString status, QString error);

    storage::CatalogStore catalog_store_;
    ModelCatalogModel& catalog_;
    QString models_folder_;
    bool busy_ = false;
    double progress_ = 0.0;
    QString status_text_, error_text_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    QFutureWatcher<ImportOutcome> watcher_;
};

}  // namespace tessera::app

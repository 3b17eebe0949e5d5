// The download queue: jobs from the database (storage::CatalogStore), at most
// settings.max_parallel transfers at once, retries with exponential backoff, verification
// and registration of finished model files.
//
// A job's life (the states are storage's DownloadState):
//   queued --start--> running --transfer complete--> verifying --hash ok--> done
//   running --retryable error--> running (backing off; attempts counted, reset by progress)
//   running --fatal error or attempts used up--> failed (the partial is kept unless useless)
//   running/queued --pause--> paused --resume--> queued
//   verifying --hash or size wrong--> queued with the partial emptied, once; then failed
//   cancel: any live state --> failed "cancelled", the partial deleted, the row removed.
// Invariants:
//   1. The file appears at its final path only after its SHA-256 matched (when one was
//      expected) and the data was synced (PartFile::commit); it is registered in the model
//      catalog only after that.
//   2. The database row says what the disk holds: bytes_done is saved at most
//      settings.progress_save_every behind, and the .part file's size wins on resume.
//   3. An app killed mid-download leaves running rows; start() requeues them (D11). One killed
//      after the final rename but before the registration leaves its file at the final path
//      and no .part: the job, started again, checks that file against its expected SHA-256
//      (or, without one, its size) and registers it, with no download and no duplicate.
//   4. Authorization headers are kept in memory only, never in the database (after a
//      restart a job that needs one must be given it again). The Hugging Face token is given
//      for the Hub's origin (set_hub): every job whose URL is on it gets it (resumed ones too),
//      and a 401/403 from it reads as a gated repository.
// Threads: writing and hashing run in the manager's thread. The app moves the manager to a
// worker QThread (everything it owns moves with it) with its own database connection, and
// talks to it with queued connections.
#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QNetworkAccessManager>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QUrl>
#include <map>
#include <memory>
#include <optional>
#include <variant>

#include "downloads/download_settings.h"
#include "downloads/transfer.h"
#include "storage/catalog_store.h"

namespace tessera::downloads {

class PartFile;

struct DownloadRequest {
    QUrl url;
    QString file_name;                   // inside the models folder; checked by check_file_name (D9)
    std::optional<qint64> expected_size;
    std::optional<QString> expected_sha256;  // lowercase hex; from the catalog's LFS oid
    QByteArray authorization;            // e.g. "Bearer hf_..."; sent to url's origin only
};

struct JobProgress {
    qint64 id = 0;
    storage::DownloadState state = storage::DownloadState::queued;
    qint64 bytes_done = 0;
    std::optional<qint64> total;
    double bytes_per_second = 0;
    std::optional<double> seconds_left;
    QString error;
};

struct TotalProgress {
    int active = 0, queued = 0;
    qint64 bytes_done = 0, bytes_total = 0;  // over jobs whose size is known
    double bytes_per_second = 0;
    std::optional<double> seconds_left;
};

class DownloadManager : public QObject {
    Q_OBJECT
public:
    DownloadManager(storage::Database& db, QString models_dir, DownloadSettings settings = {},
                    QObject* parent = nullptr);
    // Stops transfers; their jobs are saved as queued with their progress.
    ~DownloadManager() override;

    // Requeues jobs a dead process left running (once the app holds the instance lock, no
    // other process is running them), then starts queued ones.
    void start();
    // A new queued job; the error text says why not (unsafe name, already downloading ...).
    std::variant<qint64, QString> enqueue(const DownloadRequest& request);
    void pause(qint64 id);
    void resume(qint64 id);
    void cancel(qint64 id);

    JobProgress progress(qint64 id) const;
    TotalProgress total() const;
    QString models_dir() const { return models_dir_; }
    QString target_path(const QString& file_name) const;
    // The Hub's origin and its Authorization ("Bearer hf_..."; empty: none).
    void set_hub(const QUrl& origin, const QByteArray& authorization);

signals:
    void jobChanged(qint64 id);  // state or progress
    void jobFinished(qint64 id, const QString& path);
    void jobFailed(qint64 id, const QString& message);

private:
    struct Active;

    void schedule();
    void start_job(const storage::DownloadJob& job);
    void launch(Active& active);
    void on_outcome(qint64 id, const TransferOutcome& outcome);
    void verify(Active& active);
    // The job's file is already at its final path (killed after the rename, D11).
    void adopt_finished_file(const storage::DownloadJob& job);
    // Registers the file at `target` (once) and marks the job done.
    void register_finished(qint64 id, const QString& target, const QString& hash, const std::string& url);
    void fail(qint64 id, const QString& message, bool discard_partial);
    void release(qint64 id);
    void save_progress(Active& active, bool force);
    void update_speed(Active& active);
    bool set_state(qint64 id, storage::DownloadState state, const QString& error = {});

    storage::Database& db_;
    mutable storage::CatalogStore catalog_;
    QString models_dir_;
    DownloadSettings settings_;
    QNetworkAccessManager network_;
    std::map<qint64, std::unique_ptr<Active>> active_;
    QHash<qint64, QByteArray> authorization_;
    QUrl hub_origin_;
    QByteArray hub_authorization_;
    QHash<qint64, QString> last_error_;
    QSet<qint64> restarted_after_mismatch_;
    bool scheduling_ = false;
};

}  // namespace tessera::downloads

#include "downloads/download_manager.h"

#include <QDir>
#include <QFileInfo>

#include "downloads/downloads_logging.h"
#include "downloads/hf_catalog.h"
#include "downloads/part_file.h"
#include "downloads/redirect_rules.h"
#include "downloads/safe_file_name.h"
#include "downloads/sha256.h"

namespace tessera::downloads {

using storage::DownloadState;

struct DownloadManager::Active {
    storage::DownloadJob job;
    std::unique_ptr<PartFile> part;
    Transfer* transfer = nullptr;  // owned; deleted with deleteLater (it may be mid-signal)
    QTimer backoff;
    int attempts = 0;
    QString etag;
    std::optional<qint64> total;
    qint64 saved_bytes = 0;
    QElapsedTimer since_save;
    QElapsedTimer speed_clock;
    qint64 speed_mark = 0;
    double speed = 0;

    void drop_transfer() {
        if (!transfer) return;
        transfer->abandon();
        transfer->deleteLater();
        transfer = nullptr;
    }
};

namespace {

std::string utf8(const QString& s) { return s.toStdString(); }

void warn_if_failed(qint64 id, const storage::DbStatus& status) {
    if (!status.ok()) qCWarning(lcDownloads) << "download" << id << ":" << QString::fromStdString(status.error().message);
}
QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

DownloadManager::DownloadManager(storage::Database& db, QString models_dir, DownloadSettings settings,
                                 QObject* parent)
    : QObject(parent), db_(db), catalog_(db), models_dir_(std::move(models_dir)), settings_(std::move(settings)) {
    qRegisterMetaType<TransferOutcome>();
    network_.setParent(this);  // moves with the manager to a worker thread
    // Only manual redirects (Transfer checks each hop); Qt's default policy is not used.
    network_.setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

DownloadManager::~DownloadManager() {
    blockSignals(true);  // listeners may already be gone
    for (auto& [id, active] : active_) {
        active->drop_transfer();
        save_progress(*active, true);
        set_state(id, DownloadState::queued);  // resumed on the next start()
    }
    active_.clear();
}

QString DownloadManager::target_path(const QString& file_name) const {
    return QDir(models_dir_).filePath(file_name);
}

void DownloadManager::start() {
    // Only rows no transfer of ours is running can be a dead process's leftovers.
    if (!active_.empty()) return schedule();
    if (auto requeued = catalog_.requeue_interrupted_downloads(); !requeued)
        qCWarning(lcDownloads) << "could not requeue interrupted downloads:" << qs(requeued.error().message);
    else if (*requeued > 0)
        qCInfo(lcDownloads) << *requeued << "interrupted download(s) will resume";
    schedule();
}

std::variant<qint64, QString> DownloadManager::enqueue(const DownloadRequest& request) {
    const auto name = check_file_name(request.file_name);
    if (const auto* unsafe = std::get_if<UnsafeName>(&name))
        return QStringLiteral("refused file name: %1").arg(unsafe->reason);
    const QString scheme = request.url.scheme().toLower();
    if (!request.url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return QStringLiteral("'%1' is not an http or https address").arg(request.url.toDisplayString());
    if (!QDir().mkpath(models_dir_)) return QStringLiteral("cannot create the models folder %1").arg(models_dir_);
    const QString target = target_path(std::get<QString>(name));
    if (QFileInfo::exists(target))
        return QStringLiteral("%1 already exists; delete it first to download it again").arg(target);
    storage::NewDownload row;
    row.url = utf8(request.url.toString(QUrl::FullyEncoded));
    row.target_path = utf8(target);
    row.expected_size = request.expected_size;
    if (request.expected_sha256) row.expected_sha256 = utf8(request.expected_sha256->toLower());
    auto id = catalog_.add_download(row);
    if (!id) return qs(id.error().message);
    if (!request.authorization.isEmpty()) authorization_.insert(*id, request.authorization);
    emit jobChanged(*id);
    schedule();
    return *id;
}

void DownloadManager::schedule() {
    if (scheduling_) return;
    scheduling_ = true;
    // Deferred: a job failing inside start_job must not re-enter the loop below.
    QMetaObject::invokeMethod(
        this,
        [this] {
            scheduling_ = false;
            auto live = catalog_.live_downloads();
            if (!live) {
                qCWarning(lcDownloads) << "cannot read the download queue:" << qs(live.error().message);
                return;
            }
            for (const storage::DownloadJob& job : *live) {
                if (static_cast<int>(active_.size()) >= settings_.max_parallel) break;
                if (job.state == DownloadState::queued && !active_.count(job.id)) start_job(job);
            }
        },
        Qt::QueuedConnection);
}

bool DownloadManager::set_state(qint64 id, DownloadState state, const QString& error) {
    auto status = catalog_.set_download_state(id, state, error.isEmpty() ? std::nullopt : std::optional(utf8(error)));
    if (!status.ok()) {
        qCWarning(lcDownloads) << "download" << id << ":" << qs(status.error().message);
        return false;
    }
    emit jobChanged(id);
    return true;
}

void DownloadManager::start_job(const storage::DownloadJob& job) {
    if (!set_state(job.id, DownloadState::running)) return;
    const QString target = qs(job.target_path);
    if (QFileInfo::exists(target) && !QFileInfo::exists(target + QStringLiteral(".part")))
        return adopt_finished_file(job);
    auto opened = PartFile::open(qs(job.target_path));
    if (auto* error = std::get_if<QString>(&opened)) return fail(job.id, *error, false);
    auto active = std::make_unique<Active>();
    active->job = job;
    active->part = std::move(std::get<std::unique_ptr<PartFile>>(opened));
    active->etag = qs(job.etag.value_or(std::string()));
    active->total = job.expected_size;
    active->saved_bytes = job.bytes_done;
    PartFile& part = *active->part;

    if (part.size() > 0) {
        QString why_restart;
        if (job.expected_size && part.size() > *job.expected_size)
            why_restart = QStringLiteral("the partial file is larger than the model (D5)");
        else if (active->etag.isEmpty())
            why_restart = QStringLiteral("no ETag was saved for the partial file, so it cannot be checked");
        else if (auto error = part.hash_existing())
            return fail(job.id, *error, false);
        else if (part.size() >= 4 && !part.head().startsWith("GGUF"))
            why_restart = QStringLiteral("the partial file is not a GGUF file");
        if (!why_restart.isEmpty()) {
            qCInfo(lcDownloads) << "download" << job.id << "starts over:" << why_restart;
            if (auto error = part.reset()) return fail(job.id, *error, false);
        }
    }
    // Checked before asking the server when the size is known; again at the answer and
    // every settings.space_check_every_bytes while writing (Transfer).
    if (job.expected_size) {
        if (auto problem = disk_space_problem(settings_, QFileInfo(qs(job.target_path)).absolutePath(),
                                              std::max<qint64>(0, *job.expected_size - part.size())))
            return fail(job.id, *problem, false);
    }
    const qint64 id = job.id;
    connect(&active->backoff, &QTimer::timeout, this, [this, id] {
        if (auto it = active_.find(id); it != active_.end()) launch(*it->second);
    });
    active->backoff.setSingleShot(true);
    Active& a = *active;
    active_.emplace(id, std::move(active));
    save_progress(a, true);
    launch(a);
}

void DownloadManager::set_hub(const QUrl& origin, const QByteArray& authorization) {
    hub_origin_ = origin;
    hub_authorization_ = authorization;
}

void DownloadManager::launch(Active& a) {
    const QUrl url(qs(a.job.url));
    QByteArray authorization = authorization_.value(a.job.id);
    if (authorization.isEmpty() && hub_origin_.isValid() && same_origin(url, hub_origin_)) authorization = hub_authorization_;
    TransferSpec spec{url, authorization, a.etag, a.job.expected_size};
    auto* transfer = new Transfer(network_, *a.part, std::move(spec), settings_, this);
    a.transfer = transfer;
    const qint64 id = a.job.id;
    connect(transfer, &Transfer::headersAccepted, this, [this, id, transfer] {
        Active& active = *active_.at(id);
        active.etag = transfer->etag();
        if (transfer->total()) active.total = transfer->total();
        save_progress(active, true);  // the ETag must be on disk before the bytes it vouches for
        emit jobChanged(id);
    });
    connect(transfer, &Transfer::progressed, this, [this, id] {
        Active& active = *active_.at(id);
        update_speed(active);
        save_progress(active, false);
        emit jobChanged(id);
    });
    connect(transfer, &Transfer::finished, this, [this, id](const TransferOutcome& outcome) { on_outcome(id, outcome); });
    transfer->start();
}

void DownloadManager::on_outcome(qint64 id, const TransferOutcome& outcome) {
    auto it = active_.find(id);
    if (it == active_.end()) return;
    Active& a = *it->second;
    const bool made_progress = a.transfer && a.transfer->bytes_this_attempt() > 0;
    a.drop_transfer();
    using K = TransferOutcome::Kind;
    switch (outcome.kind) {
        case K::stopped: return;
        case K::failed:
            if (HfCatalog::is_refusal(outcome.http_status) && hub_origin_.isValid() &&
                same_origin(QUrl(qs(a.job.url)), hub_origin_))
                return fail(id, HfCatalog::gated_message(outcome.http_status, !hub_authorization_.isEmpty()),
                            outcome.discard_partial);
            return fail(id, outcome.message, outcome.discard_partial);
        case K::complete: return verify(a);
        case K::restart:
            if (auto error = a.part->reset()) return fail(id, *error, false);
            a.etag.clear();
            save_progress(a, true);
            [[fallthrough]];
        case K::retry: {
            if (made_progress) a.attempts = 0;
            if (++a.attempts >= settings_.max_attempts)
                return fail(id, QStringLiteral("%1 (gave up after %2 attempts)").arg(outcome.message).arg(a.attempts),
                            false);
            save_progress(a, true);
            const std::chrono::milliseconds delay = std::min<std::chrono::milliseconds>(
                settings_.backoff_max, settings_.backoff_first * (1 << std::min(a.attempts - 1, 20)));
            qCInfo(lcDownloads) << "download" << id << ":" << outcome.message << "; retrying in" << delay.count() << "ms";
            last_error_.insert(id, outcome.message);
            a.backoff.start(delay);
            emit jobChanged(id);
            return;
        }
    }
}

void DownloadManager::verify(Active& a) {
    const qint64 id = a.job.id;
    save_progress(a, true);
    if (!set_state(id, DownloadState::verifying)) return fail(id, QStringLiteral("the download's state was lost"), false);
    PartFile& part = *a.part;
    QString problem;
    const QString hash = part.finish_hash();
    if (a.job.expected_size && part.size() != *a.job.expected_size)
        problem = QStringLiteral("the download has %1 bytes, %2 expected").arg(part.size()).arg(*a.job.expected_size);
    else if (a.job.expected_sha256 && hash != qs(*a.job.expected_sha256))
        problem = QStringLiteral("SHA-256 mismatch: expected %1, got %2").arg(qs(*a.job.expected_sha256), hash);
    if (!problem.isEmpty()) {
        // A corrupt partial from an earlier run (D5) gets one fresh start; a second
        // mismatch means the server's file is not the one the catalog describes.
        if (restarted_after_mismatch_.contains(id)) return fail(id, problem + QStringLiteral("; the file was deleted"), true);
        restarted_after_mismatch_.insert(id);
        qCInfo(lcDownloads) << "download" << id << ":" << problem << "; starting over";
        last_error_.insert(id, problem);
        if (auto error = part.reset()) return fail(id, *error, false);
        warn_if_failed(id, catalog_.restart_download(id));
        release(id);
        set_state(id, DownloadState::queued);
        schedule();
        return;
    }
    if (auto error = part.commit()) return fail(id, *error, false);
    const QString target = part.target_path();
    const std::string url = a.job.url;
    release(id);
    if (settings_.after_rename) settings_.after_rename(target);
    register_finished(id, target, hash, url);
}

void DownloadManager::adopt_finished_file(const storage::DownloadJob& job) {
    const qint64 id = job.id;
    const QString target = qs(job.target_path);
    if (!set_state(id, DownloadState::verifying)) return fail(id, QStringLiteral("the download's state was lost"), false);
    // Read once on this thread: a rare recovery, after which the file is never read again here.
    QFile file(target);
    if (!file.open(QIODevice::ReadOnly))
        return fail(id, QStringLiteral("cannot read %1: %2").arg(target, file.errorString()), false);
    Sha256 sha;
    QByteArray buffer(4 << 20, Qt::Uninitialized);
    for (qint64 n; (n = file.read(buffer.data(), buffer.size())) > 0;) sha.add(buffer.constData(), n);
    const QString hash = sha.hex();
    const qint64 size = file.size();
    QString problem;
    if (job.expected_sha256 && hash != qs(*job.expected_sha256))
        problem = QStringLiteral("its SHA-256 is %1, %2 expected").arg(hash, qs(*job.expected_sha256));
    else if (!job.expected_sha256 && size != job.expected_size.value_or(job.bytes_done))
        problem = QStringLiteral("it has %1 bytes, %2 expected").arg(size).arg(job.expected_size.value_or(job.bytes_done));
    if (!problem.isEmpty())
        return fail(id, QStringLiteral("%1 already exists and is not this download (%2); move it away and retry")
                            .arg(target, problem),
                    false);
    qCInfo(lcDownloads) << "download" << id << ": the finished file was already in place; registering it";
    register_finished(id, target, hash, job.url);
}

void DownloadManager::register_finished(qint64 id, const QString& target, const QString& hash, const std::string& url) {
    auto known = catalog_.find_model_by_path(utf8(target));
    if (known && !*known) {
        storage::ModelFile model;
        model.path = utf8(target);
        model.size_bytes = QFileInfo(target).size();
        model.sha256 = utf8(hash);
        model.source_url = url;
        if (auto added = catalog_.add_model(model); !added) known = added.error();
    }
    if (!known) {
        // The file is whole and in place; only its catalog entry is missing.
        set_state(id, DownloadState::failed,
                  QStringLiteral("downloaded to %1 but not added to the model list: %2")
                      .arg(target, qs(known.error().message)));
        emit jobFailed(id, qs(known.error().message));
        schedule();
        return;
    }
    set_state(id, DownloadState::done);
    last_error_.remove(id);
    authorization_.remove(id);
    qCInfo(lcDownloads) << "download" << id << "done:" << target;
    emit jobFinished(id, target);
    schedule();
}

void DownloadManager::fail(qint64 id, const QString& message, bool discard_partial) {
    if (auto it = active_.find(id); it != active_.end()) {
        it->second->drop_transfer();
        save_progress(*it->second, true);
        if (discard_partial) {
            it->second->part->discard();
            warn_if_failed(id, catalog_.restart_download(id));
        }
        active_.erase(it);
    }
    last_error_.insert(id, message);
    qCWarning(lcDownloads) << "download" << id << "failed:" << message;
    set_state(id, DownloadState::failed, message);
    emit jobFailed(id, message);
    schedule();
}

void DownloadManager::release(qint64 id) {
    if (auto it = active_.find(id); it != active_.end()) {
        it->second->drop_transfer();
        active_.erase(it);
    }
}

void DownloadManager::pause(qint64 id) {
    if (auto it = active_.find(id); it != active_.end()) {
        it->second->drop_transfer();
        save_progress(*it->second, true);
        release(id);
    }
    set_state(id, DownloadState::paused);
    schedule();
}

void DownloadManager::resume(qint64 id) {
    auto job = catalog_.download(id);
    if (!job || (job->state != DownloadState::paused && job->state != DownloadState::failed)) return;
    last_error_.remove(id);
    set_state(id, DownloadState::queued);
    schedule();
}

void DownloadManager::cancel(qint64 id) {
    auto job = catalog_.download(id);
    if (!job) return;
    if (auto it = active_.find(id); it != active_.end()) {
        it->second->drop_transfer();
        it->second->part->discard();
        active_.erase(it);
    } else if (job->state != DownloadState::done) {
        // Take the lock first: never delete a .part another download is writing.
        auto opened = PartFile::open(qs(job->target_path));
        if (auto* part = std::get_if<std::unique_ptr<PartFile>>(&opened)) (*part)->discard();
    }
    if (job->state != DownloadState::failed && job->state != DownloadState::done)
        set_state(id, DownloadState::failed, QStringLiteral("cancelled"));
    warn_if_failed(id, catalog_.remove_download(id));
    last_error_.remove(id);
    authorization_.remove(id);
    emit jobChanged(id);
    schedule();
}

void DownloadManager::save_progress(Active& a, bool force) {
    if (!force && a.since_save.isValid() && a.since_save.elapsed() < settings_.progress_save_every.count()) return;
    a.since_save.start();
    const qint64 size = a.part->size();
    if (size < a.saved_bytes || (size == 0 && a.etag.isEmpty())) {
        // Progress only goes back through restart_download (catalog invariant 3).
        warn_if_failed(a.job.id, catalog_.restart_download(a.job.id));
    }
    auto status = catalog_.record_progress(a.job.id, size,
                                           a.etag.isEmpty() ? std::nullopt : std::optional(utf8(a.etag)));
    if (!status.ok()) qCDebug(lcDownloads) << "download" << a.job.id << ":" << qs(status.error().message);
    a.saved_bytes = size;
}

void DownloadManager::update_speed(Active& a) {
    const qint64 size = a.part->size();
    if (!a.speed_clock.isValid()) {
        a.speed_clock.start();
        a.speed_mark = size;
        return;
    }
    const qint64 elapsed = a.speed_clock.elapsed();
    if (elapsed < 500) return;
    const double rate = static_cast<double>(size - a.speed_mark) * 1000.0 / static_cast<double>(elapsed);
    a.speed = a.speed == 0 ? rate : 0.7 * a.speed + 0.3 * rate;  // smoothed, so the time left does not jump
    a.speed_mark = size;
    a.speed_clock.restart();
}

JobProgress DownloadManager::progress(qint64 id) const {
    JobProgress p;
    p.id = id;
    p.error = last_error_.value(id);
    if (auto it = active_.find(id); it != active_.end()) {
        const Active& a = *it->second;
        p.state = DownloadState::running;
        p.bytes_done = a.part->size();
        p.total = a.total;
        p.bytes_per_second = a.speed;
        if (a.total && a.speed > 0) p.seconds_left = static_cast<double>(*a.total - p.bytes_done) / a.speed;
        return p;
    }
    auto job = catalog_.download(id);
    if (!job) return p;
    p.state = job->state;
    p.bytes_done = job->bytes_done;
    p.total = job->expected_size;
    if (job->error_text) p.error = qs(*job->error_text);
    return p;
}

TotalProgress DownloadManager::total() const {
    TotalProgress t;
    auto live = catalog_.live_downloads();
    if (!live) return t;
    for (const auto& job : *live) {
        const JobProgress p = progress(job.id);
        if (active_.count(job.id)) ++t.active;
        else if (job.state == DownloadState::queued) ++t.queued;
        if (p.total) {
            t.bytes_done += p.bytes_done;
            t.bytes_total += *p.total;
        }
        t.bytes_per_second += p.bytes_per_second;
    }
    if (t.bytes_per_second > 0 && t.bytes_total > 0)
        t.seconds_left = static_cast<double>(t.bytes_total - t.bytes_done) / t.bytes_per_second;
    return t;
}

}  // namespace tessera::downloads

#include "download_worker.h"

#include <QFileInfo>

#include "downloads/downloads_logging.h"
#include "model/model_summary.h"
#include "storage/catalog_store.h"

namespace tessera::app {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace

DownloadWorker::DownloadWorker(QString database_path, QString models_folder, downloads::DownloadSettings settings,
                               QUrl catalog_url)
    : database_path_(std::move(database_path)),
      models_folder_(std::move(models_folder)),
      settings_(std::move(settings)),
      catalog_url_(std::move(catalog_url)),
      send_timer_(this) {
    send_timer_.setSingleShot(true);
    send_timer_.setInterval(kRowUpdateMs);
    connect(&send_timer_, &QTimer::timeout, this, &DownloadWorker::sendRows);
}

DownloadWorker::~DownloadWorker() {
    hub_.reset();
    manager_.reset();  // saves running jobs as queued, before the connection closes
}

void DownloadWorker::open() {
    auto db = storage::Database::open(database_path_.toStdString());
    if (!db) {
        emit refused(tr("Downloads are unavailable: the history database could not be opened a second time (%1).")
                         .arg(qs(db.error().message)));
        return;
    }
    db_ = std::make_unique<storage::Database>(std::move(db).value());
    catalog_ = std::make_unique<storage::CatalogStore>(*db_);
    manager_ = std::make_unique<downloads::DownloadManager>(*db_, models_folder_, settings_);
    hub_ = std::make_unique<downloads::HfCatalog>(*db_, catalog_url_);
    connect(manager_.get(), &downloads::DownloadManager::jobChanged, this, &DownloadWorker::markChanged);
    connect(manager_.get(), &downloads::DownloadManager::jobFinished, this, &DownloadWorker::onFinished);
    connect(hub_.get(), &downloads::HfCatalog::filesListed, this, &DownloadWorker::onFilesListed);
    manager_->start();
    // What an earlier run left (paused, failed, interrupted) is shown at once; done jobs are history.
    if (auto jobs = catalog_->downloads(); jobs) {
        for (const storage::DownloadJob& job : *jobs)
            if (job.state != storage::DownloadState::done) changed_.insert(job.id);
    } else {
        qCWarning(lcDownloads) << "cannot read the download queue:" << qs(jobs.error().message);
    }
    sendRows();
}

void DownloadWorker::setCatalogUrl(const QUrl& url) {
    catalog_url_ = url;
    if (hub_) hub_->set_base_url(url);
}

void DownloadWorker::addUrl(const QUrl& url) {
    auto request = downloads::HfCatalog::download_request(url);
    if (auto* why = std::get_if<QString>(&request)) return emit refused(*why);
    enqueue(std::get<downloads::DownloadRequest>(request));
}

void DownloadWorker::addHubFile(const HubFileRef& file) {
    if (!hub_) return emit refused(tr("Downloads are unavailable."));
    const bool listing = wanted_files_.contains(file.repo);
    wanted_files_.insert(file.repo, file.path);
    if (!listing) hub_->list_files(file.repo);
}

void DownloadWorker::onFilesListed(const downloads::FilesResult& result) {
    const QStringList paths = wanted_files_.values(result.repo);
    wanted_files_.remove(result.repo);
    for (const QString& path : paths) {
        auto it = std::find_if(result.files.begin(), result.files.end(),
                               [&](const downloads::HfFile& f) { return f.path == path; });
        if (it == result.files.end()) {
            emit refused(result.error.isEmpty()
                             ? tr("%1 has no file %2.").arg(result.repo, path)
                             : tr("The file list of %1 could not be read: %2").arg(result.repo, result.error));
            continue;
        }
        auto request = downloads::HfCatalog::download_request(*it);
        if (auto* why = std::get_if<QString>(&request)) {
            emit refused(*why);
            continue;
        }
        enqueue(std::get<downloads::DownloadRequest>(request));
    }
}

void DownloadWorker::enqueue(const downloads::DownloadRequest& request) {
    if (!manager_) return emit refused(tr("Downloads are unavailable."));
    auto id = manager_->enqueue(request);
    if (auto* why = std::get_if<QString>(&id)) emit refused(*why);
}

void DownloadWorker::onFinished(qint64 id, const QString& path) {
    // The manager registered the file with its size and hash; the reader adds what the list shows.
    auto summary = read_model_summary(path.toStdString());
    auto known = catalog_->find_model_by_path(path.toStdString());
    if (summary && known && *known) {
        storage::ModelFile model = **known;
        model.architecture = summary->config.architecture;
        model.parameter_count = summary->parameter_count;
        model.quantization = summary->quantization;
        if (auto s = catalog_->update_model(model); !s)
            qCWarning(lcDownloads) << "download" << id << ": the model's details were not saved:" << qs(s.error().message);
    } else if (!summary) {
        emit refused(tr("%1 was downloaded, but the engine cannot read it: %2")
                         .arg(QFileInfo(path).fileName(), qs(summary.error().message)));
    }
    markChanged(id);
    emit modelRegistered(path);
}

void DownloadWorker::markChanged(qint64 id) {
    changed_.insert(id);
    if (!send_timer_.isActive()) send_timer_.start();
}

DownloadRow DownloadWorker::row(qint64 id) {
    DownloadRow r;
    r.id = id;
    auto job = catalog_->download(id);
    if (!job) {  // cancelled or cleared: the manager removed it
        r.removed = true;
        known_totals_.remove(id);
        return r;
    }
    const downloads::JobProgress p = manager_->progress(id);
    r.name = QFileInfo(qs(job->target_path)).fileName();
    r.url = qs(job->url);
    r.state = qs(std::string(storage::to_string(p.state)));
    r.bytes_done = p.bytes_done;
    // A direct URL's size is known only while its transfer runs: remembered for the row
    // when paused, and a finished file is whole by definition.
    if (p.total) known_totals_.insert(id, *p.total);
    r.bytes_total = p.total.value_or(p.state == storage::DownloadState::done ? p.bytes_done : known_totals_.value(id, -1));
    r.bytes_per_second = p.bytes_per_second;
    r.seconds_left = p.seconds_left.value_or(-1);
    r.error = p.error;
    return r;
}

void DownloadWorker::sendRows() {
    if (!manager_) return;
    QList<DownloadRow> rows;
    for (qint64 id : std::as_const(changed_)) rows << row(id);
    changed_.clear();
    const downloads::TotalProgress t = manager_->total();
    DownloadTotals totals;
    totals.active = t.active;
    totals.queued = t.queued;
    totals.bytes_done = t.bytes_done;
    totals.bytes_total = t.bytes_total;
    totals.bytes_per_second = t.bytes_per_second;
    totals.seconds_left = t.seconds_left.value_or(-1);
    emit rowsChanged(rows, totals);
}

}  // namespace tessera::app

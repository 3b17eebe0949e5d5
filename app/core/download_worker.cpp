#include "download_worker.h"

#include <QDateTime>
#include <QFileInfo>

#include "downloads/downloads_logging.h"
#include "downloads/header_probe.h"
#include "downloads/redirect_rules.h"
#include "model/model_summary.h"
#include "storage/catalog_store.h"

namespace tessera::app {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

// Where an answer came from, for the page: empty when fresh from the network.
QString cache_note(bool from_cache, qint64 fetched_at_ms, const QString& error) {
    if (from_cache)
        return DownloadWorker::tr("Offline (%1): showing the list saved %2.")
            .arg(error, QDateTime::fromMSecsSinceEpoch(fetched_at_ms).toString(Qt::ISODate));
    return error;
}

// Names a file's content: the cache of its header facts stays right when the file changes.
QString header_key(const downloads::HfFile& f) {
    return f.sha256 ? QStringLiteral("sha256:") + *f.sha256
                    : QStringLiteral("%1/%2@%3").arg(f.repo, f.path).arg(f.size);
}

QVariantMap fit_map(const HeaderFacts& f) {
    return {{QStringLiteral("fitState"), QStringLiteral("ready")},
            {QStringLiteral("needBytes"), static_cast<double>(f.need_bytes)},
            {QStringLiteral("context"), f.context},
            {QStringLiteral("quantization"), f.quantization},
            {QStringLiteral("parameterCount"), static_cast<double>(f.parameter_count)},
            {QStringLiteral("splitParts"), f.split_parts}};
}

QVariantMap fit_failed(const QString& error) {
    return {{QStringLiteral("fitState"), QStringLiteral("failed")}, {QStringLiteral("fitError"), error}};
}

}  // namespace

DownloadWorker::DownloadWorker(QString database_path, QString models_folder, downloads::DownloadSettings settings,
                               QUrl catalog_url, QString read_only_reason)
    : database_path_(std::move(database_path)),
      models_folder_(std::move(models_folder)),
      settings_(std::move(settings)),
      catalog_url_(std::move(catalog_url)),
      read_only_reason_(std::move(read_only_reason)),
      send_timer_(this) {
    send_timer_.setSingleShot(true);
    send_timer_.setInterval(kRowUpdateMs);
    connect(&send_timer_, &QTimer::timeout, this, &DownloadWorker::sendRows);
}

DownloadWorker::~DownloadWorker() {
    qDeleteAll(findChildren<downloads::HeaderProbe*>(Qt::FindDirectChildrenOnly));  // before their network
    hub_.reset();
    manager_.reset();  // saves running jobs as queued, before the connection closes
}

QString DownloadWorker::unavailable() const {
    return read_only_reason_.isEmpty() ? tr("Downloads are unavailable.")
                                       : tr("Downloads are off while the history is open read-only: %1").arg(read_only_reason_);
}

void DownloadWorker::open() {
    if (!read_only_reason_.isEmpty()) return;  // the queue lives in the database, which must not be written
    auto db = storage::Database::open(database_path_.toStdString());
    if (!db) {
        emit refused(tr("Downloads are unavailable: the history database could not be opened a second time (%1).")
                         .arg(qs(db.error().message)));
        return;
    }
    db_ = std::make_unique<storage::Database>(std::move(db).value());
    catalog_ = std::make_unique<storage::CatalogStore>(*db_);
    manager_ = std::make_unique<downloads::DownloadManager>(*db_, models_folder_, settings_);
    probe_network_ = std::make_unique<QNetworkAccessManager>();
    hub_ = std::make_unique<downloads::HfCatalog>(*db_, catalog_url_);
    connect(manager_.get(), &downloads::DownloadManager::jobChanged, this, &DownloadWorker::markChanged);
    connect(manager_.get(), &downloads::DownloadManager::jobFinished, this, &DownloadWorker::onFinished);
    connect(hub_.get(), &downloads::HfCatalog::filesListed, this, &DownloadWorker::onFilesListed);
    connect(hub_.get(), &downloads::HfCatalog::searchFinished, this, &DownloadWorker::onSearched);
    if (auto saved = db_->prepare("SELECT value FROM settings WHERE key = ?");
        saved && saved->bind(1, std::string(kCatalogUrlKey)).ok()) {
        if (auto row = saved->step(); row && *row) {
            const QUrl url(qs(saved->column_text(0)));
            if (url.isValid()) {
                setCatalogUrl(url);
                emit catalogUrlLoaded(url);
            }
        }
    }
    secrets_ = std::make_unique<SecretStore>(QFileInfo(database_path_).absolutePath().toStdString());
    if (auto token = secrets_->load(kHubTokenName); !token) {
        emit refused(tr("The Hugging Face token could not be read: %1").arg(qs(token.error().message)));
    } else if (*token) {
        hub_token_ = QByteArray::fromStdString(**token);
    }
    applyHubToken();
    emit hubTokenChanged(!hub_token_.isEmpty(), qs(secrets_->location()));
    manager_->start();
    // What an earlier run left (paused, failed, interrupted, finished) is shown at once; a
    // finished job stays listed until the user clears it (cancel removes its row).
    if (auto jobs = catalog_->downloads(); jobs) {
        for (const storage::DownloadJob& job : *jobs) changed_.insert(job.id);
    } else {
        qCWarning(lcDownloads) << "cannot read the download queue:" << qs(jobs.error().message);
    }
    sendRows();
}

QByteArray DownloadWorker::hubAuthorization() const {
    return hub_token_.isEmpty() ? QByteArray() : "Bearer " + hub_token_;
}

void DownloadWorker::applyHubToken() {
    if (hub_) hub_->set_token(hub_token_);
    if (manager_) manager_->set_hub(catalog_url_, hubAuthorization());
}

void DownloadWorker::setHubToken(const QString& token) {
    if (!secrets_) return emit refused(unavailable());
    const std::string text = token.trimmed().toStdString();
    const Status saved = text.empty() ? secrets_->remove(kHubTokenName) : secrets_->store(kHubTokenName, text);
    if (!saved) return emit refused(tr("The Hugging Face token was not saved: %1").arg(qs(saved.error().message)));
    hub_token_ = QByteArray::fromStdString(text);
    applyHubToken();
    emit hubTokenChanged(!hub_token_.isEmpty(), qs(secrets_->location()));
}

void DownloadWorker::setCatalogUrl(const QUrl& url) {
    catalog_url_ = url;
    if (!hub_) return;
    hub_->set_base_url(url);
    applyHubToken();
    if (auto s = db_->run("INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                          std::string(kCatalogUrlKey), url.toString().toStdString());
        !s)
        qCWarning(lcDownloads) << "the catalog address was not saved:" << qs(s.error().message);
}

void DownloadWorker::searchCatalog(const QString& query) {
    if (!hub_) return emit catalogSearched({}, unavailable());
    if (!query.trimmed().isEmpty()) return hub_->search(query.trimmed());
    // Nothing typed: the bundled repositories and those added by hand, without asking the network.
    QVariantList repos;
    for (const QString& repo : hub_->repos()) {
        const auto billions = downloads::parameter_billions_from_name(repo);
        repos << QVariantMap{{QStringLiteral("repo"), repo},
                             {QStringLiteral("downloads"), -1},
                             {QStringLiteral("billions"), billions.value_or(0)},
                             {QStringLiteral("multiMachine"), downloads::needs_multiple_machines(billions, 0)}};
    }
    emit catalogSearched(repos, {});
}

void DownloadWorker::listRepoFiles(const QString& repo) {
    if (!hub_) return emit catalogFilesListed(repo, {}, unavailable());
    shown_repos_.insert(repo);
    if (!wanted_files_.contains(repo)) hub_->list_files(repo);
}

void DownloadWorker::onSearched(const downloads::SearchResult& result) {
    QVariantList repos;
    for (const downloads::HfModel& m : result.models)
        repos << QVariantMap{{QStringLiteral("repo"), m.repo},
                             {QStringLiteral("downloads"), m.downloads},
                             {QStringLiteral("billions"), m.parameter_billions.value_or(0)},
                             {QStringLiteral("multiMachine"), m.needs_multiple_machines}};
    emit catalogSearched(repos, cache_note(result.from_cache, result.fetched_at_ms, result.error));
}

void DownloadWorker::addUrl(const QUrl& url) {
    if (!manager_) return emit refused(unavailable());
    auto request = downloads::HfCatalog::download_request(url);
    if (auto* why = std::get_if<QString>(&request)) return emit refused(*why);
    enqueue(std::get<downloads::DownloadRequest>(request));
}

void DownloadWorker::addHubFile(const HubFileRef& file) {
    if (!hub_) return emit refused(unavailable());
    const bool listing = wanted_files_.contains(file.repo) || shown_repos_.contains(file.repo);
    wanted_files_.insert(file.repo, file.path);
    if (!listing) hub_->list_files(file.repo);
}

QVariantList DownloadWorker::listed_files(const downloads::FilesResult& result) {
    downloads::CatalogCache cache(*db_);
    QVariantList files;
    for (const downloads::HfFile& f : result.files) {
        if (!f.is_gguf) continue;
        const auto part = split_part(f.path);
        if (part && part->index != 1) continue;  // listed once, by its first part
        qint64 other_parts = 0;
        if (part)
            for (const downloads::HfFile& g : result.files)
                if (const auto p = split_part(g.path); p && p->index != 1 && p->stem == part->stem && p->count == part->count)
                    other_parts += g.size;
        QVariantMap row{{QStringLiteral("path"), f.path},
                        {QStringLiteral("size"), f.size + other_parts},
                        {QStringLiteral("verified"), f.sha256.has_value()},
                        {QStringLiteral("multiMachine"), f.needs_multiple_machines},
                        {QStringLiteral("splitParts"), part ? part->count : 1},
                        {QStringLiteral("fitState"), QStringLiteral("reading")}};
        const QString key = header_key(f);
        const auto cached = cache.header_facts(key);
        if (const auto facts = cached ? HeaderFacts::from_json(*cached) : std::nullopt) {
            row.insert(fit_map(*facts));
        } else if (!headers_asked_.contains(key)) {
            headers_asked_.insert(key);
            header_jobs_.append(HeaderJob{result.repo, f.path, key, f.download_url, f.size, other_parts});
        }
        files << row;
    }
    runProbes();
    return files;
}

void DownloadWorker::runProbes() {
    while (probes_running_ < std::max(1, settings_.probe.max_parallel) && !header_jobs_.isEmpty()) {
        const HeaderJob job = header_jobs_.takeFirst();
        ++probes_running_;
        auto facts = std::make_shared<std::optional<HeaderFacts>>();
        auto error = std::make_shared<QString>();
        auto* probe = new downloads::HeaderProbe(
            *probe_network_, job.url,
            downloads::same_origin(job.url, catalog_url_) ? hubAuthorization() : QByteArray(), job.size,
            [facts, error, other = job.other_parts_bytes](const QByteArray& prefix, qint64 size) {
                return read_header_facts(prefix, size, other, *facts, *error);
            },
            settings_.probe, this);
        connect(probe, &downloads::HeaderProbe::finished, this,
                [this, probe, job, facts, error](const downloads::ProbeResult& result) {
                    probe->deleteLater();
                    --probes_running_;
                    onProbed(job, result, *facts, *error);
                    runProbes();
                });
        probe->start();
    }
}

void DownloadWorker::onProbed(const HeaderJob& job, const downloads::ProbeResult& result,
                              const std::optional<HeaderFacts>& facts, const QString& error) {
    headers_asked_.remove(job.key);
    QVariantMap fit;
    if (downloads::HfCatalog::is_refusal(result.http_status)) {
        fit = fit_failed(downloads::HfCatalog::gated_message(result.http_status, !hub_token_.isEmpty()));
    } else if (!result.error.isEmpty()) {
        fit = fit_failed(tr("The header could not be read: %1").arg(result.error));
    } else if (!facts) {
        fit = fit_failed(tr("The file's header is not a model this app can load: %1").arg(error));
    } else {
        fit = fit_map(*facts);
        if (auto s = downloads::CatalogCache(*db_).put_header_facts(job.key, facts->to_json()); !s)
            qCWarning(lcDownloads) << "the header facts of" << job.path << "were not saved:" << qs(s.error().message);
    }
    emit catalogFileFit(job.repo, job.path, fit);
}

void DownloadWorker::onFilesListed(const downloads::FilesResult& result) {
    if (shown_repos_.remove(result.repo))
        emit catalogFilesListed(result.repo, listed_files(result),
                                cache_note(result.from_cache, result.fetched_at_ms, result.error));
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
    if (!manager_) return emit refused(unavailable());
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

#include "downloads.h"

#include "catalog_fit.h"
#include "download_worker.h"
#include "downloads/hf_catalog.h"

namespace tessera::app {

Downloads::Downloads(QString database_path, QString models_folder, downloads::DownloadSettings settings,
                     QString read_only_reason, QObject* parent)
    : QObject(parent), jobs_(this), catalog_url_(QString::fromLatin1(downloads::HfCatalog::kDefaultBaseUrl)) {
    qRegisterMetaType<DownloadRow>();
    qRegisterMetaType<DownloadTotals>();
    worker_ = new DownloadWorker(std::move(database_path), std::move(models_folder), std::move(settings), catalog_url_,
                                 std::move(read_only_reason));
    thread_.setObjectName(QStringLiteral("downloads"));
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &DownloadWorker::rowsChanged, this, &Downloads::onRows, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::refused, this, &Downloads::setError, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::modelRegistered, this, &Downloads::modelRegistered, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::catalogUrlLoaded, this, [this](const QUrl& url) {
        catalog_url_ = url;
        emit catalogUrlChanged();
    }, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::catalogSearched, this, [this](const QVariantList& repos, const QString& status) {
        catalog_repos_ = repos;
        catalog_status_ = status;
        catalog_busy_ = false;
        emit catalogChanged();
    }, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::catalogFilesListed, this,
            [this](const QString& repo, const QVariantList& files, const QString& status) {
                if (repo != files_repo_) return;  // another repository was chosen meanwhile
                catalog_files_ = files;
                catalog_status_ = status;
                catalog_busy_ = false;
                judgeFiles();
                emit catalogChanged();
            }, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::catalogFileFit, this, &Downloads::onFileFit, Qt::QueuedConnection);
    connect(worker_, &DownloadWorker::hubTokenChanged, this, [this](bool set, const QString& location) {
        hub_token_set_ = set;
        hub_token_location_ = location;
        emit hubTokenChanged();
    }, Qt::QueuedConnection);
    thread_.start();
    QMetaObject::invokeMethod(worker_, &DownloadWorker::open, Qt::QueuedConnection);
}

Downloads::~Downloads() {
    thread_.quit();  // after the calls already queued; then the worker is deleted on its thread
    thread_.wait();
}

void Downloads::setCatalogUrl(const QString& url) {
    const QUrl parsed(url.trimmed());
    if (parsed == catalog_url_) return;
    catalog_url_ = parsed;
    QMetaObject::invokeMethod(worker_, [w = worker_, parsed] { w->setCatalogUrl(parsed); }, Qt::QueuedConnection);
    emit catalogUrlChanged();
}

bool Downloads::add(const QString& source) {
    auto parsed = parse_download_source(source);
    if (auto* why = std::get_if<QString>(&parsed)) {
        setError(*why);
        return false;
    }
    setError({});
    if (auto* url = std::get_if<QUrl>(&parsed))
        QMetaObject::invokeMethod(worker_, [w = worker_, u = *url] { w->addUrl(u); }, Qt::QueuedConnection);
    else
        QMetaObject::invokeMethod(worker_, [w = worker_, f = std::get<HubFileRef>(parsed)] { w->addHubFile(f); },
                                  Qt::QueuedConnection);
    return true;
}

void Downloads::pause(qint64 id) {
    QMetaObject::invokeMethod(worker_, [w = worker_, id] { w->pause(id); }, Qt::QueuedConnection);
}

void Downloads::resume(qint64 id) {
    QMetaObject::invokeMethod(worker_, [w = worker_, id] { w->resume(id); }, Qt::QueuedConnection);
}

void Downloads::cancel(qint64 id) {
    QMetaObject::invokeMethod(worker_, [w = worker_, id] { w->cancel(id); }, Qt::QueuedConnection);
}

void Downloads::searchCatalog(const QString& query) {
    catalog_busy_ = true;
    emit catalogChanged();
    QMetaObject::invokeMethod(worker_, [w = worker_, query] { w->searchCatalog(query); }, Qt::QueuedConnection);
}

void Downloads::showRepoFiles(const QString& repo) {
    files_repo_ = repo;
    catalog_files_.clear();
    catalog_busy_ = true;
    emit catalogChanged();
    QMetaObject::invokeMethod(worker_, [w = worker_, repo] { w->listRepoFiles(repo); }, Qt::QueuedConnection);
}

void Downloads::clearError() { setError({}); }

void Downloads::setHubToken(const QString& token) {
    QMetaObject::invokeMethod(worker_, [w = worker_, token] { w->setHubToken(token); }, Qt::QueuedConnection);
}

void Downloads::setMachine(MachineMemory* machine) {
    if (machine_ == machine) return;
    if (machine_) disconnect(machine_, nullptr, this, nullptr);
    machine_ = machine;
    if (machine_)
        connect(machine_, &MachineMemory::poolsChanged, this, [this] {
            judgeFiles();
            emit catalogChanged();
        });
    judgeFiles();
    emit machineChanged();
    emit catalogChanged();
}

void Downloads::onFileFit(const QString& repo, const QString& path, const QVariantMap& fit) {
    if (repo != files_repo_) return;
    for (QVariant& entry : catalog_files_) {
        QVariantMap row = entry.toMap();
        if (row.value(QStringLiteral("path")).toString() != path) continue;
        row.insert(fit);
        entry = row;
        judgeFiles();
        emit catalogChanged();
        return;
    }
}

void Downloads::judgeFiles() {
    std::vector<std::optional<qint64>> needs;
    for (const QVariant& entry : std::as_const(catalog_files_)) {
        const QVariantMap row = entry.toMap();
        if (row.value(QStringLiteral("fitState")).toString() == QLatin1String("ready"))
            needs.push_back(static_cast<qint64>(row.value(QStringLiteral("needBytes")).toDouble()));
        else
            needs.push_back(std::nullopt);
    }
    const bool known = machine_ && machine_->ready();
    const auto verdicts = judge_catalog_files(needs, known ? machine_->placement_pools() : std::vector<MemoryPool>{});
    static const QHash<FitKind, QString> kinds{{FitKind::Gpu, QStringLiteral("gpu")},
                                               {FitKind::Ram, QStringLiteral("ram")},
                                               {FitKind::Split, QStringLiteral("split")},
                                               {FitKind::NotNow, QStringLiteral("notNow")},
                                               {FitKind::TooBig, QStringLiteral("tooBig")}};
    for (qsizetype i = 0; i < catalog_files_.size(); ++i) {
        QVariantMap row = catalog_files_[i].toMap();
        const auto& v = verdicts[static_cast<size_t>(i)];
        if (v && known) {
            row.insert(QStringLiteral("fitKind"), kinds.value(v->kind));
            row.insert(QStringLiteral("fitText"), v->text);
            row.insert(QStringLiteral("recommended"), v->recommended);
        } else {
            row.insert(QStringLiteral("fitKind"), QString());
            row.insert(QStringLiteral("fitText"), needs[static_cast<size_t>(i)]
                                                      ? tr("Needs %1").arg(QString::fromStdString(human_bytes(
                                                            static_cast<uint64_t>(*needs[static_cast<size_t>(i)]))))
                                                      : QString());
            row.insert(QStringLiteral("recommended"), false);
        }
        catalog_files_[i] = row;
    }
}

void Downloads::onRows(const QList<DownloadRow>& rows, const DownloadTotals& totals) {
    jobs_.apply(rows);
    totals_ = totals;
    emit totalsChanged();
}

void Downloads::setError(const QString& text) {
    if (text == error_text_) return;
    error_text_ = text;
    emit errorTextChanged();
}

}  // namespace tessera::app

#include "data_actions.h"

#include <QDateTime>
#include <QDir>
#include <QtConcurrent/QtConcurrentRun>

#include "storage/database.h"
#include "storage/export_import.h"
#include "storage/paths.h"
#include "storage/recovery.h"

namespace tessera::app {
namespace {

storage::DbResult<storage::Database> open_for_reading(const QString& database) {
    storage::ConnectionOptions options;
    options.read_only = true;
    options.create = false;
    return storage::Database::open(database.toStdString(), options);
}

ActionResult failure(const QString& what, const std::string& why) {
    return {false, what.arg(QString::fromStdString(why)), {}};
}

}  // namespace

ActionResult back_up_database(const QString& database, const QString& folder) {
    if (!QDir().mkpath(folder)) return failure(DataActions::tr("Backup failed: cannot create the folder %1."), folder.toStdString());
    auto db = open_for_reading(database);
    if (!db) return failure(DataActions::tr("Backup failed: %1"), db.error().message);
    auto copy = storage::backup_database(*db, folder.toStdString(), "backup");
    if (!copy) return failure(DataActions::tr("Backup failed: %1"), copy.error().message);
    const QString path = QString::fromStdString(copy->string());
    return {true, DataActions::tr("Backed up to %1").arg(path), path};
}

ActionResult export_all_conversations(const QString& database, const QString& target) {
    if (!QDir().mkpath(QFileInfo(target).absolutePath()))
        return failure(DataActions::tr("Export failed: cannot create the folder for %1."), target.toStdString());
    auto db = open_for_reading(database);
    if (!db) return failure(DataActions::tr("Export failed: %1"), db.error().message);
    storage::ConversationStore store(*db);
    if (auto s = storage::export_json_all_file(store, target.toStdString()); !s)
        return failure(DataActions::tr("Export failed: %1"), s.error().message);
    return {true, DataActions::tr("Exported all conversations to %1").arg(target), target};
}

DataActions::DataActions(QString data_folder, QObject* parent) : QObject(parent), data_folder_(std::move(data_folder)) {
    connect(&watcher_, &QFutureWatcher<ActionResult>::finished, this, [this] {
        result_ = watcher_.result();
        emit busyChanged();
        emit finished(result_.ok, result_.message, result_.path);
    });
}

DataActions::~DataActions() { watcher_.waitForFinished(); }

QString DataActions::backupFolder() const { return QDir(data_folder_).filePath(QStringLiteral("backups")); }
QString DataActions::exportFolder() const { return QDir(data_folder_).filePath(QStringLiteral("exports")); }

bool DataActions::start(std::function<ActionResult()> action) {
    if (watcher_.isRunning()) return false;
    watcher_.setFuture(QtConcurrent::run(std::move(action)));
    emit busyChanged();
    return true;
}

bool DataActions::backUp() {
    const QString database = QString::fromStdString(storage::database_path(data_folder_.toStdString()).string());
    return start([database, folder = backupFolder()] { return back_up_database(database, folder); });
}

bool DataActions::exportAll() {
    const QString database = QString::fromStdString(storage::database_path(data_folder_.toStdString()).string());
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    const QString target = QDir(exportFolder()).filePath(QStringLiteral("conversations-%1.json").arg(stamp));
    return start([database, target] { return export_all_conversations(database, target); });
}

}  // namespace tessera::app

#include "downloads/catalog_cache.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tessera::downloads {

std::optional<QByteArray> CatalogCache::read(const QString& key) {
    auto stmt = db_.prepare("SELECT value FROM settings WHERE key = ?");
    if (!stmt || !stmt->bind(1, key.toStdString()).ok()) return std::nullopt;
    auto row = stmt->step();
    if (!row || !*row) return std::nullopt;
    return QByteArray::fromStdString(stmt->column_text(0));
}

storage::DbStatus CatalogCache::write(const QString& key, const QByteArray& value) {
    return db_.run("INSERT INTO settings (key, value) VALUES (?, ?) "
                   "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                   key.toStdString(), value.toStdString());
}

std::optional<CachedAnswer> CatalogCache::get(const QString& request) {
    auto value = read(QStringLiteral("hf_cache:") + request);
    if (!value) return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(*value).object();
    if (!o.contains(QLatin1String("body"))) return std::nullopt;
    return CachedAnswer{o.value(QLatin1String("body")).toString().toUtf8(),
                        o.value(QLatin1String("fetched_at")).toInteger()};
}

storage::DbStatus CatalogCache::put(const QString& request, const QByteArray& body, qint64 fetched_at_ms) {
    QJsonObject o;
    o.insert(QLatin1String("fetched_at"), fetched_at_ms);
    o.insert(QLatin1String("body"), QString::fromUtf8(body));
    return write(QStringLiteral("hf_cache:") + request, QJsonDocument(o).toJson(QJsonDocument::Compact));
}

std::optional<QByteArray> CatalogCache::header_facts(const QString& file_key) {
    return read(QStringLiteral("hf_header:") + file_key);
}

storage::DbStatus CatalogCache::put_header_facts(const QString& file_key, const QByteArray& facts) {
    return write(QStringLiteral("hf_header:") + file_key, facts);
}

QStringList CatalogCache::added_repos() {
    QStringList out;
    if (auto value = read(QStringLiteral("hf_repos")))
        for (const QJsonValue& v : QJsonDocument::fromJson(*value).array()) out << v.toString();
    return out;
}

storage::DbStatus CatalogCache::add_repo(const QString& repo) {
    QStringList repos = added_repos();
    if (repos.contains(repo)) return {};
    repos << repo;
    return write(QStringLiteral("hf_repos"), QJsonDocument(QJsonArray::fromStringList(repos)).toJson(QJsonDocument::Compact));
}

}  // namespace tessera::downloads

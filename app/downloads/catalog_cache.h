// The Hub's answers kept in the database so the catalog works offline. They live in the
// existing settings table (key "hf_cache:<request path>", value {"fetched_at": ms, "body":
// "<the JSON as received>"}) rather than a table of their own: a cache needs no schema,
// and the raw body is parsed again with the same code as a fresh answer. Hand-added
// repositories are kept under "hf_repos" as a JSON list. What a catalog file's GGUF header
// says (for "will it fit" before downloading) is kept under "hf_header:<file key>", the key
// naming the file's content (its SHA-256, or its size when it has none).
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <optional>

#include "storage/database.h"

namespace tessera::downloads {

struct CachedAnswer {
    QByteArray body;
    qint64 fetched_at_ms = 0;
};

class CatalogCache {
public:
    explicit CatalogCache(storage::Database& db) : db_(db) {}

    std::optional<CachedAnswer> get(const QString& request);
    storage::DbStatus put(const QString& request, const QByteArray& body, qint64 fetched_at_ms);

    std::optional<QByteArray> header_facts(const QString& file_key);
    storage::DbStatus put_header_facts(const QString& file_key, const QByteArray& facts);

    QStringList added_repos();
    storage::DbStatus add_repo(const QString& repo);

private:
    std::optional<QByteArray> read(const QString& key);
    storage::DbStatus write(const QString& key, const QByteArray& value);

    storage::Database& db_;
};

}  // namespace tessera::downloads

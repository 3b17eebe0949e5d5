// The Hugging Face catalog: model search and file lists from the Hub API (base URL is a
// setting: the Hub, a mirror, or a test server), each answer cached in the database so
// the list still shows offline (then marked from_cache, with the network error).
#pragma once

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QUrl>
#include <functional>
#include <variant>

#include "downloads/catalog_cache.h"
#include "downloads/download_manager.h"
#include "downloads/hf_json.h"

namespace tessera::downloads {

struct SearchResult {
    QString query, author;
    QList<HfModel> models;
    bool from_cache = false;
    qint64 fetched_at_ms = 0;
    QString error;  // set when the network failed (models then come from the cache, if any)
};

struct FilesResult {
    QString repo;
    QList<HfFile> files;
    bool from_cache = false;
    qint64 fetched_at_ms = 0;
    QString error;
};

class HfCatalog : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kDefaultBaseUrl = "https://huggingface.co";

    HfCatalog(storage::Database& db, QUrl base_url = QUrl(QString::fromLatin1(kDefaultBaseUrl)),
              QObject* parent = nullptr);

    void set_base_url(const QUrl& base) { base_ = base; }
    QUrl base_url() const { return base_; }
    void set_token(const QByteArray& token) { token_ = token; }  // sent to the base URL only; empty: none
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

    void search(const QString& query, const QString& author = {});
    void list_files(const QString& repo);

    // The bundled repositories, then the ones added by hand.
    QStringList repos();
    // Refused (with the reason) unless it looks like "owner/name".
    std::optional<QString> add_repo(const QString& repo);

    // What a download of one catalog file needs (name from the last path segment, size,
    // the LFS SHA-256); the error says why the file's name is refused (D9).
    static std::variant<DownloadRequest, QString> download_request(const HfFile& file);
    // A direct URL added by hand: no expected size or hash (the hash is computed and kept).
    static std::variant<DownloadRequest, QString> download_request(const QUrl& url);

    // What a 401/403 from the Hub means for people: a gated repository, and what to do.
    static QString gated_message(int http_status, bool had_token);
    static bool is_refusal(int http_status) { return http_status == 401 || http_status == 403; }

signals:
    void searchFinished(const tessera::downloads::SearchResult& result);
    void filesListed(const tessera::downloads::FilesResult& result);

private:
    void get(const QString& path_and_query, std::function<void(QByteArray body, QString error)> done);

    CatalogCache cache_;
    QUrl base_;
    QByteArray token_;
    std::chrono::milliseconds timeout_{20000};
    QNetworkAccessManager network_;
};

}  // namespace tessera::downloads

Q_DECLARE_METATYPE(tessera::downloads::SearchResult)
Q_DECLARE_METATYPE(tessera::downloads::FilesResult)

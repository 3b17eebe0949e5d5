#include "downloads/hf_catalog.h"

#include <QDateTime>
#include <QNetworkReply>
#include <QUrlQuery>

#include "downloads/bundled_repos.h"
#include "downloads/safe_file_name.h"

namespace tessera::downloads {

HfCatalog::HfCatalog(storage::Database& db, QUrl base_url, QObject* parent)
    : QObject(parent), cache_(db), base_(std::move(base_url)) {
    qRegisterMetaType<SearchResult>();
    qRegisterMetaType<FilesResult>();
    // Renamed repositories redirect within the Hub; the token never leaves its origin.
    network_.setRedirectPolicy(QNetworkRequest::SameOriginRedirectPolicy);
}

void HfCatalog::get(const QString& path_and_query, std::function<void(QByteArray, QString)> done) {
    QUrl url = base_;
    const int q = path_and_query.indexOf(QLatin1Char('?'));
    QString base_path = url.path();
    if (base_path.endsWith(QLatin1Char('/'))) base_path.chop(1);
    url.setPath(base_path + path_and_query.left(q));
    if (q >= 0) url.setQuery(path_and_query.mid(q + 1));
    QNetworkRequest request(url);
    request.setTransferTimeout(static_cast<int>(timeout_.count()));
    request.setRawHeader("Accept", "application/json");
    if (!token_.isEmpty()) request.setRawHeader("Authorization", "Bearer " + token_);
    QNetworkReply* reply = network_.get(request);
    connect(reply, &QNetworkReply::finished, this, [reply, had_token = !token_.isEmpty(), done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (is_refusal(status)) return done({}, gated_message(status, had_token));
        if (reply->error() != QNetworkReply::NoError || status != 200) {
            done({}, status ? QStringLiteral("the Hub answered %1 %2")
                                  .arg(status)
                                  .arg(reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString())
                            : reply->errorString());
            return;
        }
        done(reply->readAll(), {});
    });
}

void HfCatalog::search(const QString& query, const QString& author) {
    QUrlQuery params;
    if (!query.isEmpty()) params.addQueryItem(QStringLiteral("search"), query);
    if (!author.isEmpty()) params.addQueryItem(QStringLiteral("author"), author);
    params.addQueryItem(QStringLiteral("filter"), QStringLiteral("gguf"));
    const QString request = QStringLiteral("/api/models?") + params.toString(QUrl::FullyEncoded);
    get(request, [this, request, query, author](QByteArray body, QString error) {
        SearchResult result{query, author, {}, false, 0, error};
        if (error.isEmpty()) {
            auto parsed = parse_model_list(body);
            if (auto* models = std::get_if<QList<HfModel>>(&parsed)) {
                result.models = *models;
                result.fetched_at_ms = QDateTime::currentMSecsSinceEpoch();
                (void)cache_.put(request, body, result.fetched_at_ms).ok();  // a cache miss later is no error
                emit searchFinished(result);
                return;
            }
            result.error = std::get<QString>(parsed);
        }
        if (auto cached = cache_.get(request)) {
            auto parsed = parse_model_list(cached->body);
            if (auto* models = std::get_if<QList<HfModel>>(&parsed)) {
                result.models = *models;
                result.from_cache = true;
                result.fetched_at_ms = cached->fetched_at_ms;
            }
        }
        emit searchFinished(result);
    });
}

void HfCatalog::list_files(const QString& repo) {
    if (!is_valid_repo_id(repo)) {
        emit filesListed(FilesResult{repo, {}, false, 0, QStringLiteral("'%1' is not a repository name like owner/name").arg(repo)});
        return;
    }
    const QString request = QStringLiteral("/api/models/%1/tree/main?recursive=true").arg(repo);
    get(request, [this, request, repo](QByteArray body, QString error) {
        FilesResult result{repo, {}, false, 0, error};
        if (error.isEmpty()) {
            auto parsed = parse_tree(body, repo, base_);
            if (auto* files = std::get_if<QList<HfFile>>(&parsed)) {
                result.files = *files;
                result.fetched_at_ms = QDateTime::currentMSecsSinceEpoch();
                (void)cache_.put(request, body, result.fetched_at_ms).ok();
                emit filesListed(result);
                return;
            }
            result.error = std::get<QString>(parsed);
        }
        if (auto cached = cache_.get(request)) {
            auto parsed = parse_tree(cached->body, repo, base_);
            if (auto* files = std::get_if<QList<HfFile>>(&parsed)) {
                result.files = *files;
                result.from_cache = true;
                result.fetched_at_ms = cached->fetched_at_ms;
            }
        }
        emit filesListed(result);
    });
}

QStringList HfCatalog::repos() {
    QStringList out = bundled_repos();
    for (const QString& repo : cache_.added_repos())
        if (!out.contains(repo)) out << repo;
    return out;
}

std::optional<QString> HfCatalog::add_repo(const QString& raw) {
    const QString repo = raw.trimmed();
    if (!is_valid_repo_id(repo)) return QStringLiteral("'%1' is not a repository name like owner/name").arg(repo);
    if (auto status = cache_.add_repo(repo); !status.ok()) return QString::fromStdString(status.error().message);
    return std::nullopt;
}

std::variant<DownloadRequest, QString> HfCatalog::download_request(const HfFile& file) {
    auto name = file_name_from_remote_path(file.path);
    if (auto* unsafe = std::get_if<UnsafeName>(&name)) return QStringLiteral("refused file name: %1").arg(unsafe->reason);
    DownloadRequest request;
    request.url = file.download_url;
    request.file_name = std::get<QString>(name);
    request.expected_size = file.size;
    request.expected_sha256 = file.sha256;
    return request;
}

QString HfCatalog::gated_message(int http_status, bool had_token) {
    if (had_token)
        return QStringLiteral("the Hub answered %1: this repository is gated and the token was refused or has no access "
                              "to it: accept its terms on huggingface.co with the account of the token, or add another token")
            .arg(http_status);
    return QStringLiteral("the Hub answered %1: this repository is gated: accept its terms on huggingface.co and add a token")
        .arg(http_status);
}

std::variant<DownloadRequest, QString> HfCatalog::download_request(const QUrl& url) {
    auto name = file_name_from_remote_path(url.path(QUrl::FullyDecoded));
    if (auto* unsafe = std::get_if<UnsafeName>(&name)) return QStringLiteral("refused file name: %1").arg(unsafe->reason);
    DownloadRequest request;
    request.url = url;
    request.file_name = std::get<QString>(name);
    return request;
}

}  // namespace tessera::downloads

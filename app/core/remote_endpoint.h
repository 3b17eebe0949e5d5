// A remote OpenAI-compatible server as the app talks to it: the base URL rules (https, or
// http only to this machine unless the user accepts that the key travels in clear), the
// requests it gets (bearer key, no redirects followed), and how a remote model is named in
// the model picker ("remote:<server id>/<model id>", beside the paths of local files).
#pragma once

#include <QNetworkRequest>
#include <QString>
#include <QUrl>
#include <filesystem>
#include <optional>

namespace tessera::app {

struct RemoteEndpoint {
    qint64 server_id = 0;
    QString server_name;
    QUrl base;        // normalized_base_url(): no trailing "/" and no "/v1"
    QString model_id;
    std::filesystem::path data_dir;  // whose secret store holds the key
    bool has_key = false;            // the key is in the secret store under secret_name(server_id)
    int first_byte_timeout_ms = 60000;
    int idle_timeout_ms = 30000;
};

// Why `text` cannot be a server's base URL ("" when it can). Plain http is refused for any
// host but this machine unless allow_plain_http (the user accepted the risk).
QString base_url_problem(const QString& text, bool allow_plain_http);
// http to another machine: the form asks before it allows it.
bool needs_plain_http_consent(const QString& text);
// "https://h:8000/v1/" -> "https://h:8000"; empty when the URL is unusable.
QUrl normalized_base_url(const QString& text);
bool is_loopback_host(const QString& host);

// base + "/v1/" + path.
QUrl api_url(const QUrl& base, const QString& path);
// A request to the API: JSON, the bearer key when there is one, redirects not followed (a
// redirect would carry the key elsewhere); TLS verified as Qt always does.
QNetworkRequest api_request(const QUrl& url, const QString& key);

// Where a server's key is kept in the secret store.
std::string secret_name(qint64 server_id);

QString remote_model_uri(qint64 server_id, const QString& model_id);
struct RemoteModelRef {
    qint64 server_id = 0;
    QString model_id;
};
std::optional<RemoteModelRef> parse_remote_model_uri(const QString& uri);

}  // namespace tessera::app

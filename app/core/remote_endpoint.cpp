#include "remote_endpoint.h"

#include <QCoreApplication>
#include <QHostAddress>

namespace tessera::app {
namespace {

const QString kUriPrefix = QStringLiteral("remote:");

QString tr(const char* text) { return QCoreApplication::translate("RemoteServers", text); }

}  // namespace

bool is_loopback_host(const QString& host) {
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0) return true;
    QHostAddress address;
    return address.setAddress(host) && address.isLoopback();
}

QUrl normalized_base_url(const QString& text) {
    QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty()) return {};
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/'))) path.chop(1);
    if (path.endsWith(QLatin1String("/v1"))) path.chop(3);
    url.setPath(path);
    return url;
}

QString base_url_problem(const QString& text, bool allow_plain_http) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return tr("Enter the server's address, like https://gpu-box:8000.");
    const QUrl url(trimmed, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return tr("The address must start with https:// (or http:// for this machine).");
    if (url.host().isEmpty()) return tr("The address has no host name.");
    if (url.hasQuery() || url.hasFragment()) return tr("The address must not have a query or a fragment (? or #).");
    if (!url.userName().isEmpty()) return tr("Put the API key in its own field, not in the address.");
    if (scheme == QLatin1String("http") && !allow_plain_http && !is_loopback_host(url.host()))
        return tr("Plain http to another machine sends the API key and the chat unencrypted: use https, "
                  "or confirm that you accept this.");
    return {};
}

bool needs_plain_http_consent(const QString& text) {
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    return url.isValid() && url.scheme().toLower() == QLatin1String("http") && !url.host().isEmpty() &&
           !is_loopback_host(url.host());
}

QUrl api_url(const QUrl& base, const QString& path) {
    QUrl url = base;
    url.setPath(base.path() + QStringLiteral("/v1/") + path);
    return url;
}

QNetworkRequest api_request(const QUrl& url, const QString& key) {
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", "application/json, text/event-stream");
    if (!key.isEmpty()) request.setRawHeader("Authorization", "Bearer " + key.toUtf8());
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    return request;
}

std::string secret_name(qint64 server_id) { return "remote-server/" + std::to_string(server_id); }

QString remote_model_uri(qint64 server_id, const QString& model_id) {
    return kUriPrefix + QString::number(server_id) + QLatin1Char('/') + model_id;
}

std::optional<RemoteModelRef> parse_remote_model_uri(const QString& uri) {
    if (!uri.startsWith(kUriPrefix)) return std::nullopt;
    const qsizetype slash = uri.indexOf(QLatin1Char('/'), kUriPrefix.size());
    if (slash < 0) return std::nullopt;
    bool ok = false;
    const qint64 id = uri.mid(kUriPrefix.size(), slash - kUriPrefix.size()).toLongLong(&ok);
    const QString model = uri.mid(slash + 1);
    if (!ok || id <= 0 || model.isEmpty()) return std::nullopt;
    return RemoteModelRef{id, model};
}

}  // namespace tessera::app

#include "remote_errors.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>

namespace tessera::app {
namespace {

QString tr(const char* text) { return QCoreApplication::translate("RemoteServers", text); }

QString where(const QUrl& url) {
    return url.port() > 0 ? QStringLiteral("%1:%2").arg(url.host()).arg(url.port()) : url.host();
}

// A server's own words, kept to a line: a page of HTML is not a message.
QString shorten(QString text) {
    text = text.simplified();
    return text.size() > 300 ? text.left(299) + QChar(0x2026) : text;
}

}  // namespace

QString openai_error_message(const QByteArray& json) {
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject()) return {};
    const QJsonValue error = doc.object().value(QLatin1String("error"));
    if (error.isObject()) return shorten(error.toObject().value(QLatin1String("message")).toString());
    if (error.isString()) return shorten(error.toString());  // llama.cpp's older servers
    return {};
}

QString describe_http_status(int status, const QByteArray& body) {
    const QString message = openai_error_message(body);
    if (status == 401 || status == 403)
        return tr("The server refused the API key (HTTP %1%2): check the key in the server's settings.")
            .arg(status)
            .arg(message.isEmpty() ? QString() : QStringLiteral(": ") + message);
    if (status == 429)
        return tr("The server is busy (HTTP 429): %1").arg(message.isEmpty() ? tr("too many requests; try again later.") : message);
    if (status == 404 && message.isEmpty())
        return tr("The server has no OpenAI-compatible API at this address (HTTP 404): check the address.");
    if (status >= 300 && status < 400)
        return tr("The server redirected the request (HTTP %1); enter the address it redirects to instead.").arg(status);
    if (!message.isEmpty()) return tr("The server answered with an error (HTTP %1): %2").arg(status).arg(message);
    return tr("The server answered with an error (HTTP %1) and no explanation.").arg(status);
}

QString describe_network_error(const QNetworkReply& reply) {
    const QUrl url = reply.url();
    switch (reply.error()) {
        case QNetworkReply::ConnectionRefusedError:
            return tr("The server at %1 refused the connection: is it running, and is the port right?").arg(where(url));
        case QNetworkReply::HostNotFoundError:
            return tr("The server %1 was not found: check the address.").arg(url.host());
        case QNetworkReply::RemoteHostClosedError:
            return tr("The server at %1 closed the connection.").arg(where(url));
        case QNetworkReply::TimeoutError:
            return tr("The connection to %1 timed out.").arg(where(url));
        case QNetworkReply::SslHandshakeFailedError:
            return tr("The secure connection to %1 could not be verified (%2); Tessera only talks to servers whose "
                      "certificate is valid.")
                .arg(where(url), reply.errorString());
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::TemporaryNetworkFailureError:
        case QNetworkReply::UnknownNetworkError:
            return tr("The network is not reachable (%1).").arg(reply.errorString());
        default:
            return tr("Talking to %1 failed: %2").arg(where(url), reply.errorString());
    }
}

QString describe_failed_reply(const QNetworkReply& reply, const QByteArray& body) {
    const int status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300) return describe_http_status(status, body);
    return describe_network_error(reply);
}

}  // namespace tessera::app

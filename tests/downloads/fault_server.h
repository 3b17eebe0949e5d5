// A small HTTP/1.1 server on loopback for what nginx will not do on purpose: drop the
// connection mid-body, stall, ignore Range, answer 416, change the ETag, send HTML,
// redirect (across hosts, in loops, to other schemes). One request per connection
// ("Connection: close"); each response is built by the test's handler and every request
// is recorded for assertions. Listens on 127.0.0.1 and, where there is IPv6, on ::1 at the
// same port, so "localhost" reaches it too (a second host name for cross-host redirects).
// listen_tls() serves https with a given (self-signed) certificate.
#pragma once

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QTcpServer>
#include <QUrl>
#include <functional>
#include <memory>
#include <utility>

namespace tessera::downloads::testing {

struct HttpRequest {
    QByteArray method, target;         // target: path and query as sent
    QMap<QByteArray, QByteArray> headers;  // names lowercased
    QByteArray header(const QByteArray& name) const { return headers.value(name.toLower()); }
};

struct HttpResponse {
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 content_length = -1;   // announced length; body.size() when -1
    qint64 drop_after = -1;       // close the connection after this many body bytes
    qint64 stall_after = -1;      // stop sending (connection left open) after this many
    int chunk_bytes = 256 << 10;  // body written in chunks of this size ...
    int chunk_interval_ms = 0;    // ... this far apart (paced, for kill and D10 tests)

    HttpResponse& header(QByteArray name, QByteArray value) {
        headers.append({std::move(name), std::move(value)});
        return *this;
    }
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// How fast a body goes out: chunks of `bytes`, `interval_ms` apart (0: as fast as it can),
// so a download lasts long enough to be paused, killed or shown mid-way.
struct Pace {
    int bytes = 256 << 10;
    int interval_ms = 0;
};

// A file served the way a correct server does: 200, or 206 for "Range: bytes=N-" (unless
// If-Range names another ETag), 416 past the end; with ETag and Content-Range.
HttpResponse serve_file(const HttpRequest& request, const QByteArray& data, const QByteArray& etag, Pace pace = {});

class FaultServer : public QObject {
    Q_OBJECT
public:
    explicit FaultServer(Handler handler, QObject* parent = nullptr);
    ~FaultServer() override;

    bool listen();
    // TLS with this certificate and key (PEM files): every connection is https.
    bool listen_tls(const QString& certificate_pem, const QString& key_pem);
    quint16 port() const;
    QUrl url(const QString& path, const QString& host = QStringLiteral("127.0.0.1")) const;
    void set_handler(Handler handler) { handler_ = std::move(handler); }
    const QList<HttpRequest>& requests() const { return requests_; }
    QList<int> statuses() const { return statuses_; }
    // Body bytes handed to the sockets so far, over all connections.
    qint64 body_bytes_sent() const;

private:
    struct Connection;
    void accept(QTcpServer* server);

    Handler handler_;
    std::unique_ptr<QTcpServer> v4_, v6_;
    QList<HttpRequest> requests_;
    QList<int> statuses_;
    std::vector<std::unique_ptr<Connection>> connections_;
};

}  // namespace tessera::downloads::testing

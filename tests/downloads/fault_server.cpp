#include "fault_server.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTimer>

namespace tessera::downloads::testing {

HttpResponse serve_file(const HttpRequest& request, const QByteArray& data, const QByteArray& etag, Pace pace) {
    HttpResponse r;
    r.chunk_bytes = pace.bytes;
    r.chunk_interval_ms = pace.interval_ms;
    r.header("ETag", etag).header("Content-Type", "application/octet-stream").header("Accept-Ranges", "bytes");
    const QByteArray range = request.header("Range");
    const QByteArray if_range = request.header("If-Range");
    const bool range_applies = range.startsWith("bytes=") && (if_range.isEmpty() || if_range == etag);
    if (!range_applies) {
        r.body = data;
        return r;
    }
    const qint64 dash = range.indexOf('-');
    const qint64 from = range.mid(6, dash - 6).toLongLong();
    if (from >= data.size()) {
        r.status = 416;
        r.header("Content-Range", "bytes */" + QByteArray::number(data.size()));
        return r;
    }
    // "bytes=N-" to the end, or "bytes=N-M" (clipped to the file, as nginx does).
    const QByteArray end_text = range.mid(dash + 1).trimmed();
    const qint64 last = end_text.isEmpty() ? data.size() - 1 : std::min<qint64>(end_text.toLongLong(), data.size() - 1);
    r.status = 206;
    r.header("Content-Range", "bytes " + QByteArray::number(from) + "-" + QByteArray::number(last) + "/" +
                                  QByteArray::number(data.size()));
    r.body = data.mid(from, last - from + 1);
    return r;
}

namespace {

// Wraps each accepted connection in a server-side QSslSocket.
class TlsServer : public QTcpServer {
public:
    TlsServer(QSslCertificate certificate, QSslKey key) : certificate_(std::move(certificate)), key_(std::move(key)) {}

protected:
    void incomingConnection(qintptr descriptor) override {
        auto* socket = new QSslSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setLocalCertificate(certificate_);
        socket->setPrivateKey(key_);
        socket->startServerEncryption();
        addPendingConnection(socket);
    }

private:
    QSslCertificate certificate_;
    QSslKey key_;
};

QByteArray reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 307: return "Temporary Redirect";
        case 404: return "Not Found";
        case 416: return "Range Not Satisfiable";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

}  // namespace

struct FaultServer::Connection {
    QTcpSocket* socket = nullptr;
    QByteArray in;
    HttpResponse response;
    qint64 sent = 0;
    QTimer timer;
    bool responding = false;
};

FaultServer::FaultServer(Handler handler, QObject* parent) : QObject(parent), handler_(std::move(handler)) {}

FaultServer::~FaultServer() {
    for (auto& c : connections_) {
        c->timer.stop();
        if (c->socket) c->socket->abort();
    }
}

bool FaultServer::listen() {
    if (!v4_) v4_ = std::make_unique<QTcpServer>();
    if (!v6_) v6_ = std::make_unique<QTcpServer>();
    if (!v4_->listen(QHostAddress::LocalHost, 0)) return false;
    v6_->listen(QHostAddress::LocalHostIPv6, v4_->serverPort());  // optional: no IPv6, no ::1
    connect(v4_.get(), &QTcpServer::newConnection, this, [this] { accept(v4_.get()); });
    connect(v6_.get(), &QTcpServer::newConnection, this, [this] { accept(v6_.get()); });
    return true;
}

bool FaultServer::listen_tls(const QString& certificate_pem, const QString& key_pem) {
    QFile cert_file(certificate_pem), key_file(key_pem);
    if (!cert_file.open(QIODevice::ReadOnly) || !key_file.open(QIODevice::ReadOnly)) return false;
    const QSslCertificate certificate(cert_file.readAll(), QSsl::Pem);
    const QSslKey key(key_file.readAll(), QSsl::Rsa, QSsl::Pem);
    if (certificate.isNull() || key.isNull()) return false;
    v4_ = std::make_unique<TlsServer>(certificate, key);
    v6_ = std::make_unique<TlsServer>(certificate, key);
    return listen();
}

quint16 FaultServer::port() const { return v4_ ? v4_->serverPort() : 0; }

qint64 FaultServer::body_bytes_sent() const {
    qint64 total = 0;
    for (const auto& c : connections_) total += c->sent;
    return total;
}

QUrl FaultServer::url(const QString& path, const QString& host) const {
    const bool tls = dynamic_cast<TlsServer*>(v4_.get()) != nullptr;
    return QUrl(QStringLiteral("%1://%2:%3%4").arg(tls ? QStringLiteral("https") : QStringLiteral("http"), host).arg(port()).arg(path));
}

void FaultServer::accept(QTcpServer* server) {
    while (QTcpSocket* socket = server->nextPendingConnection()) {
        auto owned = std::make_unique<Connection>();
        Connection* c = owned.get();
        c->socket = socket;
        connections_.push_back(std::move(owned));
        connect(socket, &QTcpSocket::readyRead, this, [this, c] {
            if (c->responding) return;
            c->in += c->socket->readAll();
            const int end = c->in.indexOf("\r\n\r\n");
            if (end < 0) return;
            HttpRequest request;
            const QList<QByteArray> lines = c->in.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            request.method = first.value(0);
            request.target = first.value(1);
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const int colon = lines[i].indexOf(':');
                if (colon > 0) request.headers.insert(lines[i].left(colon).trimmed().toLower(), lines[i].mid(colon + 1).trimmed());
            }
            requests_.append(request);
            c->response = handler_(request);
            statuses_.append(c->response.status);
            c->responding = true;
            HttpResponse& r = c->response;
            const qint64 length = r.content_length >= 0 ? r.content_length : r.body.size();
            QByteArray head = "HTTP/1.1 " + QByteArray::number(r.status) + " " + reason(r.status) + "\r\n";
            for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
            head += "Content-Length: " + QByteArray::number(length) + "\r\nConnection: close\r\n\r\n";
            c->socket->write(head);
            if (request.method == "HEAD") r.body.clear();
            c->timer.setInterval(r.chunk_interval_ms);
            c->timer.start();
        });
        connect(&c->timer, &QTimer::timeout, this, [c] {
            HttpResponse& r = c->response;
            if (!c->socket || c->socket->state() != QAbstractSocket::ConnectedState) return c->timer.stop();
            if (c->socket->bytesToWrite() > 4 * r.chunk_bytes) return;  // let the client read
            qint64 limit = r.body.size();
            if (r.drop_after >= 0) limit = std::min(limit, r.drop_after);
            if (r.stall_after >= 0) limit = std::min(limit, r.stall_after);
            const qint64 n = std::min<qint64>(r.chunk_bytes, limit - c->sent);
            if (n > 0) {
                c->socket->write(r.body.constData() + c->sent, n);
                c->sent += n;
                return;
            }
            c->timer.stop();
            if (r.stall_after >= 0 && c->sent >= r.stall_after) return;  // leave it hanging
            c->socket->disconnectFromHost();                              // after the buffer drains
        });
    }
}

}  // namespace tessera::downloads::testing

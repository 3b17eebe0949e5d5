#include "remote_test_servers.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QRegularExpression>

#include "app_fixture.h"

namespace tessera::app::testing {

CliServer::~CliServer() { kill(); }

bool CliServer::start(const QString& token) {
    process_.setProgram(QStringLiteral(TESSERA_CLI));
    process_.setArguments({QStringLiteral("serve"), QStringLiteral("-m"), bundled_model(), QStringLiteral("--host"),
                           QStringLiteral("127.0.0.1"), QStringLiteral("--port"), QStringLiteral("0"),
                           QStringLiteral("--token"), token, QStringLiteral("-t"), QStringLiteral("1")});
    process_.setProcessChannelMode(QProcess::SeparateChannels);
    process_.start();
    if (!process_.waitForStarted(30000)) {
        qWarning("tessera-cli serve did not start: %s", qPrintable(process_.errorString()));
        return false;
    }
    // It prints "listening on http://127.0.0.1:PORT" once it accepts connections.
    static const QRegularExpression listening(QStringLiteral("^listening on http://127\\.0\\.0\\.1:(\\d+)$"),
                                              QRegularExpression::MultilineOption);
    QByteArray out;
    const QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && process_.state() == QProcess::Running) {
        process_.waitForReadyRead(1000);
        out += process_.readAllStandardOutput();
        if (const auto match = listening.match(QString::fromUtf8(out)); match.hasMatch()) {
            port_ = static_cast<quint16>(match.captured(1).toUInt());
            return true;
        }
    }
    qWarning("tessera-cli serve did not say where it listens: %s %s", out.constData(),
             process_.readAllStandardError().constData());
    return false;
}

void CliServer::kill() {
    if (process_.state() == QProcess::NotRunning) return;
    process_.kill();
    process_.waitForFinished(30000);
}

QString CliServer::model_id() const { return QFileInfo(bundled_model()).completeBaseName(); }

SlowRelay::SlowRelay(quint16 upstream_port, int bytes, int interval_ms)
    : upstream_port_(upstream_port), bytes_(bytes) {
    connect(&server_, &QTcpServer::newConnection, this, &SlowRelay::accept);
    timer_.setInterval(interval_ms);
    connect(&timer_, &QTimer::timeout, this, [this] {
        for (auto& link : links_) pump(*link);
    });
    timer_.start();
}

SlowRelay::~SlowRelay() {
    for (auto& link : links_) {
        link->client->disconnect(this);
        link->upstream->disconnect(this);
    }
}

bool SlowRelay::listen() { return server_.listen(QHostAddress::LocalHost, 0); }

void SlowRelay::accept() {
    while (QTcpSocket* socket = server_.nextPendingConnection()) {
        auto owned = std::make_unique<Link>();
        Link* link = owned.get();
        link->client.reset(socket);
        socket->setParent(nullptr);
        link->upstream = std::make_unique<QTcpSocket>();
        link->upstream->connectToHost(QHostAddress::LocalHost, upstream_port_);
        links_.push_back(std::move(owned));
        // The request goes on at once. Its Host names the relay's port, which the server
        // refuses (DNS-rebinding guard): it is given the server's own.
        const QByteArray relay_host = "127.0.0.1:" + QByteArray::number(server_.serverPort());
        const QByteArray server_host = "127.0.0.1:" + QByteArray::number(upstream_port_);
        connect(socket, &QTcpSocket::readyRead, this, [link, relay_host, server_host] {
            QByteArray bytes = link->client->readAll();
            bytes.replace("Host: " + relay_host, "Host: " + server_host);
            link->upstream->write(bytes);
        });
        connect(link->upstream.get(), &QTcpSocket::readyRead, this,
                [link] { link->pending += link->upstream->readAll(); });
        connect(link->upstream.get(), &QTcpSocket::errorOccurred, this, [link](QAbstractSocket::SocketError error) {
            if (error == QAbstractSocket::ConnectionRefusedError) link->client->abort();  // no server there
        });
        connect(link->upstream.get(), &QTcpSocket::disconnected, this, [this, link] {
            link->upstream_closed = true;
            pump(*link);
        });
    }
}

void SlowRelay::pump(Link& link) {
    if (!link.client || link.client->state() != QAbstractSocket::ConnectedState) return;
    if (held_) {
        if (link.upstream_closed) link.client->abort();  // the server is gone: so is the rest
        return;
    }
    if (!link.pending.isEmpty()) {
        link.client->write(link.pending.left(bytes_));
        link.pending.remove(0, bytes_);
    } else if (link.upstream_closed) {
        link.client->disconnectFromHost();
    }
}

}  // namespace tessera::app::testing

#include "remote_test_servers.h"

#include <QDeadlineTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSignalSpy>

#include "app_fixture.h"
#include "remote_endpoint.h"

namespace tessera::app::testing {

bool use_remote(ChatController& controller, const QString& url, const QString& key, const QString& model,
                int first_byte_s, int idle_s) {
    const qint64 id = controller.remoteServers()->save(0, QStringLiteral("test server"), url, key, false, false,
                                                       first_byte_s, idle_s, {model});
    if (id <= 0) {
        qWarning("the server was not saved: %s", qPrintable(controller.remoteServers()->errorText()));
        return false;
    }
    const int row = controller.models()->rowOfPath(remote_model_uri(id, model));
    if (row < 0) {
        qWarning("the server's model is not in the picker's list");
        return false;
    }
    return controller.loadModel(controller.models()->use(row));
}

bool run_connection_test(RemoteServers& servers, const QString& url, const QString& key, int timeout_s) {
    QSignalSpy changed(&servers, &RemoteServers::testChanged);
    servers.testConnection(url, key, false, 0, timeout_s);
    while (servers.testing())
        if (!changed.wait(kWaitMs)) return false;
    return servers.testPassed();
}

QString closed_port_url() {
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0)) return {};
    const quint16 port = probe.serverPort();
    probe.close();
    return QStringLiteral("http://127.0.0.1:%1").arg(port);
}

QVariant last_row(MessageListModel* model, int role) { return model->data(model->index(model->rowCount() - 1), role); }

QByteArray sse_reply(const QStringList& pieces, bool done) {
    QByteArray body;
    for (const QString& piece : pieces)
        body += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece.toUtf8() +
                "\"},\"finish_reason\":null}]}\n\n";
    if (!done) return body;
    body += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    body += "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" +
            QByteArray::number(pieces.size()) + ",\"total_tokens\":" + QByteArray::number(7 + pieces.size()) + "}}\n\n";
    body += "data: [DONE]\n\n";
    return body;
}

downloads::testing::HttpResponse event_stream(QByteArray body) {
    downloads::testing::HttpResponse r;
    r.header("Content-Type", "text/event-stream");
    r.body = std::move(body);
    return r;
}

downloads::testing::HttpResponse json_answer(int status, QByteArray body) {
    downloads::testing::HttpResponse r;
    r.status = status;
    r.header("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

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

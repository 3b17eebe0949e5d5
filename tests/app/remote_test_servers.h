// Servers for the remote-model tests, all on loopback:
//   CliServer: `tessera-cli serve` on the bundled model in a child process (the remote server,
//     as a user would run one), killed with SIGKILL when a test says so.
//   SlowRelay: a TCP relay in front of it that hands the server's answer on a few bytes at a
//     time (a slow network), so a test can act in the middle of a reply of the tiny bundled
//     model, which the server writes in a millisecond; hold() stops handing on.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <memory>
#include <vector>

namespace tessera::app::testing {

class CliServer {
public:
    ~CliServer();
    // Starts the server with this token; false (with a warning saying why) when it did not.
    bool start(const QString& token);
    void kill();  // SIGKILL, and waits for the process to end
    quint16 port() const { return port_; }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(port_); }
    QString model_id() const;  // what /v1/models lists: the model file's stem

private:
    QProcess process_;
    quint16 port_ = 0;
};

class SlowRelay : public QObject {
    Q_OBJECT
public:
    // Hands on `bytes` of the answer every `interval_ms`.
    SlowRelay(quint16 upstream_port, int bytes, int interval_ms);
    ~SlowRelay() override;
    bool listen();
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(server_.serverPort()); }
    // Nothing more is handed on; when the server's side closes, the client's is cut.
    void hold() { held_ = true; }

private:
    struct Link {
        std::unique_ptr<QTcpSocket> client, upstream;
        QByteArray pending;  // the answer not handed on yet
        bool upstream_closed = false;
    };
    void accept();
    void pump(Link& link);

    QTcpServer server_;
    quint16 upstream_port_;
    int bytes_;
    QTimer timer_;
    bool held_ = false;
    std::vector<std::unique_ptr<Link>> links_;
};

}  // namespace tessera::app::testing

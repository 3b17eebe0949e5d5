// Servers and helpers for the remote-model tests (remote_chat_test, remote_faults_test), all
// on loopback:
//   CliServer: `tessera-cli serve` on the bundled model in a child process (the remote server,
//     as a user would run one), killed with SIGKILL when a test says so.
//   SlowRelay: a TCP relay in front of it that hands the server's answer on a few bytes at a
//     time (a slow network), so a test can act in the middle of a reply of the tiny bundled
//     model, which the server writes in a millisecond; hold() stops handing on.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QStringList>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <memory>
#include <vector>

#include "chat_controller.h"
#include "fault_server.h"

namespace tessera::app::testing {

inline const QString kToken = QStringLiteral("remote-test-token-0123456789");  // tessera-cli wants 16+
inline constexpr int kWaitMs = 120000;  // a bound for something stuck, not a performance limit

// Saves a server with this address and key, and chooses its model in the picker; false
// (with a warning saying why) when either was refused.
bool use_remote(ChatController& controller, const QString& url, const QString& key, const QString& model,
                int first_byte_s = 60, int idle_s = 30);
// Runs the models page's connection test to its end: whether it passed (its message says
// why not).
bool run_connection_test(RemoteServers& servers, const QString& url, const QString& key, int timeout_s = 60);
// An address where nothing listens (a port that was free a moment ago).
QString closed_port_url();
// The last row of the shown conversation.
QVariant last_row(MessageListModel* model, int role);

// An SSE body of chat chunks, one per piece; then, when done, finish, usage (7 prompt
// tokens, one per piece) and [DONE].
QByteArray sse_reply(const QStringList& pieces, bool done = true);
downloads::testing::HttpResponse event_stream(QByteArray body);
downloads::testing::HttpResponse json_answer(int status, QByteArray body);

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

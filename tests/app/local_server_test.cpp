// The local API server inside the app, on the real engine and the bundled model: off by
// default, turned on it serves the loaded model on loopback with the install's token
// (regenerated: the old token is refused at once); it shares the model with the chat (a
// chat reply in progress makes it answer 429, a request in progress makes the chat refuse,
// and neither's cached prefix survives the other's turn); it stops cleanly (port freed,
// a client mid-stream cut off) when turned off, on a model reload and when the app quits;
// a taken port is a clear error; the settings are kept across a restart.
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app_fixture.h"
#include "support/gated_evaluator.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;
using nlohmann::json;
using Slot = tessera::server::EvaluatorSlot;

namespace {

constexpr int kWaitMs = 120000;  // a bound for a stuck engine or server, not a performance limit

std::unique_ptr<httplib::Client> client(int port, const QString& token) {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    if (!token.isEmpty()) c->set_bearer_token_auth(token.toStdString());
    c->set_read_timeout(std::chrono::seconds(60));
    return c;
}

std::string chat_body(const std::string& text, int max_tokens, bool stream = false) {
    return json{{"messages", json::array({{{"role", "user"}, {"content", text}}})},
                {"max_tokens", max_tokens},
                {"temperature", 0},
                {"stream", stream}}
        .dump();
}

// The reply's text, or "" (with a warning) when the request did not succeed.
std::string chat_reply(int port, const QString& token, const std::string& text) {
    auto res = client(port, token)->Post("/v1/chat/completions", chat_body(text, 24), "application/json");
    if (!res || res->status != 200) {
        qWarning("chat completion: %s", res ? res->body.c_str() : httplib::to_string(res.error()).c_str());
        return {};
    }
    return json::parse(res->body)["choices"][0]["message"]["content"].get<std::string>();
}

// A streamed chat request on a raw socket, read up to its first event (the assistant's
// role, sent once the request holds the model); the rest only when the test asks.
class StreamingClient {
public:
    StreamingClient(int port, const QString& token) {
        sock_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(sock_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return;
        const std::string body = chat_body("Once upon a time", 64, true);
        const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                                    "\r\nAuthorization: Bearer " + token.toStdString() +
                                    "\r\nContent-Type: application/json\r\nContent-Length: " +
                                    std::to_string(body.size()) + "\r\n\r\n" + body;
        if (::send(sock_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) return;
        timeval tv{60, 0};
        ::setsockopt(sock_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        while (received_.find("data: ") == std::string::npos)
            if (!receive()) return;
        started_ = received_.find(" 200 ") != std::string::npos;
    }
    ~StreamingClient() { hang_up(); }

    bool started() const { return started_; }
    // Reads the rest until the server closes the connection; whether it did (within a minute).
    bool closed_by_server() {
        while (receive()) {
        }
        return eof_;
    }
    bool finished_normally() const { return received_.find("data: [DONE]") != std::string::npos; }
    void hang_up() {
        if (sock_ >= 0) ::close(sock_);
        sock_ = -1;
    }

private:
    bool receive() {
        char buf[512];
        const ssize_t n = ::recv(sock_, buf, sizeof(buf), 0);
        if (n <= 0) {
            eof_ = n == 0 || errno == ECONNRESET;
            return false;
        }
        received_.append(buf, static_cast<size_t>(n));
        return true;
    }

    int sock_ = -1;
    std::string received_;
    bool started_ = false;
    bool eof_ = false;
};

// Whether a connection to 127.0.0.1:port is accepted (something listens there).
bool accepts_connections(int port) {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool accepted = ::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(sock);
    return accepted;
}

// The server's generations go through a gate the test holds (the real evaluator behind
// it, end-of-text impossible): "a request in progress" is a state, not a race with a fast
// model. Set before the server starts; each start makes a new gate, closed.
class ServerGate {
public:
    explicit ServerGate(LocalServer& server) {
        server.setEvaluatorWrapper([this](Evaluator& loaded, const Tokenizer& tokenizer) {
            auto gate = std::make_unique<test::GatedEvaluator>(loaded, tokenizer);
            gate->close_gate();
            gate_ = gate.get();
            return gate;
        });
    }
    test::GatedEvaluator* operator->() const { return gate_; }
    // A held generation goes on once the server stops listening on `port` (it is stopping),
    // as a real one would go on to its next token, where it sees the stop.
    void releaseWhenStopped(int port) {
        gate_->release_when([port] { return !accepts_connections(port); });
    }

private:
    test::GatedEvaluator* gate_ = nullptr;  // owned by the server
};

// Whether something else can listen on 127.0.0.1:port and [::1]:port now.
bool port_is_free(int port) {
    for (const auto& address : {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)}) {
        QTcpServer probe;
        if (!probe.listen(address, static_cast<quint16>(port))) return false;
    }
    return true;
}

bool wait_until_running(LocalServer& server) {
    if (server.running()) return true;
    QSignalSpy changed(&server, &LocalServer::stateChanged);
    while (!server.running() && server.errorText().isEmpty())
        if (!changed.wait(kWaitMs)) break;
    if (!server.running()) qWarning("the local server did not start: %s", qPrintable(server.errorText()));
    return server.running();
}

// Turns the server on at any free port; waits until it listens.
bool serve(AppFixture& app) {
    AppSettings& settings = *app.controller().settings();
    settings.setServerPort(0);
    settings.setServerEnabled(true);
    return wait_until_running(*app.controller().localServer());
}

// Opens the app with the bundled model and turns the server on.
bool open_serving(AppFixture& app) { return app.open() && serve(app); }

}  // namespace

class LocalServerTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(dir_.isValid()); }

    void offByDefaultWithATokenForEachInstall() {
        AppFixture first(dir_.path() + QStringLiteral("/first"));
        QVERIFY(first.open());
        AppFixture second(dir_.path() + QStringLiteral("/second"));
        QVERIFY(second.open(false));
        const AppSettings& settings = *first.controller().settings();
        QVERIFY(!settings.serverEnabled());
        QCOMPARE(settings.serverPort(), AppSettings::kDefaultServerPort);
        QVERIFY(!first.controller().localServer()->running());
        QCOMPARE(first.controller().localServer()->statusText(), QStringLiteral("Off."));
        QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(settings.serverToken()).hasMatch());
        QVERIFY(settings.serverToken() != second.controller().settings()->serverToken());
    }

    void servesTheLoadedModelWithTheToken() {
        AppFixture app(dir_.path() + QStringLiteral("/serves"));
        QVERIFY(open_serving(app));
        LocalServer& server = *app.controller().localServer();
        const int port = server.port();
        QVERIFY(port > 0);
        QCOMPARE(server.addresses(), (QStringList{QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("[::1]:%1").arg(port)}));
        QCOMPARE(server.url(), QStringLiteral("http://127.0.0.1:%1/v1").arg(port));
        QVERIFY2(server.statusText().contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(server.statusText()));
        const QString token = app.controller().settings()->serverToken();

        auto models = client(port, token)->Get("/v1/models");
        QVERIFY(models);
        QCOMPARE(models->status, 200);
        QCOMPARE(QString::fromStdString(json::parse(models->body)["data"][0]["id"].get<std::string>()),
                 app.engine().modelName());

        auto chat = client(port, token)->Post("/v1/chat/completions", chat_body("Hello", 16), "application/json");
        QVERIFY(chat);
        QCOMPARE(chat->status, 200);
        const json body = json::parse(chat->body);
        QVERIFY(!body["choices"][0]["message"]["content"].get<std::string>().empty());
        QCOMPARE(body["usage"]["completion_tokens"].get<int>() + body["usage"]["prompt_tokens"].get<int>(),
                 body["usage"]["total_tokens"].get<int>());

        auto anonymous = client(port, {})->Get("/v1/models");
        QVERIFY(anonymous);
        QCOMPARE(anonymous->status, 401);
    }

    void aRegeneratedTokenReplacesTheOldOneAtOnce() {
        AppFixture app(dir_.path() + QStringLiteral("/regenerate"));
        QVERIFY(open_serving(app));
        AppSettings& settings = *app.controller().settings();
        const int port = app.controller().localServer()->port();
        const QString old_token = settings.serverToken();
        QCOMPARE(client(port, old_token)->Get("/v1/models")->status, 200);
        QSignalSpy changed(&settings, &AppSettings::serverTokenChanged);
        settings.regenerateServerToken();
        QCOMPARE(changed.count(), 1);
        QVERIFY(settings.serverToken() != old_token);
        QCOMPARE(app.controller().localServer()->port(), port);  // the same server, not restarted
        auto refused = client(port, old_token)->Get("/v1/models");
        QVERIFY(refused);
        QCOMPARE(refused->status, 401);
        QCOMPARE(client(port, settings.serverToken())->Get("/v1/models")->status, 200);
    }

    void aChatReplyInProgressMakesTheServerAnswer429() {
        AppFixture app(dir_.path() + QStringLiteral("/chat-busy"));
        QVERIFY(open_serving(app));
        const int port = app.controller().localServer()->port();
        const QString token = app.controller().settings()->serverToken();
        QVERIFY(app.controller().send(QStringLiteral("Hello")));
        // The chat holds the model until its end reaches this (GUI) thread, which this
        // blocking request keeps busy: a reply in progress, whatever the engine's speed.
        auto busy = client(port, token)->Post("/v1/chat/completions", chat_body("Hi", 4), "application/json");
        QVERIFY(busy);
        QCOMPARE(busy->status, 429);
        const json error = json::parse(busy->body)["error"];
        QCOMPARE(error["type"].get<std::string>(), std::string("rate_limit_error"));
        QVERIFY2(error["message"].get<std::string>().find("chat") != std::string::npos, busy->body.c_str());
        QVERIFY(app.wait_for_reply());
        QCOMPARE(client(port, token)->Post("/v1/chat/completions", chat_body("Hi", 4), "application/json")->status, 200);
    }

    void aServerRequestInProgressMakesTheChatRefuse() {
        AppFixture app(dir_.path() + QStringLiteral("/server-busy"));
        QVERIFY(app.open());
        ChatController& chat = app.controller();
        ServerGate gate(*chat.localServer());
        QVERIFY(serve(app));
        StreamingClient stream(chat.localServer()->port(), chat.settings()->serverToken());
        QVERIFY(stream.started());
        QVERIFY(gate->wait_until_held());  // the request's generation is under way
        QCOMPARE(app.engine().evaluatorSlot()->holder(), Slot::User::kServer);
        QVERIFY(!chat.send(QStringLiteral("Hello")));
        QVERIFY2(chat.errorText().contains(QStringLiteral("local server is answering a request")),
                 qPrintable(chat.errorText()));
        QCOMPARE(chat.conversationId(), 0);  // nothing was stored for the refused message
        QVERIFY(!chat.generating());

        gate->open_gate();
        QVERIFY(stream.closed_by_server());
        QVERIFY(stream.finished_normally());  // the request was not disturbed by the refusal
        QTRY_VERIFY_WITH_TIMEOUT(app.engine().evaluatorSlot()->holder() == Slot::User::kNone, kWaitMs);
        chat.clearError();
        QVERIFY(app.send_and_wait(QStringLiteral("Hello")));
        QCOMPARE(chat.errorText(), QString());
    }

    // Both share the model's KV cache: each must evaluate its prompt again after the other's turn.
    void eachGivesTheSameReplyAsIfTheOtherHadNotRun() {
        QString alone_chat;
        std::string alone_server;
        {
            AppFixture app(dir_.path() + QStringLiteral("/alone"));
            QVERIFY(open_serving(app));
            const int port = app.controller().localServer()->port();
            const QString token = app.controller().settings()->serverToken();
            alone_server = chat_reply(port, token, "The dragon flew");
            QVERIFY(!alone_server.empty());
            QVERIFY(app.send_and_wait(QStringLiteral("Hello")));
            QVERIFY(app.send_and_wait(QStringLiteral("Tell me a story")));
            alone_chat = app.controller().lastReplyText();
            QVERIFY(!alone_chat.isEmpty());
        }
        AppFixture app(dir_.path() + QStringLiteral("/shared"));
        QVERIFY(open_serving(app));
        const int port = app.controller().localServer()->port();
        const QString token = app.controller().settings()->serverToken();
        QCOMPARE(chat_reply(port, token, "The dragon flew"), alone_server);
        QVERIFY(app.send_and_wait(QStringLiteral("Hello")));
        // The server's cached prompt (the same request) did not survive the chat's turn...
        QCOMPARE(chat_reply(port, token, "The dragon flew"), alone_server);
        QVERIFY(!chat_reply(port, token, "Once upon a time there was a little girl").empty());
        QVERIFY(app.send_and_wait(QStringLiteral("Tell me a story")));
        // ...nor did the chat's cached conversation survive the server's requests.
        QCOMPARE(app.controller().lastReplyText(), alone_chat);
    }

    void turningItOffFreesThePort() {
        AppFixture app(dir_.path() + QStringLiteral("/off"));
        QVERIFY(open_serving(app));
        LocalServer& server = *app.controller().localServer();
        const int port = server.port();
        QCOMPARE(client(port, app.controller().settings()->serverToken())->Get("/v1/models")->status, 200);
        QVERIFY(!port_is_free(port));
        app.controller().settings()->setServerEnabled(false);
        QVERIFY(!server.running());
        QCOMPARE(server.port(), 0);
        QCOMPARE(server.url(), QString());
        QVERIFY(port_is_free(port));
    }

    void aReloadCutsOffAStreamAndServesTheNewModel() {
        AppFixture app(dir_.path() + QStringLiteral("/reload"));
        QVERIFY(app.open());
        LocalServer& server = *app.controller().localServer();
        ServerGate gate(server);
        QVERIFY(serve(app));
        const int port = server.port();
        gate.releaseWhenStopped(port);
        StreamingClient stream(port, app.controller().settings()->serverToken());
        QVERIFY(stream.started());
        QVERIFY(gate->wait_until_held());
        QVERIFY(app.controller().reloadModel());  // returns although the client is mid-stream
        QVERIFY(!server.running());
        QVERIFY(stream.closed_by_server());
        QVERIFY(!stream.finished_normally());  // cut off, not finished
        QVERIFY(wait_until_running(server));
        QCOMPARE(app.engine().state(), EngineThread::State::Ready);
        QCOMPARE(client(server.port(), app.controller().settings()->serverToken())->Get("/v1/models")->status, 200);
    }

    void quittingWithAClientMidStreamFreesThePort() {
        AppFixture app(dir_.path() + QStringLiteral("/quit"));
        QVERIFY(app.open());
        ServerGate gate(*app.controller().localServer());
        QVERIFY(serve(app));
        const int port = app.controller().localServer()->port();
        gate.releaseWhenStopped(port);
        StreamingClient stream(port, app.controller().settings()->serverToken());
        QVERIFY(stream.started());
        QVERIFY(gate->wait_until_held());
        app.close();  // controller, engine, history: returns although the client is mid-stream
        QVERIFY(stream.closed_by_server());
        QVERIFY(!stream.finished_normally());
        QVERIFY(port_is_free(port));
    }

    void aTakenPortIsAClearError() {
        QTcpServer other;
        QVERIFY(other.listen(QHostAddress(QHostAddress::LocalHost)));
        AppFixture app(dir_.path() + QStringLiteral("/taken"));
        QVERIFY(app.open());
        AppSettings& settings = *app.controller().settings();
        LocalServer& server = *app.controller().localServer();
        settings.setServerPort(other.serverPort());
        settings.setServerEnabled(true);
        QVERIFY(!server.running());
        const QString port = QString::number(other.serverPort());
        QVERIFY2(server.errorText().contains(QStringLiteral("127.0.0.1:") + port) &&
                     server.errorText().contains(QStringLiteral("in use")) &&
                     server.errorText().contains(QStringLiteral("Choose another port")),
                 qPrintable(server.errorText()));
        settings.setServerPort(0);  // any free port: it starts
        QVERIFY(server.running());
        QCOMPARE(server.errorText(), QString());
        QVERIFY(server.port() != other.serverPort());
    }

    void aBadPortIsRefused() {
        AppFixture app(dir_.path() + QStringLiteral("/bad-port"));
        QVERIFY(app.open(false));
        AppSettings& settings = *app.controller().settings();
        settings.setServerPort(70000);
        QVERIFY2(settings.errorText().contains(QStringLiteral("Server port")), qPrintable(settings.errorText()));
        QCOMPARE(settings.serverPort(), AppSettings::kDefaultServerPort);
    }

    void theSettingsAreKeptAndTheServerStartsWithTheApp() {
        const QString data = dir_.path() + QStringLiteral("/kept");
        QString token;
        {
            AppFixture app(data);
            QVERIFY(open_serving(app));
            app.controller().settings()->regenerateServerToken();
            token = app.controller().settings()->serverToken();
        }
        {
            AppFixture reopened(data);
            QVERIFY(reopened.open());
            const AppSettings& settings = *reopened.controller().settings();
            QVERIFY(settings.serverEnabled());
            QCOMPARE(settings.serverPort(), 0);
            QCOMPARE(settings.serverToken(), token);
            LocalServer& server = *reopened.controller().localServer();
            QVERIFY(wait_until_running(server));  // on again once the model is loaded
            QCOMPARE(client(server.port(), token)->Get("/v1/models")->status, 200);
            reopened.controller().settings()->setServerEnabled(false);
        }
        AppFixture off(data);
        QVERIFY(off.open());
        QVERIFY(!off.controller().settings()->serverEnabled());
        QVERIFY(!off.controller().localServer()->running());
    }

private:
    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(LocalServerTest)
#include "local_server_test.moc"

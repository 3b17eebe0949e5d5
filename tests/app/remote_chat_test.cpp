// Remote OpenAI-compatible servers as a model source, end to end on loopback: tessera-cli
// serve on the bundled model in a child process plays the remote server (added, tested,
// chatted with through the ChatController, stopped, killed mid-stream), and the fault server
// of tests/downloads plays the servers that misbehave (silent, slow, 429/5xx, garbage).
#include <QFile>
#include <QProcess>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "engine_loader.h"
#include "fault_server.h"
#include "remote_chat_client.h"
#include "remote_endpoint.h"
#include "remote_servers.h"
#include "remote_test_servers.h"
#include "secret_store.h"
#include "sse_parser.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;
using tessera::downloads::testing::FaultServer;
using tessera::downloads::testing::HttpRequest;
using tessera::downloads::testing::HttpResponse;

namespace {

const QString kToken = QStringLiteral("remote-test-token-0123456789");
constexpr int kWaitMs = 120000;  // a bound for something stuck, not a performance limit

// What the engine itself answers, without the app or the server.
QString reference_reply(const QString& user_text) {
    LoadRequest request;
    request.path = bundled_model();
    auto engine = load_engine(request);
    if (!engine) return QStringLiteral("<load failed>");
    std::string text;
    auto reply = (*engine)->session->reply({{"user", user_text.toStdString()}}, greedy_settings(),
                                           [&](std::string_view piece) { text += piece; });
    return reply ? QString::fromStdString(text) : QStringLiteral("<reply failed>");
}

QVariant last_row(MessageListModel* model, int role) { return model->data(model->index(model->rowCount() - 1), role); }

// An SSE body of chat chunks, one per piece, then finish, usage and [DONE].
QByteArray sse_reply(const QStringList& pieces, bool done = true) {
    QByteArray body;
    for (const QString& piece : pieces)
        body += "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + piece.toUtf8() + "\"},\"finish_reason\":null}]}\n\n";
    if (!done) return body;
    body += "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    body += "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" +
            QByteArray::number(pieces.size()) + ",\"total_tokens\":" + QByteArray::number(7 + pieces.size()) + "}}\n\n";
    body += "data: [DONE]\n\n";
    return body;
}

HttpResponse event_stream(QByteArray body) {
    HttpResponse r;
    r.header("Content-Type", "text/event-stream");
    r.body = std::move(body);
    return r;
}

HttpResponse json_answer(int status, QByteArray body) {
    HttpResponse r;
    r.status = status;
    r.header("Content-Type", "application/json");
    r.body = std::move(body);
    return r;
}

}  // namespace

class RemoteChatTest : public QObject {
    Q_OBJECT

private slots:
    void init() {
        QVERIFY(dir_.isValid());
        data_dir_ = dir_.path() + QStringLiteral("/data-") + QTest::currentTestFunction();
        app_ = std::make_unique<AppFixture>(data_dir_);
        QVERIFY(app_->open(false));  // no local model: the remote one answers
    }
    void cleanup() { app_.reset(); }

    // The SSE reader gives the same events however the bytes are split, with \r\n line ends,
    // comments, multi-line data and other fields.
    void sseEventsDoNotDependOnHowBytesArrive() {
        const QByteArray stream = ": keep-alive\r\nevent: chunk\r\ndata: {\"a\":1}\r\n\r\ndata: one\ndata: two\nid: 3\n\n"
                                  "data:[DONE]\n\n";
        const std::vector<QByteArray> expected = {"{\"a\":1}", "one\ntwo", "[DONE]"};
        for (qsizetype cut = 0; cut <= stream.size(); ++cut) {
            SseParser parser;
            std::vector<QByteArray> events = parser.feed(QByteArrayView(stream).first(cut));
            for (auto& e : parser.feed(QByteArrayView(stream).sliced(cut))) events.push_back(e);
            QCOMPARE(events, expected);
        }
        SseParser byte_by_byte;
        std::vector<QByteArray> events;
        for (char c : stream)
            for (auto& e : byte_by_byte.feed(QByteArrayView(&c, 1))) events.push_back(e);
        QCOMPARE(events, expected);
        SseParser endless;  // a server sending one endless line is refused, not buffered forever
        const QByteArray block(1 << 20, 'x');
        for (int i = 0; i < 5 && !endless.failed(); ++i) endless.feed(block);
        QVERIFY(endless.failed());
    }

    void addressRules() {
        QCOMPARE(base_url_problem(QStringLiteral("https://gpu-box.example:8000/v1/"), false), QString());
        QCOMPARE(normalized_base_url(QStringLiteral("https://gpu-box.example:8000/v1/")).toString(),
                 QStringLiteral("https://gpu-box.example:8000"));
        QCOMPARE(normalized_base_url(QStringLiteral("http://h/proxy/v1")).toString(), QStringLiteral("http://h/proxy"));
        QCOMPARE(base_url_problem(QStringLiteral("http://127.0.0.1:8080"), false), QString());
        QCOMPARE(base_url_problem(QStringLiteral("http://localhost:8080"), false), QString());
        QCOMPARE(base_url_problem(QStringLiteral("http://[::1]:8080"), false), QString());
        // The key would cross the network in clear: refused until the user accepts it.
        QVERIFY(base_url_problem(QStringLiteral("http://gpu-box.example:8000"), false).contains(QLatin1String("unencrypted")));
        QVERIFY(needs_plain_http_consent(QStringLiteral("http://gpu-box.example:8000")));
        QVERIFY(!needs_plain_http_consent(QStringLiteral("http://127.0.0.1:8000")));
        QCOMPARE(base_url_problem(QStringLiteral("http://gpu-box.example:8000"), true), QString());
        QVERIFY(!base_url_problem(QStringLiteral("ftp://gpu-box.example"), true).isEmpty());
        QVERIFY(!base_url_problem(QStringLiteral("gpu-box:8000"), true).isEmpty());
        QVERIFY(!base_url_problem(QStringLiteral("https://user:key@gpu-box.example"), true).isEmpty());
        QVERIFY(!base_url_problem(QString(), true).isEmpty());
        const QString uri = remote_model_uri(12, QStringLiteral("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1"));
        const auto ref = parse_remote_model_uri(uri);
        QVERIFY(ref.has_value());
        QCOMPARE(ref->server_id, qint64{12});
        QCOMPARE(ref->model_id, QStringLiteral("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1"));
        QVERIFY(!parse_remote_model_uri(bundled_model()).has_value());
    }

    // The request carries the conversation and its sampling options, streamed with usage.
    void requestBodyCarriesTheConversationAndItsOptions() {
        RemoteRequest request;
        request.endpoint.model_id = QStringLiteral("big-model");
        request.messages = {{"system", "be brief"}, {"user", "hello"}};
        request.settings.sampling.temperature = 0.7f;
        request.settings.sampling.top_p = 0.9f;
        request.settings.sampling.seed = 42;
        request.settings.max_tokens = 300;
        request.settings.stop = {"</s>"};
        const QJsonObject body = QJsonDocument::fromJson(chat_completion_body(request)).object();
        QCOMPARE(body.value("model").toString(), QStringLiteral("big-model"));
        QCOMPARE(body.value("stream").toBool(), true);
        QCOMPARE(body.value("stream_options").toObject().value("include_usage").toBool(), true);
        QCOMPARE(body.value("messages").toArray().size(), 2);
        QCOMPARE(body.value("messages").toArray().at(0).toObject().value("role").toString(), QStringLiteral("system"));
        QCOMPARE(body.value("messages").toArray().at(1).toObject().value("content").toString(), QStringLiteral("hello"));
        QCOMPARE(body.value("temperature").toDouble(), double(0.7f));
        QCOMPARE(body.value("top_p").toDouble(), double(0.9f));
        QCOMPARE(body.value("seed").toInteger(), qint64{42});
        QCOMPARE(body.value("max_tokens").toInteger(), qint64{300});
        QCOMPARE(body.value("stop").toArray().at(0).toString(), QStringLiteral("</s>"));
    }

    void connectionTestListsTheServersModels() {
        CliServer server;
        QVERIFY(server.start(kToken));
        RemoteServers& servers = *app_->controller().remoteServers();
        QVERIFY(test(servers, server.url() + QStringLiteral("/v1/"), kToken));
        QCOMPARE(servers.testModels(), QStringList{server.model_id()});
        // A wrong key: the server's 401, said plainly.
        QVERIFY(!test(servers, server.url(), QStringLiteral("not-the-key-0123456789")));
        QVERIFY2(servers.testMessage().contains(QLatin1String("refused the API key")), qPrintable(servers.testMessage()));
        QVERIFY(servers.testModels().isEmpty());
        // Nothing listening there.
        QVERIFY(!test(servers, closed_port_url(), kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("refused the connection")), qPrintable(servers.testMessage()));
        // Something that is not an OpenAI server.
        FaultServer web([](const HttpRequest&) {
            HttpResponse r;
            r.header("Content-Type", "text/html");
            r.body = "<html><body>Welcome to nginx!</body></html>";
            return r;
        });
        QVERIFY(web.listen());
        QVERIFY(!test(servers, web.url(QString()).toString(), kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("not like an OpenAI-compatible server")),
                 qPrintable(servers.testMessage()));
        // A server that never answers: the test's own time limit.
        FaultServer silent([](const HttpRequest&) {
            HttpResponse r = json_answer(200, "{}");
            r.stall_after = 0;
            return r;
        });
        QVERIFY(silent.listen());
        QVERIFY(!test(servers, silent.url(QString()).toString(), kToken, 1));
        QVERIFY2(servers.testMessage().contains(QLatin1String("did not answer in time")), qPrintable(servers.testMessage()));
    }

    // Saved: the row in the database, the key in the secret store and nowhere in the
    // database file; its model in the picker, marked remote; removed: both gone.
    void savedServerKeepsItsKeyOutOfTheDatabase() {
        RemoteServers& servers = *app_->controller().remoteServers();
        const QString key = QStringLiteral("sk-remote-secret-4f9a1c77e2b3");
        const qint64 id = servers.save(0, QStringLiteral("GPU box"), QStringLiteral("https://gpu-box.example:8000/v1"),
                                       key, false, false, 60, 30, {QStringLiteral("nemotron-ultra")});
        QVERIFY2(id > 0, qPrintable(servers.errorText()));
        QCOMPARE(servers.rowCount(), 1);
        QCOMPARE(servers.data(servers.index(0), RemoteServers::BaseUrlRole).toString(), QStringLiteral("https://gpu-box.example:8000"));
        QCOMPARE(servers.data(servers.index(0), RemoteServers::HasKeyRole).toBool(), true);
        auto stored = SecretStore(data_dir_.toStdString()).load("remote-server/" + std::to_string(id));
        QVERIFY(stored.ok());
        QCOMPARE(stored->value_or(""), key.toStdString());

        ModelCatalogModel& models = *app_->controller().models();
        const int row = models.rowOfPath(remote_model_uri(id, QStringLiteral("nemotron-ultra")));
        QVERIFY(row >= 0);
        QCOMPARE(models.data(models.index(row), ModelCatalogModel::RemoteRole).toBool(), true);
        QVERIFY(models.data(models.index(row), ModelCatalogModel::LabelRole).toString().contains(QLatin1String("GPU box")));
        QCOMPARE(models.localModels()->rowCount(), models.rowCount() - 1);  // the models page lists it under its server

        // Edited without a new key: the key stays.
        QCOMPARE(servers.save(id, QStringLiteral("GPU box 2"), QStringLiteral("https://gpu-box.example:8000"), QString(),
                              false, false, 90, 45, {QStringLiteral("nemotron-ultra")}),
                 id);
        QCOMPARE(servers.data(servers.index(0), RemoteServers::IdleTimeoutRole).toInt(), 45);
        QCOMPARE(servers.data(servers.index(0), RemoteServers::HasKeyRole).toBool(), true);

        const std::string db_path = app_->storage().db().path().string();
        app_.reset();  // closed cleanly: the WAL is checkpointed into the file
        for (const std::string suffix : {"", "-wal"}) {
            QFile file(QString::fromStdString(db_path + suffix));
            if (!file.exists()) continue;
            QVERIFY(file.open(QIODevice::ReadOnly));
            const QByteArray bytes = file.readAll();
            QVERIFY(suffix != "" || bytes.contains("gpu-box.example"));  // the row is there...
            QVERIFY2(!bytes.contains(key.toUtf8()), "the API key is in the database file");  // ...the key is not
        }
        app_ = std::make_unique<AppFixture>(data_dir_);
        QVERIFY(app_->open(false));
        QVERIFY(app_->controller().remoteServers()->remove(id));
        QCOMPARE(app_->controller().remoteServers()->rowCount(), 0);
        QCOMPARE(app_->controller().models()->rowOfPath(remote_model_uri(id, QStringLiteral("nemotron-ultra"))), -1);
        auto gone = SecretStore(data_dir_.toStdString()).load("remote-server/" + std::to_string(id));
        QVERIFY(gone.ok());
        QVERIFY(!gone->has_value());
    }

    // The reply streams from the server into one stored message with its model and stats,
    // is the engine's own greedy answer, and regenerating makes a sibling.
    void chatStreamsStoresAndRegenerates() {
        CliServer server;
        QVERIFY(server.start(kToken));
        SlowRelay relay(server.port(), 64, 5);  // streamed in pieces even from a fast server
        QVERIFY(relay.listen());
        useRemote(relay.url(), kToken, server.model_id());
        auto& c = app_->controller();
        QCOMPARE(c.engine()->remote(), true);
        QCOMPARE(c.engine()->state(), EngineThread::State::Ready);
        QSignalSpy pieces(c.engine(), &EngineThread::textPiece);
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        QVERIFY2(c.errorText().isEmpty(), qPrintable(c.errorText()));
        QVERIFY(pieces.count() > 1);
        const QString expected = reference_reply(QStringLiteral("I"));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString(), expected);
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("complete"));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->size(), size_t{2});
        const storage::Message reply = path->back();
        QCOMPARE(QString::fromStdString(reply.content), expected);
        QCOMPARE(reply.model.value_or(""), server.model_id().toStdString());
        QVERIFY(reply.stats.completion_tokens.value_or(0) > 1);  // the server's usage
        QVERIFY(reply.stats.prompt_tokens.value_or(0) > 0);
        QVERIFY(reply.stats.time_to_first_token_ms.has_value());

        QVERIFY(c.regenerate(reply.id));
        QVERIFY(app_->wait_for_reply());
        auto siblings = app_->storage().conversations().siblings(reply.id);
        QVERIFY(siblings.ok());
        QCOMPARE(siblings->size(), size_t{2});
        QCOMPARE(QString::fromStdString(siblings->back().content), expected);  // greedy: the same again
        QCOMPARE(siblings->back().state, storage::MessageState::complete);

        // Editing the question branches: a sibling question with its own remote reply.
        const std::int64_t question = path->front().id;
        QVERIFY(c.editMessage(question, QStringLiteral("I ")));
        QVERIFY(app_->wait_for_reply());
        auto questions = app_->storage().conversations().siblings(question);
        QVERIFY(questions.ok());
        QCOMPARE(questions->size(), size_t{2});
        auto edited = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(edited.ok());
        QCOMPARE(edited->size(), size_t{2});
        QCOMPARE(edited->front().content, std::string("I "));
        QCOMPARE(edited->back().state, storage::MessageState::complete);
        QVERIFY(!edited->back().content.empty());
    }

    // Stop in the middle of a reply: the text so far is kept, marked interrupted.
    void stopMidReplyKeepsTheText() {
        CliServer server;
        QVERIFY(server.start(kToken));
        SlowRelay relay(server.port(), 48, 40);
        QVERIFY(relay.listen());
        useRemote(relay.url(), kToken, server.model_id());
        auto& c = app_->controller();
        QSignalSpy pieces(c.engine(), &EngineThread::textPiece);
        QVERIFY(c.send(QStringLiteral("I")));
        QVERIFY(pieces.wait(kWaitMs));
        c.stop();
        QVERIFY(app_->wait_for_reply());
        const QString shown = last_row(c.messages(), MessageListModel::AnswerRole).toString();
        QVERIFY(!shown.isEmpty());
        QVERIFY(reference_reply(QStringLiteral("I")).startsWith(shown));
        QVERIFY(shown != reference_reply(QStringLiteral("I")));  // cut short
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(QString::fromStdString(path->back().content), shown);
        QCOMPARE(path->back().state, storage::MessageState::interrupted);
        QVERIFY(c.send(QStringLiteral("again")));  // the conversation goes on
        QVERIFY(app_->wait_for_reply());
    }

    // The server killed mid-stream: the reply keeps its text, marked interrupted, the
    // window says why, and the rest of the history is intact.
    void serverKilledMidStreamInterruptsTheReply() {
        CliServer server;
        QVERIFY(server.start(kToken));
        SlowRelay relay(server.port(), 48, 40);
        QVERIFY(relay.listen());
        useRemote(relay.url(), kToken, server.model_id());
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("first")));  // a whole turn before
        QSignalSpy pieces(c.engine(), &EngineThread::textPiece);
        QVERIFY(c.send(QStringLiteral("I")));
        QVERIFY(pieces.wait(kWaitMs));
        relay.hold();
        server.kill();
        QVERIFY(app_->wait_for_reply());
        QVERIFY2(c.errorText().contains(QLatin1String("ended before the reply did")) ||
                     c.errorText().contains(QLatin1String("closed the connection")),
                 qPrintable(c.errorText()));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->size(), size_t{4});
        QCOMPARE(QString::fromStdString((*path)[0].content), QStringLiteral("first"));
        QCOMPARE((*path)[1].state, storage::MessageState::complete);
        QCOMPARE(QString::fromStdString((*path)[2].content), QStringLiteral("I"));
        QCOMPARE(path->back().state, storage::MessageState::interrupted);
        QVERIFY(!path->back().content.empty());
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("interrupted"));
        // Another reply now: the server is gone, said so, and nothing is lost.
        c.clearError();
        QVERIFY(c.send(QStringLiteral("still there?")));
        QVERIFY(app_->wait_for_reply());
        QVERIFY(!c.errorText().isEmpty());
        auto after = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(after.ok());
        QCOMPARE(after->size(), size_t{6});
        QCOMPARE((*after)[3].content, path->back().content);
        QCOMPARE(after->back().state, storage::MessageState::error);
    }

    void wrongKeyIsSaidPlainly() {
        CliServer server;
        QVERIFY(server.start(kToken));
        useRemote(server.url(), QStringLiteral("the-wrong-key-0123456789"), server.model_id());
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("refused the API key")), qPrintable(c.errorText()));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(QString::fromStdString(path->front().content), QStringLiteral("hello"));
        QCOMPARE(path->back().state, storage::MessageState::error);
    }

    // Errors before any text: the reply is an error with the server's reason; the user's
    // message stays.
    void serverErrorsAreShownWithTheirMessage_data() {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("429") << 429 << QByteArray("application/json")
                             << QByteArray(R"({"error":{"message":"Rate limit reached for requests","type":"requests","param":null,"code":"rate_limit_exceeded"}})")
                             << QStringLiteral("Rate limit reached for requests");
        QTest::newRow("500") << 500 << QByteArray("application/json")
                             << QByteArray(R"({"error":{"message":"CUDA out of memory on rank 3","type":"server_error","param":null,"code":null}})")
                             << QStringLiteral("CUDA out of memory on rank 3");
        QTest::newRow("503 without JSON") << 503 << QByteArray("text/plain") << QByteArray("upstream connect error")
                                          << QStringLiteral("HTTP 503");
        QTest::newRow("garbage instead of SSE") << 200 << QByteArray("text/html")
                                                << QByteArray("<html><body>Please log in to the captive portal</body></html>")
                                                << QStringLiteral("did not answer with an OpenAI stream");
        QTest::newRow("garbage events") << 200 << QByteArray("text/event-stream") << QByteArray("data: <html>\n\n")
                                        << QStringLiteral("not an OpenAI stream event");
        QTest::newRow("error event") << 200 << QByteArray("text/event-stream")
                                     << QByteArray("data: {\"error\":{\"message\":\"the model crashed\"}}\n\n")
                                     << QStringLiteral("the model crashed");
    }
    void serverErrorsAreShownWithTheirMessage() {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        FaultServer fault([&](const HttpRequest&) {
            HttpResponse r = json_answer(status, body);
            r.headers = {{"Content-Type", contentType}};
            return r;
        });
        QVERIFY(fault.listen());
        useRemote(fault.url(QString()).toString(), kToken, QStringLiteral("m"));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(expected), qPrintable(c.errorText()));
        QCOMPARE(fault.requests().size(), 1);
        QCOMPARE(fault.requests().front().target, QByteArray("/v1/chat/completions"));
        QCOMPARE(fault.requests().front().header("authorization"), "Bearer " + kToken.toUtf8());
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->size(), size_t{2});
        QCOMPARE(QString::fromStdString(path->front().content), QStringLiteral("hello"));
        QCOMPARE(path->back().state, storage::MessageState::error);
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("error"));
    }

    void connectionRefusedIsSaidPlainly() {
        useRemote(closed_port_url(), kToken, QStringLiteral("m"));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("refused the connection")), qPrintable(c.errorText()));
    }

    // A server silent after its headers: the first-byte limit; silent mid-reply: the idle
    // limit, the text so far kept as interrupted.
    void silentServerTimesOut() {
        const QByteArray body = sse_reply({QStringLiteral("Hello"), QStringLiteral(" there")});
        const qint64 first_event = body.indexOf("\n\n") + 2;
        qint64 stall_after = 0;
        FaultServer fault([&](const HttpRequest&) {
            HttpResponse r = event_stream(body);
            r.stall_after = stall_after;
            return r;
        });
        QVERIFY(fault.listen());
        useRemote(fault.url(QString()).toString(), kToken, QStringLiteral("m"), 1, 1);
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("did not answer within")), qPrintable(c.errorText()));
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("error"));

        stall_after = first_event;
        c.clearError();
        QVERIFY(app_->send_and_wait(QStringLiteral("again")));
        QVERIFY2(c.errorText().contains(QLatin1String("went silent")), qPrintable(c.errorText()));
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("interrupted"));
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString(), QStringLiteral("Hello"));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->size(), size_t{4});
        QCOMPARE(path->back().content, std::string("Hello"));
        QCOMPARE(path->back().state, storage::MessageState::interrupted);
    }

    // A slow server that keeps sending is never cut off: each event comes well within the
    // idle limit, the whole reply far beyond it.
    void slowButAliveServerCompletes() {
        QStringList words;
        for (int i = 0; i < 16; ++i) words << QStringLiteral("w%1 ").arg(i);
        const QByteArray body = sse_reply(words);
        FaultServer fault([&](const HttpRequest&) {
            HttpResponse r = event_stream(body);
            r.chunk_bytes = 40;
            r.chunk_interval_ms = 150;  // about 7 s in all; a few bytes every 0.15 s
            return r;
        });
        QVERIFY(fault.listen());
        QVERIFY(body.size() / 40 * 150 > 5000);  // the whole reply lasts longer than the limits
        useRemote(fault.url(QString()).toString(), kToken, QStringLiteral("m"), 5, 5);
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().isEmpty(), qPrintable(c.errorText()));
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString(), words.join(QString()));
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("complete"));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->back().stats.completion_tokens.value_or(0), std::int64_t{16});  // from the usage event
        QCOMPARE(path->back().stats.prompt_tokens.value_or(0), std::int64_t{7});
        QVERIFY(path->back().stats.tokens_per_second.value_or(0) > 0);
    }

    // A reasoning parser's reasoning_content (vLLM) is kept as local models write it: the
    // message shows it as its reasoning, apart from the answer.
    void reasoningContentIsKeptAsReasoning() {
        QByteArray body;
        for (const char* part : {"Let me ", "think."})
            body += QByteArray("data: {\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"") + part + "\"}}]}\n\n";
        body += sse_reply({QStringLiteral("The answer.")});
        FaultServer fault([&](const HttpRequest&) { return event_stream(body); });
        QVERIFY(fault.listen());
        useRemote(fault.url(QString()).toString(), kToken, QStringLiteral("nemotron-ultra"));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().isEmpty(), qPrintable(c.errorText()));
        QCOMPARE(last_row(c.messages(), MessageListModel::ReasoningRole).toString(), QStringLiteral("Let me think."));
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString().trimmed(), QStringLiteral("The answer."));
        const qint64 conversation = c.conversationId();
        c.newChat();
        c.openConversation(conversation);  // read back from the history, not from the streamed rows
        QCOMPARE(last_row(c.messages(), MessageListModel::ReasoningRole).toString(), QStringLiteral("Let me think."));
    }

    // The model in use follows its server: edited, the next reply uses the new settings;
    // removed, the model is let go with a message.
    void theModelInUseFollowsItsServer() {
        auto& c = app_->controller();
        const qint64 id = c.remoteServers()->save(0, QStringLiteral("box"), QStringLiteral("https://box.example"), QString(),
                                                  false, false, 60, 30, {QStringLiteral("m")});
        QVERIFY(id > 0);
        QVERIFY(c.loadModel(remote_model_uri(id, QStringLiteral("m"))));
        QCOMPARE(c.engine()->device(), QStringLiteral("Remote: box"));
        QVERIFY(c.remoteServers()->save(id, QStringLiteral("box"), QStringLiteral("https://box2.example"), QString(), false,
                                        false, 60, 7, {QStringLiteral("m")}) == id);
        QVERIFY(c.engine()->remoteEndpoint().has_value());
        QCOMPARE(c.engine()->remoteEndpoint()->idle_timeout_ms, 7000);
        QCOMPARE(c.engine()->remoteEndpoint()->base.host(), QStringLiteral("box2.example"));
        QVERIFY(c.remoteServers()->remove(id));
        QCOMPARE(c.engine()->remote(), false);
        QCOMPARE(c.engine()->state(), EngineThread::State::NoModel);
        QVERIFY(c.engine()->errorText().contains(QLatin1String("removed")));
        QVERIFY(!c.send(QStringLiteral("hello")));  // refused with "No model is loaded", nothing stored
    }

    // TLS is verified: a self-signed certificate is refused, with nothing sent over it.
    void tlsCertificateIsVerified() {
        const QString cert = dir_.filePath(QStringLiteral("cert.pem")), key = dir_.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.setProcessChannelMode(QProcess::MergedChannels);
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                       QStringLiteral("-nodes"), QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert,
                       QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                       QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0,
                 "openssl could not make a test certificate (apt-get install openssl)");
        FaultServer tls([](const HttpRequest&) { return event_stream(sse_reply({QStringLiteral("secret")})); });
        QVERIFY(tls.listen_tls(cert, key));
        const QString url = tls.url(QString()).toString();
        QVERIFY(url.startsWith(QLatin1String("https://")));
        RemoteServers& servers = *app_->controller().remoteServers();
        QVERIFY(!test(servers, url, kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("could not be verified")), qPrintable(servers.testMessage()));
        useRemote(url, kToken, QStringLiteral("m"));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("could not be verified")), qPrintable(c.errorText()));
        QCOMPARE(tls.requests().size(), 0);  // the key never went over the unverified connection
    }

private:
    // Saves a server with this address and key, and chooses its model in the picker.
    void useRemote(const QString& url, const QString& key, const QString& model, int first_byte_s = 60,
                   int idle_s = 30) {
        auto& c = app_->controller();
        const qint64 id = c.remoteServers()->save(0, QStringLiteral("test server"), url, key, false, false,
                                                  first_byte_s, idle_s, {model});
        QVERIFY2(id > 0, qPrintable(c.remoteServers()->errorText()));
        const int row = c.models()->rowOfPath(remote_model_uri(id, model));
        QVERIFY(row >= 0);
        QVERIFY(c.loadModel(c.models()->use(row)));
    }

    // Runs the connection test to its end: whether it passed (its message says why not).
    static bool test(RemoteServers& servers, const QString& url, const QString& key, int timeout_s = 60) {
        QSignalSpy changed(&servers, &RemoteServers::testChanged);
        servers.testConnection(url, key, false, 0, timeout_s);
        while (servers.testing())
            if (!changed.wait(kWaitMs)) return false;
        return servers.testPassed();
    }

    static QString closed_port_url() {
        QTcpServer probe;  // a port that was free a moment ago, and nothing listens on it now
        if (!probe.listen(QHostAddress::LocalHost, 0)) return {};
        const quint16 port = probe.serverPort();
        probe.close();
        return QStringLiteral("http://127.0.0.1:%1").arg(port);
    }

    QTemporaryDir dir_;
    QString data_dir_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_MAIN(RemoteChatTest)
#include "remote_chat_test.moc"

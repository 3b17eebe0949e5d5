// Remote servers that misbehave, played by the fault server of tests/downloads on loopback:
// errors before any text (429 and 5xx with OpenAI's error JSON, garbage instead of events,
// an error event, a refused connection, a certificate that does not verify), silence (the
// first-byte and idle limits) and a slow server that must not be cut off; and the pieces
// under them: the SSE reader, the address rules, the request body, reasoning_content.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "fault_server.h"
#include "remote_chat_client.h"
#include "remote_endpoint.h"
#include "remote_servers.h"
#include "remote_test_servers.h"
#include "sse_parser.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;
using tessera::downloads::testing::FaultServer;
using tessera::downloads::testing::HttpRequest;
using tessera::downloads::testing::HttpResponse;

class RemoteFaultsTest : public QObject {
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
        QVERIFY(use_remote(app_->controller(), fault.url(QString()).toString(), kToken, QStringLiteral("m")));
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
        QVERIFY(use_remote(app_->controller(), closed_port_url(), kToken, QStringLiteral("m")));
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
        QVERIFY(use_remote(app_->controller(), fault.url(QString()).toString(), kToken, QStringLiteral("m"), 1, 1));
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
        QVERIFY(use_remote(app_->controller(), fault.url(QString()).toString(), kToken, QStringLiteral("m"), 5, 5));
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
        QVERIFY(use_remote(app_->controller(), fault.url(QString()).toString(), kToken, QStringLiteral("nemotron-ultra")));
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
        QVERIFY(!run_connection_test(servers, url, kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("could not be verified")), qPrintable(servers.testMessage()));
        QVERIFY(use_remote(app_->controller(), url, kToken, QStringLiteral("m")));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("could not be verified")), qPrintable(c.errorText()));
        QCOMPARE(tls.requests().size(), 0);  // the key never went over the unverified connection
    }

private:
    QTemporaryDir dir_;
    QString data_dir_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_MAIN(RemoteFaultsTest)
#include "remote_faults_test.moc"

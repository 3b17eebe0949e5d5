// Remote OpenAI-compatible servers as a model source, end to end: tessera-cli serve on the
// bundled model in a child process plays the remote server, added and tested on the models
// page's terms, chatted with through the ChatController (streamed, stored, regenerated,
// edited, stopped), killed mid-stream, and given a wrong key; the key is kept out of the
// database file. The misbehaving servers are in remote_faults_test.cpp.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "engine_loader.h"
#include "fault_server.h"
#include "remote_endpoint.h"
#include "remote_servers.h"
#include "remote_test_servers.h"
#include "secret_store.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;
using tessera::downloads::testing::FaultServer;
using tessera::downloads::testing::HttpRequest;
using tessera::downloads::testing::HttpResponse;

namespace {

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

    void connectionTestListsTheServersModels() {
        CliServer server;
        QVERIFY(server.start(kToken));
        RemoteServers& servers = *app_->controller().remoteServers();
        QVERIFY(run_connection_test(servers, server.url() + QStringLiteral("/v1/"), kToken));
        QCOMPARE(servers.testModels(), QStringList{server.model_id()});
        // A wrong key: the server's 401, said plainly.
        QVERIFY(!run_connection_test(servers, server.url(), QStringLiteral("not-the-key-0123456789")));
        QVERIFY2(servers.testMessage().contains(QLatin1String("refused the API key")), qPrintable(servers.testMessage()));
        QVERIFY(servers.testModels().isEmpty());
        // Nothing listening there.
        QVERIFY(!run_connection_test(servers, closed_port_url(), kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("refused the connection")), qPrintable(servers.testMessage()));
        // Something that is not an OpenAI server.
        FaultServer web([](const HttpRequest&) {
            HttpResponse r;
            r.header("Content-Type", "text/html");
            r.body = "<html><body>Welcome to nginx!</body></html>";
            return r;
        });
        QVERIFY(web.listen());
        QVERIFY(!run_connection_test(servers, web.url(QString()).toString(), kToken));
        QVERIFY2(servers.testMessage().contains(QLatin1String("not like an OpenAI-compatible server")),
                 qPrintable(servers.testMessage()));
        // A server that never answers: the test's own time limit.
        FaultServer silent([](const HttpRequest&) {
            HttpResponse r = json_answer(200, "{}");
            r.stall_after = 0;
            return r;
        });
        QVERIFY(silent.listen());
        QVERIFY(!run_connection_test(servers, silent.url(QString()).toString(), kToken, 1));
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
        QVERIFY(use_remote(app_->controller(), relay.url(), kToken, server.model_id()));
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
        QVERIFY(use_remote(app_->controller(), relay.url(), kToken, server.model_id()));
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
        QVERIFY(use_remote(app_->controller(), relay.url(), kToken, server.model_id()));
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
        QVERIFY(use_remote(app_->controller(), server.url(), QStringLiteral("the-wrong-key-0123456789"), server.model_id()));
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("hello")));
        QVERIFY2(c.errorText().contains(QLatin1String("refused the API key")), qPrintable(c.errorText()));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(QString::fromStdString(path->front().content), QStringLiteral("hello"));
        QCOMPARE(path->back().state, storage::MessageState::error);
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

private:
    QTemporaryDir dir_;
    QString data_dir_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_MAIN(RemoteChatTest)
#include "remote_chat_test.moc"

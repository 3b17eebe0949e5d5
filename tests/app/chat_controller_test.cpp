// The objects QML uses, on the real engine (bundled model) and a real database in a
// temporary folder: streaming, stop, regenerate and siblings, edit, search, delete and
// undo, restart, and errors shown rather than thrown.
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <sqlite3.h>

#include "app_fixture.h"
#include "engine_loader.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

// What the engine itself answers to a conversation, without the app.
QString reference_reply(const std::vector<chat::ChatMessage>& conversation) {
    LoadRequest request;
    request.path = bundled_model();
    auto engine = load_engine(request);
    if (!engine) return QStringLiteral("<load failed: %1>").arg(QString::fromStdString(engine.error().message));
    std::string text;
    auto reply = (*engine)->session->reply(conversation, greedy_settings(),
                                           [&](std::string_view piece) { text += piece; });
    if (!reply) return QStringLiteral("<reply failed>");
    return QString::fromStdString(text);
}

QString reference_reply(const QString& user_text) { return reference_reply({{"user", user_text.toStdString()}}); }

QString answer(MessageListModel* model, int row) {
    return model->data(model->index(row), MessageListModel::AnswerRole).toString();
}

QVariant last_row(MessageListModel* model, int role) {
    return model->data(model->index(model->rowCount() - 1), role);
}

}  // namespace

class ChatControllerTest : public QObject {
    Q_OBJECT

private slots:
    void init() {
        QVERIFY(dir_.isValid());
        data_dir_ = dir_.path() + QStringLiteral("/data-") + QTest::currentTestFunction();
        app_ = std::make_unique<AppFixture>(data_dir_);
        QVERIFY(app_->open());
    }
    void cleanup() { app_.reset(); }

    void sendStreamsTheEnginesReplyIntoOneRow() {
        auto& c = app_->controller();
        MessageListModel* messages = c.messages();
        QSignalSpy pieces(&app_->engine(), &EngineThread::textPiece);
        QVERIFY(c.send(QStringLiteral("I")));
        // The user's message is in the history before any text comes back.
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        QCOMPARE(path->size(), size_t{2});
        QCOMPARE(QString::fromStdString(path->front().content), QStringLiteral("I"));
        QVERIFY(c.generating());
        // One reply at a time: a second message waits, with a message saying so.
        QVERIFY(!c.send(QStringLiteral("and another")));
        QVERIFY(!c.errorText().isEmpty());
        c.clearError();

        QSignalSpy resets(messages, &QAbstractItemModel::modelReset);
        QSignalSpy changes(messages, &QAbstractItemModel::dataChanged);
        QVERIFY(app_->wait_for_reply());
        QVERIFY(pieces.count() > 1);  // streamed, not delivered at the end
        QCOMPARE(resets.count(), 0);  // each piece changed one row
        for (const auto& args : changes) {
            QCOMPARE(args.at(0).value<QModelIndex>().row(), messages->rowCount() - 1);
            QCOMPARE(args.at(1).value<QModelIndex>().row(), messages->rowCount() - 1);
        }

        const QString expected = reference_reply(QStringLiteral("I"));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(last_row(messages, MessageListModel::AnswerRole).toString(), expected);
        QCOMPARE(last_row(messages, MessageListModel::StateRole).toString(), QStringLiteral("complete"));
        QCOMPARE(c.lastReplyText(), expected);  // what Ctrl+Shift+C copies
        QVERIFY(!last_row(messages, MessageListModel::StatsRole).toString().isEmpty());
        auto stored = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(stored.ok());
        QCOMPARE(QString::fromStdString(stored->back().content), expected);
        QCOMPARE(stored->back().state, storage::MessageState::complete);
        QVERIFY(stored->back().stats.completion_tokens.value_or(0) > 0);
        QVERIFY(c.contextUsed() > 0);
    }

    // S4: the reply's writes fail with a passing error (another writer holds the lock: the
    // same path as a full disk, SQLITE_BUSY instead of SQLITE_FULL). The reply stays on
    // screen, the user is told, and it is saved complete once writing works again.
    void aReplyThatCannotBeSavedYetIsKeptAndSavedLater() {
        auto& c = app_->controller();
        storage::Database& db = app_->storage().conversations().db();
        sqlite3_busy_timeout(db.handle(), 10);  // fail fast rather than wait 5 s per write
        auto other = storage::Database::open(db.path());
        QVERIFY(other.ok());
        QVERIFY(c.send(QStringLiteral("I")));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        const std::int64_t reply_id = path->back().id;
        QVERIFY(other->exec("BEGIN IMMEDIATE").ok());  // from here every write of the app fails
        QSignalSpy stored(&c, &ChatController::replyStored);
        QSignalSpy generating(&c, &ChatController::generatingChanged);
        while (c.generating()) QVERIFY(generating.wait(120000));
        QCOMPARE(stored.count(), 0);
        QVERIFY2(c.errorText().contains(QStringLiteral("not saved yet")), qPrintable(c.errorText()));
        const QString expected = reference_reply(QStringLiteral("I"));
        QVERIFY(!expected.isEmpty());
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString(), expected);  // still shown
        auto state = other->query_text("SELECT state FROM messages WHERE id = " + std::to_string(reply_id));
        QVERIFY(state.ok());
        QCOMPARE(*state, std::string("streaming"));

        QVERIFY(other->exec("COMMIT").ok());  // writing works again
        QVERIFY(stored.wait(30000));
        QCOMPARE(stored.first().first().toLongLong(), reply_id);
        auto saved = app_->storage().conversations().message(reply_id);
        QVERIFY(saved.ok());
        QCOMPARE(saved->state, storage::MessageState::complete);
        QCOMPARE(QString::fromStdString(saved->content), expected);
        QVERIFY(c.errorText().isEmpty());
    }

    void systemPromptIsKeptPerConversationAndSentFirst() {
        auto& c = app_->controller();
        const QString prompt = QStringLiteral("Contrast edges sharpen.");
        c.setSystemPrompt(prompt);  // before the conversation exists
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        const qint64 id = c.conversationId();
        auto stored = app_->storage().conversations().conversation(id);
        QVERIFY(stored.ok());
        QCOMPARE(QString::fromStdString(stored->settings.system_prompt.value_or("")), prompt);
        const QString expected = reference_reply({{"system", prompt.toStdString()}, {"user", "I"}});
        QVERIFY(expected != reference_reply(QStringLiteral("I")));  // the prompt changes the reply
        QCOMPARE(c.lastReplyText(), expected);

        c.newChat();
        QVERIFY(c.systemPrompt().isEmpty());  // a new chat starts without it
        c.openConversation(id);
        QCOMPARE(c.systemPrompt(), prompt);
        c.setSystemPrompt(QString());
        stored = app_->storage().conversations().conversation(id);
        QVERIFY(stored.ok());
        QVERIFY(!stored->settings.system_prompt.has_value());
    }

    void conversationOptionsAreStoredAndShapeTheReply() {
        auto& c = app_->controller();
        QSignalSpy changed(&c, &ChatController::conversationOptionsChanged);
        // Before the conversation exists: kept, then stored with it.
        QVERIFY(c.setConversationOptions({{"maxTokens", 3}, {"temperature", 0.9}, {"seed", 7}, {"reasoning", "off"}}));
        QCOMPARE(changed.count(), 1);
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        const qint64 id = c.conversationId();
        auto stored = app_->storage().conversations().conversation(id);
        QVERIFY(stored.ok());
        QVERIFY(stored->settings.sampling_json.has_value());
        const auto json = QJsonDocument::fromJson(QByteArray::fromStdString(*stored->settings.sampling_json)).object();
        QCOMPARE(json.value("max_tokens").toInt(), 3);
        QCOMPARE(json.value("seed").toInt(), 7);
        QCOMPARE(QString::fromStdString(stored->settings.reasoning.value_or("")), QStringLiteral("off"));
        // The reply obeyed the token limit; a fixed seed makes a regenerated reply the same.
        auto path = app_->storage().conversations().current_path(id);
        QVERIFY(path.ok());
        QCOMPARE(path->back().stats.completion_tokens.value_or(0), 3);
        const QString first = c.lastReplyText();
        QVERIFY(c.regenerate(path->back().id));
        QVERIFY(app_->wait_for_reply());
        QCOMPARE(c.lastReplyText(), first);

        // A new chat has the defaults; reopening brings the conversation's own back.
        c.newChat();
        QCOMPARE(c.conversationOptions().value("maxTokens"), QVariant());
        QCOMPARE(c.conversationOptions().value("reasoning").toString(), QStringLiteral("default"));
        c.openConversation(id);
        QCOMPARE(c.conversationOptions().value("maxTokens").toInt(), 3);
        QCOMPARE(c.conversationOptions().value("temperature").toDouble(), 0.9);

        // Out of range: refused, named, nothing stored.
        QVERIFY(!c.setConversationOptions({{"topP", 1.5}}));
        QVERIFY(c.errorText().contains(QStringLiteral("topP")));
        c.clearError();
        QVERIFY(!c.setConversationOptions({{"maxTokens", 2.5}}));
        QVERIFY(!c.setConversationOptions({{"reasoning", "maybe"}}));
        QVERIFY(!c.setConversationOptions({{"bogus", 1}}));
        QCOMPARE(c.conversationOptions().value("maxTokens").toInt(), 3);

        // A context length smaller than the conversation refuses the next reply, saying so.
        QVERIFY(c.setConversationOptions({{"contextLength", 8}}));
        QSignalSpy stored_replies(&c, &ChatController::replyStored);
        QVERIFY(c.send(QStringLiteral("and a much longer second message that cannot fit in eight tokens")));
        QVERIFY(stored_replies.wait(30000));
        QVERIFY(c.errorText().contains(QStringLiteral("context holds 8")));
    }

    void forkCopiesTheShownBranchIntoANewConversation() {
        auto& c = app_->controller();
        c.setSystemPrompt(QStringLiteral("Be brief."));
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        const qint64 original = c.conversationId();
        auto path = app_->storage().conversations().current_path(original);
        QVERIFY(path.ok());
        QVERIFY(c.regenerate(path->back().id));  // a second reply: the shown branch is the new one
        QVERIFY(!c.forkConversation(original));    // not while a reply is being written
        c.clearError();
        QVERIFY(app_->wait_for_reply());
        const auto shown = app_->storage().conversations().current_path(original);
        QVERIFY(shown.ok());

        QSignalSpy changed(&c, &ChatController::conversationChanged);
        QVERIFY(c.forkConversation(original));
        QVERIFY(changed.count() >= 1);
        const qint64 fork = c.conversationId();
        QVERIFY(fork != original);
        const auto copied = app_->storage().conversations().current_path(fork);
        QVERIFY(copied.ok());
        QCOMPARE(copied->size(), shown->size());
        for (size_t i = 0; i < shown->size(); ++i) {
            QCOMPARE((*copied)[i].content, (*shown)[i].content);
            QCOMPARE((*copied)[i].role, (*shown)[i].role);
        }
        QCOMPARE(c.systemPrompt(), QStringLiteral("Be brief."));
        QCOMPARE(c.messages()->rowCount(), static_cast<int>(shown->size()));
        QVERIFY(c.conversations()->rowOf(fork) >= 0);  // listed in the sidebar
        // The original keeps its tree: both replies are still there.
        auto siblings = app_->storage().conversations().siblings(shown->back().id);
        QVERIFY(siblings.ok());
        QCOMPARE(siblings->size(), size_t{2});

        c.newChat();
        QVERIFY(!c.forkConversation(0));  // nothing to fork
        QVERIFY(!c.errorText().isEmpty());
    }

    void stopKeepsThePartialReplyMarkedInterrupted() {
        auto& c = app_->controller();
        GenerationSettings long_reply = greedy_settings();
        long_reply.max_tokens = 4096;  // runs until the context is full unless stopped
        c.setGenerationSettings(long_reply, false);
        // Stop right after the first piece, on the engine's thread: the reply ends within one token.
        EngineWorker* worker = app_->engine().worker();
        bool stopped = false;
        auto connection = connect(worker, &EngineWorker::textPiece, worker, [&, worker](quint64 id, const QString&) {
            if (!stopped) worker->requestStop(id);
            stopped = true;
        }, Qt::DirectConnection);
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        disconnect(connection);
        QVERIFY(stopped);

        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        const auto& reply = path->back();
        QCOMPARE(reply.state, storage::MessageState::interrupted);
        QVERIFY(!reply.content.empty());
        QVERIFY(reply.stats.completion_tokens.value_or(0) <= 2);
        const QString kept = QString::fromStdString(reply.content);
        QVERIFY(reference_reply(QStringLiteral("I")).startsWith(kept));
        QCOMPARE(last_row(c.messages(), MessageListModel::AnswerRole).toString(), kept);
        QCOMPARE(last_row(c.messages(), MessageListModel::StateRole).toString(), QStringLiteral("interrupted"));
        QVERIFY(!c.generating());
    }

    void regenerateAddsASiblingAndSwitchingShowsEither() {
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        const qint64 first = last_row(c.messages(), MessageListModel::IdRole).toLongLong();
        QSignalSpy resets(c.messages(), &QAbstractItemModel::modelReset);
        QSignalSpy removed(c.messages(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(c.messages(), &QAbstractItemModel::rowsInserted);
        QVERIFY(c.regenerate(first));
        QVERIFY(app_->wait_for_reply());
        // Only the reply's row was replaced; the user's message stayed.
        QCOMPARE(resets.count(), 0);
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), 1);
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 1);
        const qint64 second = last_row(c.messages(), MessageListModel::IdRole).toLongLong();
        QVERIFY(second != first);
        QCOMPARE(c.messages()->rowCount(), 2);
        QCOMPARE(last_row(c.messages(), MessageListModel::SiblingIndexRole).toInt(), 1);
        QCOMPARE(last_row(c.messages(), MessageListModel::SiblingCountRole).toInt(), 2);

        c.switchSibling(second, -1);
        QCOMPARE(last_row(c.messages(), MessageListModel::IdRole).toLongLong(), first);
        QCOMPARE(last_row(c.messages(), MessageListModel::SiblingIndexRole).toInt(), 0);
        c.switchSibling(first, +1);
        QCOMPARE(last_row(c.messages(), MessageListModel::IdRole).toLongLong(), second);
        c.switchSibling(second, +1);  // past the last: nothing changes
        QCOMPARE(last_row(c.messages(), MessageListModel::IdRole).toLongLong(), second);
    }

    void editAddsASiblingOfTheUserMessageAndAnswersIt() {
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        MessageListModel* m = c.messages();
        const qint64 original = m->data(m->index(0), MessageListModel::IdRole).toLongLong();
        const QString first_answer = last_row(m, MessageListModel::AnswerRole).toString();
        QVERIFY(c.editMessage(original, QStringLiteral("Contrast")));
        QVERIFY(app_->wait_for_reply());
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->data(m->index(0), MessageListModel::AnswerRole).toString(), QStringLiteral("Contrast"));
        QCOMPARE(m->data(m->index(0), MessageListModel::SiblingIndexRole).toInt(), 1);
        QCOMPARE(m->data(m->index(0), MessageListModel::SiblingCountRole).toInt(), 2);
        QCOMPARE(last_row(m, MessageListModel::StateRole).toString(), QStringLiteral("complete"));
        // The original and its reply are still there.
        const qint64 edited = m->data(m->index(0), MessageListModel::IdRole).toLongLong();
        c.switchSibling(edited, -1);
        QCOMPARE(m->data(m->index(0), MessageListModel::IdRole).toLongLong(), original);
        QCOMPARE(last_row(m, MessageListModel::AnswerRole).toString(), first_answer);
    }

    void aLongConversationOpensOnItsNewestPageAndLoadsOlderPagesInFront() {
        auto& c = app_->controller();
        MessageListModel* m = c.messages();
        const qint64 id = add_long_conversation(app_->storage().conversations(), 2000);
        QVERIFY(id != 0);
        c.openConversation(id);
        QCOMPARE(m->rowCount(), int(kMessagePageSize));
        QCOMPARE(answer(m, 0), QStringLiteral("message 1800"));
        QCOMPARE(answer(m, m->rowCount() - 1), QStringLiteral("message 1999"));
        QVERIFY(m->hasOlder());

        QSignalSpy inserted(m, &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(m, &QAbstractItemModel::rowsRemoved);
        QVERIFY(c.loadOlderMessages());
        // The older page went in front, in order; the shown rows were not touched.
        QCOMPARE(inserted.count(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), int(kMessagePageSize) - 1);
        QCOMPARE(removed.count(), 0);
        QCOMPARE(m->rowCount(), 2 * int(kMessagePageSize));
        for (int row = 0; row < m->rowCount(); ++row)
            QCOMPARE(answer(m, row), QStringLiteral("message %1").arg(1600 + row));

        QSignalSpy hasOlder(m, &MessageListModel::hasOlderChanged);
        while (c.loadOlderMessages()) {}
        QCOMPARE(m->rowCount(), 2000);
        QCOMPARE(answer(m, 0), QStringLiteral("message 0"));
        QCOMPARE(answer(m, 1999), QStringLiteral("message 1999"));
        QVERIFY(!m->hasOlder());
        QCOMPARE(hasOlder.count(), 1);
        QVERIFY(!c.loadOlderMessages());  // nothing above the first message
        QVERIFY(c.errorText().isEmpty());

        // Opened again, it starts over from the newest page.
        c.newChat();
        c.openConversation(id);
        QCOMPARE(m->rowCount(), int(kMessagePageSize));
    }

    void regenerateEditAndSwitchKeepTheLoadedPagesOfALongConversation() {
        auto& c = app_->controller();
        MessageListModel* m = c.messages();
        const qint64 id = add_long_conversation(app_->storage().conversations(), 2000);
        QVERIFY(id != 0);
        c.openConversation(id);
        QVERIFY(c.loadOlderMessages());
        const int shown = m->rowCount();
        QCOMPARE(shown, 2 * int(kMessagePageSize));

        const qint64 first_reply = last_row(m, MessageListModel::IdRole).toLongLong();
        QSignalSpy removed(m, &QAbstractItemModel::rowsRemoved);
        QVERIFY(c.regenerate(first_reply));
        QVERIFY(app_->wait_for_reply());
        // Only the last row was replaced; both pages are still shown.
        QCOMPARE(removed.count(), 1);
        QCOMPARE(removed.at(0).at(1).toInt(), shown - 1);
        QCOMPARE(m->rowCount(), shown);
        QCOMPARE(answer(m, 0), QStringLiteral("message 1600"));
        const qint64 second_reply = last_row(m, MessageListModel::IdRole).toLongLong();
        QVERIFY(second_reply != first_reply);
        QCOMPARE(last_row(m, MessageListModel::SiblingIndexRole).toInt(), 1);
        QCOMPARE(last_row(m, MessageListModel::SiblingCountRole).toInt(), 2);

        c.switchSibling(second_reply, -1);
        QCOMPARE(last_row(m, MessageListModel::IdRole).toLongLong(), first_reply);
        QCOMPARE(last_row(m, MessageListModel::AnswerRole).toString(), QStringLiteral("message 1999"));
        QCOMPARE(m->rowCount(), shown);
        QCOMPARE(answer(m, 0), QStringLiteral("message 1600"));

        const qint64 question = m->data(m->index(shown - 2), MessageListModel::IdRole).toLongLong();
        QVERIFY(c.editMessage(question, QStringLiteral("Contrast")));
        QVERIFY(app_->wait_for_reply());
        QCOMPARE(m->rowCount(), shown);
        QCOMPARE(answer(m, shown - 2), QStringLiteral("Contrast"));
        QCOMPARE(m->data(m->index(shown - 2), MessageListModel::SiblingCountRole).toInt(), 2);
        QCOMPARE(last_row(m, MessageListModel::StateRole).toString(), QStringLiteral("complete"));
        QCOMPARE(answer(m, 0), QStringLiteral("message 1600"));

        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        QCOMPARE(m->rowCount(), shown + 2);
        QCOMPARE(answer(m, 0), QStringLiteral("message 1600"));
        QVERIFY(m->hasOlder());
    }

    void searchFindsAMessageWithItsMatchMarked() {
        auto& c = app_->controller();
        qint64 with_word = 0;
        QVERIFY(two_conversations(QStringLiteral("Tell me about <kaleidoscopes> please"), QStringLiteral("I"), with_word));
        ConversationListModel* list = c.conversations();
        QCOMPARE(list->rowCount(), 2);

        list->setSearchText(QStringLiteral("kaleidoscopes"));
        QCOMPARE(list->rowCount(), 1);
        QCOMPARE(list->data(list->index(0), ConversationListModel::IdRole).toLongLong(), with_word);
        const QString snippet = list->data(list->index(0), ConversationListModel::SnippetRole).toString();
        QVERIFY2(snippet.contains(QStringLiteral("<b>kaleidoscopes</b>")), qPrintable(snippet));
        QVERIFY2(snippet.contains(QStringLiteral("&lt;")), qPrintable(snippet));  // message text is escaped

        list->setSearchText(QStringLiteral("zebrafinch"));
        QCOMPARE(list->rowCount(), 0);
        list->setSearchText(QString());
        QCOMPARE(list->rowCount(), 2);
    }

    void renameAndPinReorderTheSidebar() {
        auto& c = app_->controller();
        qint64 older = 0;
        QVERIFY(two_conversations(QStringLiteral("older"), QStringLiteral("newer"), older));
        ConversationListModel* list = c.conversations();
        QCOMPARE(list->data(list->index(0), ConversationListModel::IdRole).toLongLong(), c.conversationId());

        list->setPinned(older, true);  // pinned first, whatever its age
        QCOMPARE(list->data(list->index(0), ConversationListModel::IdRole).toLongLong(), older);
        QCOMPARE(list->data(list->index(0), ConversationListModel::SectionRole).toString(), QStringLiteral("Pinned"));

        list->rename(older, QStringLiteral("  Renamed  "));
        QCOMPARE(list->data(list->index(0), ConversationListModel::TitleRole).toString(), QStringLiteral("Renamed"));
        auto stored = app_->storage().conversations().conversation(older);
        QVERIFY(stored.ok());
        QCOMPARE(QString::fromStdString(stored->settings.title), QStringLiteral("Renamed"));
        QVERIFY(stored->settings.pinned);
    }

    void modelPickerListsRegisteredModelsMostRecentlyUsedFirst() {
        const QString copy = dir_.path() + QStringLiteral("/second-model.gguf");
        QFile::remove(copy);
        QVERIFY(QFile::copy(bundled_model(), copy));
        std::int64_t now = 1000;  // a clock that moves on every reading: no ties in "last used"
        auto clock = [&now] { return now++; };
        storage::CatalogStore catalog(app_->storage().db(), clock);
        for (const QString& path : {bundled_model(), copy}) {
            storage::ModelFile file;
            file.path = path.toStdString();
            auto id = catalog.add_model(file);
            QVERIFY(id.ok());
            QVERIFY(catalog.mark_model_used(*id).ok());
        }
        ModelCatalogModel list(app_->storage().db(), clock);
        ModelCatalogModel* models = &list;
        QCOMPARE(models->rowCount(), 2);
        QCOMPARE(models->data(models->index(0), ModelCatalogModel::PathRole).toString(), copy);
        QVERIFY(models->data(models->index(0), ModelCatalogModel::PresentRole).toBool());

        const int bundled_row = models->rowOfPath(bundled_model());
        QCOMPARE(bundled_row, 1);
        QCOMPARE(models->use(bundled_row), bundled_model());
        QCOMPARE(models->rowOfPath(bundled_model()), 0);  // used last, listed first
        QCOMPARE(models->data(models->index(0), ModelCatalogModel::NameRole).toString(),
                 QStringLiteral("aidreams260K-f32"));
        QCOMPARE(models->use(7), QString());  // no such row
    }

    void deleteHidesAConversationAndUndoBringsItBack() {
        auto& c = app_->controller();
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        const qint64 id = c.conversationId();
        ConversationListModel* list = c.conversations();
        QCOMPARE(list->rowCount(), 1);
        list->remove(id);
        QCOMPARE(list->rowCount(), 0);
        QVERIFY(list->canUndoDelete());
        QCOMPARE(c.conversationId(), qint64(0));  // the open conversation was closed
        QCOMPARE(c.messages()->rowCount(), 0);
        list->undoDelete();
        QCOMPARE(list->rowCount(), 1);
        QVERIFY(!list->canUndoDelete());
        c.openConversation(id);
        QCOMPARE(c.messages()->rowCount(), 2);
    }

    void restartShowsTheSameConversations() {
        auto& c = app_->controller();
        qint64 first = 0;
        QVERIFY(two_conversations(QStringLiteral("First conversation"), QStringLiteral("Second conversation"), first));
        c.openConversation(first);
        const QString answer = last_row(c.messages(), MessageListModel::AnswerRole).toString();
        app_->close();  // a clean exit, as on quit

        AppFixture second(data_dir_);
        QVERIFY(second.open(false));
        QVERIFY(second.storage().report().previous_exit_clean);
        ConversationListModel* list = second.controller().conversations();
        QCOMPARE(list->rowCount(), 2);
        QCOMPARE(list->data(list->index(0), ConversationListModel::TitleRole).toString(), QStringLiteral("Second conversation"));
        QCOMPARE(list->data(list->index(1), ConversationListModel::TitleRole).toString(), QStringLiteral("First conversation"));
        second.controller().openConversation(first);
        MessageListModel* m = second.controller().messages();
        QCOMPARE(m->rowCount(), 2);
        QCOMPARE(m->data(m->index(0), MessageListModel::AnswerRole).toString(), QStringLiteral("First conversation"));
        QCOMPARE(last_row(m, MessageListModel::AnswerRole).toString(), answer);
    }

    void sendWithoutAModelIsRefusedWithAMessage() {
        app_.reset();
        AppFixture bare(dir_.path() + QStringLiteral("/bare"));
        QVERIFY(bare.open(false));
        ChatController& c = bare.controller();
        QSignalSpy errors(&c, &ChatController::errorTextChanged);
        QVERIFY(!c.send(QStringLiteral("hello")));
        QCOMPARE(errors.count(), 1);
        QVERIFY(!c.errorText().isEmpty());
        QCOMPARE(c.conversations()->rowCount(), 0);  // nothing stored for a refused message
        QVERIFY(!c.generating());
    }

    void aModelThatCannotLoadIsReportedNotFatal() {
        app_.reset();
        AppFixture bare(dir_.path() + QStringLiteral("/badmodel"));
        QVERIFY(bare.open(false));
        const QString bad = dir_.path() + QStringLiteral("/not-a-model.gguf");
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a GGUF file");
        file.close();
        QSignalSpy state(&bare.engine(), &EngineThread::stateChanged);
        bare.engine().load(bad);
        while (bare.engine().state() == EngineThread::State::Loading) QVERIFY(state.wait());
        QCOMPARE(bare.engine().state(), EngineThread::State::Failed);
        QVERIFY(!bare.engine().errorText().isEmpty());
    }

private:
    // Two conversations, each one message and its reply; the second is left open.
    bool two_conversations(const QString& first_text, const QString& second_text, qint64& first_id) {
        if (!app_->send_and_wait(first_text)) return false;
        first_id = app_->controller().conversationId();
        app_->controller().newChat();
        return app_->send_and_wait(second_text);
    }

    QTemporaryDir dir_;
    QString data_dir_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_GUILESS_MAIN(ChatControllerTest)
#include "chat_controller_test.moc"

// Bad input in the chat (RELIABILITY.md U1-U3), on the real engine (bundled model) and a real
// database in a temporary folder. U6 (pathological Markdown) is in message_blocks_test.cpp.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "engine_loader.h"
#include "message_blocks.h"
#include "tokenizer/streaming_decoder.h"
#include "tokenizer/unicode.h"
#include "utf8_text.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

constexpr QChar kReplacement = QChar::ReplacementCharacter;

QString row_text(MessageListModel* m, int row, int role = MessageListModel::AnswerRole) {
    return m->data(m->index(row), role).toString();
}

bool valid_utf8(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
        const Utf8Check c = check_utf8(s, i);
        if (c.kind != Utf8Check::kComplete) return false;
        i += c.length;
    }
    return true;
}

}  // namespace

class BadInputTest : public QObject {
    Q_OBJECT

private slots:
    void init() {
        QVERIFY(dir_.isValid());
        app_ = std::make_unique<AppFixture>(dir_.path() + QStringLiteral("/data-") + QTest::currentTestFunction());
        QVERIFY(app_->open());
    }
    void cleanup() { app_.reset(); }

    // U1: a paste longer than any context of the loaded model can hold is refused by send()
    // at once, before it is stored or tokenized (storing 50 MB would hold the GUI thread for
    // seconds); nothing is written, the composer keeps the text, and the app still chats.
    void U1_aFiftyMegabytePasteIsRefusedAtOnceAsOverTheContextAndNothingIsStored() {
        auto& c = app_->controller();
        const QString paste = QStringLiteral("pasted words ").repeated(4 * 1024 * 1024);  // 52 MB
        QVERIFY(!c.send(paste));
        QVERIFY(!c.generating());
        QVERIFY2(c.errorText().contains(QStringLiteral("too long for the context")), qPrintable(c.errorText()));
        QVERIFY2(c.errorText().contains(QStringLiteral("Shorten it")), qPrintable(c.errorText()));
        QCOMPARE(c.conversationId(), qint64(0));
        QCOMPARE(c.messages()->rowCount(), 0);
        auto listed = app_->storage().conversations().recent_conversations(10);
        QVERIFY(listed.ok());
        QVERIFY(listed->empty());

        c.clearError();
        QVERIFY(app_->send_and_wait(QStringLiteral("I")));
        QCOMPARE(row_text(c.messages(), 1, MessageListModel::StateRole), QStringLiteral("complete"));
    }

    // U1, a huge message already in the history (written by another client, or for a remote
    // model whose context is not known here): kept whole, and the view lays out only its start.
    void U1_aHugeStoredMessageIsKeptWholeAndShownCut() {
        auto& store = app_->storage().conversations();
        const std::string paste = std::string("pasted words ").append(std::string(52u << 20, 'x'));
        auto id = store.create_conversation({"A paste"});
        QVERIFY(id.ok());
        storage::NewMessage m;
        m.role = storage::Role::user;
        m.content = paste;
        QVERIFY(store.insert_message(*id, m, true).ok());
        auto& c = app_->controller();
        c.openConversation(*id);
        MessageListModel* rows = c.messages();
        QCOMPARE(rows->rowCount(), 1);
        QCOMPARE(row_text(rows, 0).size(), qsizetype(paste.size()));  // copy and edit get all of it
        const QString shown = row_text(rows, 0, MessageListModel::ShownAnswerRole);
        QVERIFY(shown.size() < kMaxShownChars + 200);
        QVERIFY(shown.startsWith(QString::fromStdString(paste.substr(0, kMaxShownChars))));
    }

    // U2, from the user: lone surrogates (possible in a QString from a paste) are stored and
    // shown as U+FFFD, not as '?' (what QString::toUtf8 alone writes); a real pair stays.
    void U2_loneSurrogatesFromTheUserBecomeReplacementCharacters() {
        auto& c = app_->controller();
        QString text = QStringLiteral("high ");
        text += QChar(0xD800);
        text += QStringLiteral(" low ");
        text += QChar(0xDC00);
        text += QStringLiteral(" pair ") + QString::fromUtf8("\xF0\x9F\x98\x80");
        QVERIFY(app_->send_and_wait(text));
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        const std::string stored = path->front().content;
        QVERIFY(stored == std::string("high \xEF\xBF\xBD low \xEF\xBF\xBD pair \xF0\x9F\x98\x80"));
        const QString shown = row_text(c.messages(), 0);
        QCOMPARE(shown, QString::fromStdString(stored));
        QCOMPARE(shown.count(kReplacement), 2);
        QVERIFY(!shown.contains(QLatin1Char('?')));

        // An edit goes the same way.
        QString edit = QStringLiteral("edited ");
        edit += QChar(0xDBFF);
        QVERIFY(c.editMessage(path->front().id, edit));
        QVERIFY(app_->wait_for_reply());
        QCOMPARE(row_text(c.messages(), 0), QStringLiteral("edited ") + kReplacement);
    }

    // U2, from the model: bytes that are not UTF-8 in the engine's stream are shown as U+FFFD
    // and stored as the same text.
    void U2_invalidUtf8FromTheModelIsStoredAsItIsShown() {
        auto& c = app_->controller();
        QCOMPARE(from_utf8("\xFF ok \xC3"), kReplacement + QStringLiteral(" ok ") + kReplacement);
        QVERIFY(c.send(QStringLiteral("I")));
        // Into the reply's stream, as the engine thread sends it, before the model's own text.
        emit app_->engine().textPiece(app_->engine().lastRequestId(), from_utf8("<\xFF\xFE|\xED\xA0\x80>"));
        QVERIFY(app_->wait_for_reply());
        auto path = app_->storage().conversations().current_path(c.conversationId());
        QVERIFY(path.ok());
        const std::string stored = path->back().content;
        QVERIFY2(stored.find("<\xEF\xBF\xBD\xEF\xBF\xBD|") != std::string::npos, stored.c_str());
        QVERIFY(valid_utf8(stored));
        QCOMPARE(row_text(c.messages(), 1), QString::fromStdString(stored));
    }

    // U3: a character the vocabulary lacks is written as byte tokens; streamed token by token
    // through the engine's decoder and into the message list, no piece is ever shown broken.
    void U3_aCharacterSplitAcrossTokensIsNeverShownBroken() {
        LoadRequest request;
        request.path = bundled_model();
        auto engine = load_engine(request);
        QVERIFY(engine.ok());
        const Tokenizer& tokenizer = *(*engine)->tokenizer;
        const std::string text = "Grüße, 😀 and €5 — 日本";
        const std::vector<int32_t> ids = tokenizer.encode(text, false, false);
        int split_tokens = 0;  // tokens that are not whole characters on their own
        for (int32_t t : ids) split_tokens += valid_utf8(tokenizer.decode_token(t)) ? 0 : 1;
        QVERIFY2(split_tokens >= 4, "the bundled vocabulary should spell these characters in bytes");

        MessageListModel model;
        MessageRow reply;
        reply.role = QStringLiteral("assistant");
        reply.state = storage::MessageState::streaming;
        model.setRows({reply});
        StreamingDecoder decoder(tokenizer);
        for (int32_t t : ids) {
            const std::string piece = decoder.push(t);
            QVERIFY(valid_utf8(piece));
            model.appendToLast(from_utf8(piece));
            QVERIFY2(!row_text(&model, 0).contains(kReplacement), qPrintable(row_text(&model, 0)));
        }
        model.appendToLast(from_utf8(decoder.flush()));
        QCOMPARE(row_text(&model, 0), QString::fromStdString(text));
    }

private:
    QTemporaryDir dir_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_GUILESS_MAIN(BadInputTest)
#include "bad_input_test.moc"

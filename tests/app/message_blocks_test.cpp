// Cutting a reply into prose and fenced code blocks, including a fence still open while
// streaming; and pathological Markdown (RELIABILITY.md U6) shown as plain text or cut.
#include <QtTest>

#include "message_blocks.h"

using namespace tessera::app;

using Blocks = std::vector<MessageBlock>;
Q_DECLARE_METATYPE(Blocks)

namespace QTest {
template <>
char* toString(const Blocks& blocks) {
    QString s;
    for (const auto& b : blocks) s += (b.code ? QStringLiteral("[code %1] ").arg(b.language) : b.plain ? QStringLiteral("[plain] ") : QStringLiteral("[text] ")) + b.text + QStringLiteral(" | ");
    return qstrdup(s.toUtf8().constData());
}
}  // namespace QTest

class MessageBlocksTest : public QObject {
    Q_OBJECT

private slots:
    void split_data() {
        QTest::addColumn<QString>("markdown");
        QTest::addColumn<Blocks>("blocks");
        QTest::newRow("prose only") << "Just **text**.\nTwo lines." << Blocks{{false, "Just **text**.\nTwo lines.", ""}};
        QTest::newRow("code between prose")
            << "Use this:\n```cpp\nint x = 1;\n\nreturn x;\n```\nDone."
            << Blocks{{false, "Use this:", ""}, {true, "int x = 1;\n\nreturn x;", "cpp"}, {false, "Done.", ""}};
        QTest::newRow("tildes, no language") << "~~~\na ``` inside\n~~~" << Blocks{{true, "a ``` inside", ""}};
        QTest::newRow("open fence while streaming") << "Code:\n```py\nprint(1)" << Blocks{{false, "Code:", ""}, {true, "print(1)", "py"}};
        QTest::newRow("a longer closing fence only if it is the same kind")
            << "````\n```\nnested\n```\n````" << Blocks{{true, "```\nnested\n```", ""}};
        QTest::newRow("inline backticks are prose") << "Call `f()` here." << Blocks{{false, "Call `f()` here.", ""}};
        QTest::newRow("empty") << "" << Blocks{};
    }
    void split() {
        QFETCH(QString, markdown);
        QFETCH(Blocks, blocks);
        QCOMPARE(split_code_blocks(markdown), blocks);
    }

    // Nesting or delimiter runs past the limit would make Markdown layout deep or slow: the
    // prose is shown as plain text; up to the limit it stays Markdown.
    void U6_deeplyNestedMarkdownIsShownAsPlainText_data() {
        QTest::addColumn<QString>("prose");
        QTest::addColumn<bool>("plain");
        const int n = kMaxMarkdownNesting;
        QTest::newRow("quotes at the limit") << QString(n, QLatin1Char('>')) + QStringLiteral(" deep") << false;
        QTest::newRow("quotes past it") << QString(n + 1, QLatin1Char('>')) + QStringLiteral(" deep") << true;
        QTest::newRow("spaced quotes past it") << QStringLiteral("> ").repeated(n + 1) + QStringLiteral("deep") << true;
        QTest::newRow("nested lists past it") << QStringLiteral("- ").repeated(n + 1) + QStringLiteral("item") << true;
        QTest::newRow("emphasis") << QStringLiteral("***bold italic*** and _this_") << false;
        QTest::newRow("a run of stars") << QStringLiteral("a") + QString(n + 1, QLatin1Char('*')) + QStringLiteral("b") << true;
        QTest::newRow("a run of brackets") << QString(n + 1, QLatin1Char('[')) + QStringLiteral("x") << true;
        QTest::newRow("a run of backticks inside a line") << QStringLiteral("x ") + QString(n + 1, QLatin1Char('`')) << true;
        QTest::newRow("100k nested quotes") << QString(100000, QLatin1Char('>')) << true;
        QTest::newRow("100k stars, two lines") << QString(50000, QLatin1Char('*')) + QLatin1Char('\n') + QString(50000, QLatin1Char('*')) << true;
        QTest::newRow("long but plain prose") << QStringLiteral("word ").repeated(3000) << false;
        QTest::newRow("over the Markdown size") << QStringLiteral("word ").repeated(int(kMaxMarkdownChars) / 5 + 1) << true;
    }
    void U6_deeplyNestedMarkdownIsShownAsPlainText() {
        QFETCH(QString, prose);
        QFETCH(bool, plain);
        QCOMPARE(markdown_is_safe(prose), !plain);
        const auto blocks = split_code_blocks(QStringLiteral("Before:\n```\ncode\n```\n") + prose);
        QCOMPARE(int(blocks.size()), 3);
        QVERIFY(!blocks[0].plain);
        QVERIFY(blocks[1].code);
        QCOMPARE(blocks[2].plain, plain);
        QCOMPARE(blocks[2].text, prose);  // nothing of it is lost
    }

    // 100k backticks open a fence: a code block, which is plain monospace anyway.
    void U6_aHugeFenceIsACodeBlock() {
        const auto blocks = split_code_blocks(QString(100000, QLatin1Char('`')) + QStringLiteral("\nx"));
        QCOMPARE(int(blocks.size()), 1);
        QVERIFY(blocks[0].code);
        QCOMPARE(blocks[0].text, QStringLiteral("x"));
    }

    // A 10 MB single line is not laid out whole: the first kMaxShownChars, plain, with a note.
    void U6_aTenMegabyteLineIsShownCutAsPlainText() {
        const QString line = QStringLiteral("*a* [b](c) `d` ").repeated(10 * 1024 * 1024 / 15);
        const auto blocks = split_code_blocks(line);
        QCOMPARE(int(blocks.size()), 1);
        QVERIFY(blocks[0].plain);
        QVERIFY(blocks[0].text.startsWith(line.left(kMaxShownChars)));
        QVERIFY2(blocks[0].text.contains(QStringLiteral("%1 more characters").arg(line.size() - kMaxShownChars)),
                 qPrintable(blocks[0].text.right(200)));
        QCOMPARE(shown_text(line), blocks[0].text);
        QCOMPARE(shown_text(QStringLiteral("short")), QStringLiteral("short"));
    }
};

QTEST_GUILESS_MAIN(MessageBlocksTest)
#include "message_blocks_test.moc"

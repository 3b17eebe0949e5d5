// Cutting a reply into prose and fenced code blocks, including a fence still open while streaming.
#include <QtTest>

#include "message_blocks.h"

using tessera::app::MessageBlock;
using tessera::app::split_code_blocks;

using Blocks = std::vector<MessageBlock>;
Q_DECLARE_METATYPE(Blocks)

namespace QTest {
template <>
char* toString(const Blocks& blocks) {
    QString s;
    for (const auto& b : blocks) s += (b.code ? QStringLiteral("[code %1] ").arg(b.language) : QStringLiteral("[text] ")) + b.text + QStringLiteral(" | ");
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
};

QTEST_GUILESS_MAIN(MessageBlocksTest)
#include "message_blocks_test.moc"

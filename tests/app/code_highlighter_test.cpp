// Syntax colouring of code blocks: keywords only for a known language, strings, numbers, line
// and block comments (across lines), and markers inside strings left alone.
#include <QTextBlock>
#include <QTextDocument>
#include <QTextLayout>
#include <QtTest>

#include "code_highlighter.h"

using namespace tessera::app;

namespace {

// The colour Qt drew at `pos` of line `line` (invalid where nothing was formatted).
QColor colour_at(QTextDocument& doc, int line, int pos) {
    const QTextBlock block = doc.findBlockByNumber(line);
    for (const QTextLayout::FormatRange& r : block.layout()->formats())
        if (pos >= r.start && pos < r.start + r.length) return r.format.foreground().color();
    return {};
}

}  // namespace

class CodeHighlighterTest : public QObject {
    Q_OBJECT

private slots:
    void cppKeywordsStringsNumbersAndComments() {
        QTextDocument doc(QStringLiteral("int x = 42; // \"not a string\"\n"
                                         "const char* s = \"// not a comment\";\n"
                                         "/* a block\n"
                                         "   comment */ return 0;"));
        CodeRules rules(&doc, code_language(QStringLiteral("cpp")), false);
        rules.rehighlight();
        const QColor keyword = colour_at(doc, 0, 0);  // int
        const QColor number = colour_at(doc, 0, 8);   // 42
        const QColor comment = colour_at(doc, 0, 12); // //
        const QColor string = colour_at(doc, 1, 17);  // "// not ..."
        QVERIFY(keyword.isValid() && number.isValid() && comment.isValid() && string.isValid());
        QVERIFY(keyword != number && keyword != comment && keyword != string && number != comment && string != comment);
        QVERIFY(!colour_at(doc, 0, 4).isValid());       // x: plain
        QCOMPARE(colour_at(doc, 0, 16), comment);       // the quote inside the comment is comment
        QCOMPARE(colour_at(doc, 1, 0), keyword);        // const
        QCOMPARE(colour_at(doc, 1, 20), string);        // the // inside the string is string
        QCOMPARE(colour_at(doc, 2, 0), comment);        // /* opens ...
        QCOMPARE(colour_at(doc, 3, 5), comment);        // ... and carries to the next line
        QCOMPARE(colour_at(doc, 3, 14), keyword);       // return, after the comment closed
    }

    void languagesPickTheirOwnKeywordsAndComments() {
        QTextDocument py(QStringLiteral("def f(): return None  # done"));
        CodeRules p(&py, code_language(QStringLiteral("Python")), true);
        p.rehighlight();
        QVERIFY(colour_at(py, 0, 0).isValid());                      // def
        QVERIFY(colour_at(py, 0, 24).isValid());                     // # comment
        QVERIFY(colour_at(py, 0, 0) != colour_at(py, 0, 24));

        // An unknown language: no keywords (int stays plain), but strings and numbers.
        QTextDocument plain(QStringLiteral("int x = \"a\" 7"));
        CodeRules u(&plain, code_language(QStringLiteral("brainfudge")), false);
        u.rehighlight();
        QVERIFY(!colour_at(plain, 0, 0).isValid());
        QVERIFY(colour_at(plain, 0, 8).isValid());
        QVERIFY(colour_at(plain, 0, 12).isValid());

        QVERIFY(code_language(QStringLiteral("rs")).has_value());
        QVERIFY(code_language(QStringLiteral("bash")).has_value());
        QVERIFY(!code_language(QString()).has_value());
    }

    void darkAndLightUseDifferentColours() {
        QTextDocument a(QStringLiteral("while")), b(QStringLiteral("while"));
        CodeRules light(&a, code_language(QStringLiteral("c")), false), dark(&b, code_language(QStringLiteral("c")), true);
        light.rehighlight();
        dark.rehighlight();
        QVERIFY(colour_at(a, 0, 0).isValid() && colour_at(b, 0, 0).isValid());
        QVERIFY(colour_at(a, 0, 0) != colour_at(b, 0, 0));
    }
};

QTEST_MAIN(CodeHighlighterTest)
#include "code_highlighter_test.moc"

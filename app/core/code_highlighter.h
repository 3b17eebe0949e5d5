// Syntax colouring for the code blocks of replies: keywords of the block's language (the
// fence's info string), strings, numbers and comments, in the light or the dark palette.
// Attached from QML to a TextEdit's textDocument; works line by line as Qt re-highlights,
// with block comments carried across lines. An unknown language gets strings, numbers and
// comments only, never a wrong language's keywords.
#pragma once

#include <QObject>
#include <QPointer>
#include <QQuickTextDocument>
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QtQml/qqmlregistration.h>
#include <memory>
#include <optional>

namespace tessera::app {

// The rules for one language family, and the highlighter that applies them to a document.
struct CodeLanguage {
    QStringList keywords;
    QString line_comment;                   // "//", "#", "--"; empty: none
    bool block_comments = false;            // /* ... */
};
// The family of a fence's info string ("cpp", "Python", "rs", ...), or nothing.
std::optional<CodeLanguage> code_language(const QString& info);

class CodeRules final : public QSyntaxHighlighter {
public:
    CodeRules(QTextDocument* document, std::optional<CodeLanguage> language, bool dark);

protected:
    void highlightBlock(const QString& text) override;

private:
    std::optional<CodeLanguage> language_;
    QRegularExpression keyword_, number_;
    QTextCharFormat keyword_format_, string_format_, number_format_, comment_format_;
};

class CodeHighlighter : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QQuickTextDocument* document READ document WRITE setDocument NOTIFY changed)
    Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY changed)
    Q_PROPERTY(bool dark READ dark WRITE setDark NOTIFY changed)

public:
    explicit CodeHighlighter(QObject* parent = nullptr) : QObject(parent) {}
    ~CodeHighlighter() override { delete rules_.data(); }
    QQuickTextDocument* document() const { return document_; }
    void setDocument(QQuickTextDocument* document);
    QString language() const { return language_; }
    void setLanguage(const QString& language);
    bool dark() const { return dark_; }
    void setDark(bool dark);

signals:
    void changed();

private:
    void rebuild();

    QPointer<QQuickTextDocument> document_;
    QString language_;
    bool dark_ = false;
    // Owned by the document it colours (QSyntaxHighlighter's parent), which may go first.
    QPointer<CodeRules> rules_;
};

}  // namespace tessera::app

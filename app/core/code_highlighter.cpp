#include "code_highlighter.h"

#include <QTextDocument>

namespace tessera::app {
namespace {

const QStringList kCFamily = {
    "auto", "bool", "break", "case", "catch", "char", "class", "const", "constexpr", "continue", "default",
    "delete", "do", "double", "else", "enum", "explicit", "extern", "false", "float", "for", "if", "include",
    "inline", "int", "long", "namespace", "new", "nullptr", "private", "protected", "public", "return", "short",
    "signed", "sizeof", "static", "struct", "switch", "template", "this", "throw", "true", "try", "typedef",
    "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "while"};
const QStringList kPython = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def",
    "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "self", "try", "while", "with", "yield"};
const QStringList kJavaScript = {
    "async", "await", "break", "case", "catch", "class", "const", "continue", "default", "delete", "do", "else",
    "export", "extends", "false", "finally", "for", "function", "if", "import", "in", "instanceof", "interface",
    "let", "new", "null", "return", "static", "switch", "this", "throw", "true", "try", "type", "typeof",
    "undefined", "var", "void", "while", "yield"};
const QStringList kRust = {
    "as", "async", "await", "break", "const", "continue", "crate", "else", "enum", "false", "fn", "for", "if",
    "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while"};
const QStringList kGo = {
    "break", "case", "chan", "const", "continue", "default", "defer", "else", "false", "for", "func", "go",
    "goto", "if", "import", "interface", "map", "nil", "package", "range", "return", "select", "struct",
    "switch", "true", "type", "var"};
const QStringList kShell = {
    "case", "do", "done", "echo", "elif", "else", "esac", "exit", "export", "fi", "for", "function", "if", "in",
    "local", "return", "then", "until", "while"};
const QStringList kSql = {
    "and", "as", "by", "create", "delete", "from", "group", "insert", "into", "join", "not", "null", "or",
    "order", "select", "set", "table", "update", "values", "where"};

}  // namespace

std::optional<CodeLanguage> code_language(const QString& info) {
    const QString name = info.trimmed().section(QLatin1Char(' '), 0, 0).toLower();
    auto is = [&](std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (name == QLatin1String(n)) return true;
        return false;
    };
    if (is({"c", "cpp", "c++", "cc", "cxx", "h", "hpp", "cuda", "glsl", "java", "cs", "csharp", "kotlin", "swift"}))
        return CodeLanguage{kCFamily, QStringLiteral("//"), true};
    if (is({"python", "py", "python3"})) return CodeLanguage{kPython, QStringLiteral("#"), false};
    if (is({"js", "javascript", "ts", "typescript", "jsx", "tsx", "mjs"}))
        return CodeLanguage{kJavaScript, QStringLiteral("//"), true};
    if (is({"rust", "rs"})) return CodeLanguage{kRust, QStringLiteral("//"), true};
    if (is({"go", "golang"})) return CodeLanguage{kGo, QStringLiteral("//"), true};
    if (is({"bash", "sh", "shell", "zsh", "console"})) return CodeLanguage{kShell, QStringLiteral("#"), false};
    if (is({"sql", "sqlite"})) return CodeLanguage{kSql, QStringLiteral("--"), true};
    if (is({"yaml", "yml", "toml", "ini", "dockerfile", "cmake", "make", "makefile"}))
        return CodeLanguage{{}, QStringLiteral("#"), false};
    return std::nullopt;
}

CodeRules::CodeRules(QTextDocument* document, std::optional<CodeLanguage> language, bool dark)
    : QSyntaxHighlighter(document), language_(std::move(language)),
      number_(QStringLiteral("\\b(0x[0-9a-fA-F]+|\\d+(\\.\\d+)?([eE][-+]?\\d+)?)\\b")) {
    if (language_ && !language_->keywords.isEmpty()) {
        QStringList escaped;
        for (const QString& k : language_->keywords) escaped << QRegularExpression::escape(k);
        const bool sql = language_->line_comment == QLatin1String("--");
        keyword_ = QRegularExpression(QStringLiteral("\\b(%1)\\b").arg(escaped.join(QLatin1Char('|'))),
                                      sql ? QRegularExpression::CaseInsensitiveOption : QRegularExpression::NoPatternOption);
    }
    keyword_format_.setForeground(QColor(dark ? "#c792ea" : "#7b1fa2"));
    keyword_format_.setFontWeight(QFont::DemiBold);
    string_format_.setForeground(QColor(dark ? "#a5d6a7" : "#2e7d32"));
    number_format_.setForeground(QColor(dark ? "#f9a86b" : "#b45309"));
    comment_format_.setForeground(QColor(dark ? "#8b949e" : "#6a737d"));
    comment_format_.setFontItalic(true);
}

void CodeRules::highlightBlock(const QString& text) {
    if (keyword_.isValid() && !keyword_.pattern().isEmpty())
        for (auto it = keyword_.globalMatch(text); it.hasNext();) {
            const auto m = it.next();
            setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), keyword_format_);
        }
    for (auto it = number_.globalMatch(text); it.hasNext();) {
        const auto m = it.next();
        setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()), number_format_);
    }
    // Strings and comments, left to right, so a quote inside a comment (or a comment marker
    // inside a string) is not taken for what it is not. State 1: inside a /* */ comment.
    const bool blocks = language_ && language_->block_comments;
    const QString line = language_ ? language_->line_comment : QString();
    int i = 0;
    const int n = static_cast<int>(text.size());
    if (previousBlockState() == 1) {
        const int end = static_cast<int>(text.indexOf(QLatin1String("*/")));
        const int stop = end < 0 ? n : end + 2;
        setFormat(0, stop, comment_format_);
        if (end < 0) {
            setCurrentBlockState(1);
            return;
        }
        i = stop;
    }
    setCurrentBlockState(0);
    while (i < n) {
        const QChar c = text[i];
        if (!line.isEmpty() && text.mid(i, line.size()) == line) {
            setFormat(i, n - i, comment_format_);
            return;
        }
        if (blocks && text.mid(i, 2) == QLatin1String("/*")) {
            const int end = static_cast<int>(text.indexOf(QLatin1String("*/"), i + 2));
            if (end < 0) {
                setFormat(i, n - i, comment_format_);
                setCurrentBlockState(1);
                return;
            }
            setFormat(i, end + 2 - i, comment_format_);
            i = end + 2;
            continue;
        }
        if (c == QLatin1Char('"') || c == QLatin1Char('\'') || c == QLatin1Char('`')) {
            int j = i + 1;
            while (j < n && text[j] != c) j += text[j] == QLatin1Char('\\') ? 2 : 1;
            const int stop = std::min(n, j + 1);
            setFormat(i, stop - i, string_format_);
            i = stop;
            continue;
        }
        ++i;
    }
}

void CodeHighlighter::setDocument(QQuickTextDocument* document) {
    if (document_ == document) return;
    document_ = document;
    rebuild();
    emit changed();
}

void CodeHighlighter::setLanguage(const QString& language) {
    if (language_ == language) return;
    language_ = language;
    rebuild();
    emit changed();
}

void CodeHighlighter::setDark(bool dark) {
    if (dark_ == dark) return;
    dark_ = dark;
    rebuild();
    emit changed();
}

void CodeHighlighter::rebuild() {
    delete rules_.data();  // null when its document is already gone
    if (document_ && document_->textDocument())
        rules_ = new CodeRules(document_->textDocument(), code_language(language_), dark_);
}

}  // namespace tessera::app

#include "message_blocks.h"

#include <QObject>
#include <QStringList>
#include <QVariantMap>

namespace tessera::app {
namespace {

// A fence: up to three spaces, then ``` or ~~~ (or longer). Returns the marker, or empty.
QString fence_marker(const QString& line) {
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line[i] == QLatin1Char(' ')) ++i;
    if (i >= line.size() || (line[i] != QLatin1Char('`') && line[i] != QLatin1Char('~'))) return {};
    const QChar c = line[i];
    qsizetype n = 0;
    while (i + n < line.size() && line[i + n] == c) ++n;
    return n >= 3 ? QString(n, c) : QString();
}

bool is_delimiter(QChar c) {
    return c == QLatin1Char('*') || c == QLatin1Char('_') || c == QLatin1Char('`') || c == QLatin1Char('[');
}

// Blockquote and list levels a line opens: its leading '>' and list markers.
int line_nesting(QStringView line) {
    int depth = 0;
    qsizetype i = 0;
    while (i < line.size()) {
        const QChar c = line[i];
        if (c == QLatin1Char(' ') || c == QLatin1Char('\t')) {
            ++i;
        } else if (c == QLatin1Char('>')) {
            ++depth;
            ++i;
        } else if ((c == QLatin1Char('-') || c == QLatin1Char('+') || c == QLatin1Char('*')) && i + 1 < line.size() &&
                   line[i + 1] == QLatin1Char(' ')) {
            ++depth;
            i += 2;
        } else {
            break;
        }
    }
    return depth;
}

}  // namespace

bool markdown_is_safe(const QString& prose) {
    if (prose.size() > kMaxMarkdownChars) return false;
    qsizetype line_start = 0;
    qsizetype run = 0;
    for (qsizetype i = 0; i <= prose.size(); ++i) {
        if (i == prose.size() || prose[i] == QLatin1Char('\n')) {
            if (line_nesting(QStringView(prose).mid(line_start, i - line_start)) > kMaxMarkdownNesting) return false;
            line_start = i + 1;
            run = 0;
            continue;
        }
        run = is_delimiter(prose[i]) && i > 0 && prose[i] == prose[i - 1] ? run + 1 : (is_delimiter(prose[i]) ? 1 : 0);
        if (run > kMaxMarkdownNesting) return false;
    }
    return true;
}

QString shown_text(const QString& message) {
    if (message.size() <= kMaxShownChars) return message;
    return message.left(kMaxShownChars) +
           QObject::tr("\n\n[%1 more characters are not shown here; Copy takes the whole message.]")
               .arg(message.size() - kMaxShownChars);
}

std::vector<MessageBlock> split_code_blocks(const QString& message) {
    std::vector<MessageBlock> blocks;
    if (message.size() > kMaxShownChars) {  // one plain block: no Markdown for megabytes
        blocks.push_back({.text = shown_text(message), .plain = true});
        return blocks;
    }
    const QString& markdown = message;
    QStringList lines;
    QString open_fence;  // the marker of the code block being read; empty in prose
    MessageBlock current;
    auto flush = [&] {
        current.text = lines.join(QLatin1Char('\n'));
        current.plain = !current.code && !markdown_is_safe(current.text);
        if (current.code || !current.text.trimmed().isEmpty()) blocks.push_back(current);
        lines.clear();
        current = {};
    };
    for (const QString& line : markdown.split(QLatin1Char('\n'))) {
        const QString marker = fence_marker(line);
        if (open_fence.isEmpty() && !marker.isEmpty()) {
            flush();
            open_fence = marker;
            current.code = true;
            current.language = line.trimmed().mid(marker.size()).trimmed();
        } else if (!open_fence.isEmpty() && marker.startsWith(open_fence) && line.trimmed() == marker) {
            flush();
            open_fence.clear();
        } else {
            lines << line;
        }
    }
    flush();
    return blocks;
}

QVariantList to_variant_list(const std::vector<MessageBlock>& blocks) {
    QVariantList list;
    list.reserve(static_cast<qsizetype>(blocks.size()));
    for (const auto& b : blocks)
        list << QVariantMap{{QStringLiteral("code"), b.code}, {QStringLiteral("text"), b.text},
                            {QStringLiteral("language"), b.language}, {QStringLiteral("plain"), b.plain}};
    return list;
}

}  // namespace tessera::app

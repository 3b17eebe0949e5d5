#include "message_blocks.h"

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

}  // namespace

std::vector<MessageBlock> split_code_blocks(const QString& markdown) {
    std::vector<MessageBlock> blocks;
    QStringList lines;
    QString open_fence;  // the marker of the code block being read; empty in prose
    MessageBlock current;
    auto flush = [&] {
        current.text = lines.join(QLatin1Char('\n'));
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
                            {QStringLiteral("language"), b.language}};
    return list;
}

}  // namespace tessera::app

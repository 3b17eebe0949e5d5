// A reply's Markdown cut into prose and fenced code blocks, so the view can show each code
// block in its own monospace box with a copy button. A fence still open at the end (a reply
// being streamed) is a code block up to the end.
#pragma once

#include <QString>
#include <QVariantList>
#include <vector>

namespace tessera::app {

struct MessageBlock {
    bool code = false;
    QString text;      // prose as Markdown; code without its fences
    QString language;  // the fence's info string ("cpp"), empty when none

    bool operator==(const MessageBlock&) const = default;
};

std::vector<MessageBlock> split_code_blocks(const QString& markdown);

// For QML: [{code: bool, text: string, language: string}, ...].
QVariantList to_variant_list(const std::vector<MessageBlock>& blocks);

}  // namespace tessera::app

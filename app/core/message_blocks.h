// A reply's Markdown cut into prose and fenced code blocks, so the view can show each code
// block in its own monospace box with a copy button. A fence still open at the end (a reply
// being streamed) is a code block up to the end.
//
// Pathological text (U1, U6) never reaches the Markdown layout: the split is one linear pass,
// prose too long or too deeply nested for Markdown is marked plain, and past kMaxShownChars
// a message is shown cut, as one plain block (Copy still takes the whole message).
#pragma once

#include <QString>
#include <QVariantList>
#include <vector>

namespace tessera::app {

// Prose longer than this is shown as plain text: Markdown layout of it would stall the window.
inline constexpr qsizetype kMaxMarkdownChars = 20000;
// Blockquote or list levels, or a run of one emphasis, code or link delimiter (*, _, `, [),
// beyond which prose is shown as plain text.
inline constexpr int kMaxMarkdownNesting = 16;
// The most of one message the view lays out.
inline constexpr qsizetype kMaxShownChars = 200000;

struct MessageBlock {
    bool code = false;
    QString text;      // prose as Markdown; code without its fences
    QString language;  // the fence's info string ("cpp"), empty when none
    bool plain = false;  // prose to show as plain text (too long or too deeply nested)

    bool operator==(const MessageBlock&) const = default;
};

std::vector<MessageBlock> split_code_blocks(const QString& markdown);

// Whether Markdown layout of this prose stays within budget (its length and nesting).
bool markdown_is_safe(const QString& prose);

// The text the view shows: the message, or its first kMaxShownChars with a note of how much
// more there is.
QString shown_text(const QString& message);

// For QML: [{code: bool, text: string, language: string, plain: bool}, ...].
QVariantList to_variant_list(const std::vector<MessageBlock>& blocks);

}  // namespace tessera::app

#include "session/chat_prompt.h"

#include "chat/text_util.h"

namespace tessera {
namespace {

// Special-token text inside a message is swapped for a marker from Unicode's
// supplementary private use area before rendering, and swapped back afterwards, so its
// place in the rendered prompt is known and can be tokenized as plain text.
constexpr char32_t kMarkerBase = 0xF0000;

std::string marker(size_t index) {
    std::string out;
    chat::append_utf8(out, kMarkerBase + static_cast<char32_t>(index));
    return out;
}

}  // namespace

Result<ChatPrompt> build_chat_prompt(const Tokenizer& tokenizer, const chat::TemplateChoice& choice,
                                     const chat::ChatTemplateInput& input) {
    chat::ChatTemplateInput escaped = input;
    std::vector<std::string> literals;
    for (auto& message : escaped.messages) {
        const auto found = tokenizer.find_special(message.content);
        if (found.empty()) continue;
        std::string content;
        size_t pos = 0;
        for (const auto& r : found) {
            content.append(message.content, pos, r.offset - pos);
            content += marker(literals.size());
            literals.push_back(message.content.substr(r.offset, r.length));
            pos = r.offset + r.length;
        }
        content.append(message.content, pos);
        message.content = std::move(content);
    }

    auto rendered = chat::render_with_fallback(choice, escaped);
    if (!rendered) return rendered.error();

    ChatPrompt prompt;
    prompt.used_builtin = rendered->used_builtin;
    prompt.fallback_reason = rendered->fallback_reason;
    std::vector<Tokenizer::TextRange> literal_ranges;
    if (literals.empty()) {
        prompt.text = std::move(rendered->text);
    } else {
        const std::string& text = rendered->text;
        size_t pos = 0;
        while (pos < text.size()) {
            // Markers are 4-byte UTF-8 sequences starting with 0xF3 (U+F0000..U+FFFFF).
            const size_t hit = text.find('\xF3', pos);
            if (hit == std::string::npos) break;
            size_t next = hit;
            const char32_t cp = chat::next_code_point(text, next);
            prompt.text.append(text, pos, hit - pos);
            if (cp >= kMarkerBase && cp - kMarkerBase < literals.size()) {
                const std::string& literal = literals[cp - kMarkerBase];
                literal_ranges.push_back({prompt.text.size(), literal.size()});
                prompt.text += literal;
                pos = next;
            } else {
                prompt.text += text[hit];
                pos = hit + 1;
            }
        }
        prompt.text.append(text, std::min(pos, text.size()));
    }
    prompt.tokens = tokenizer.encode_with_literals(prompt.text, false, literal_ranges);
    if (tokenizer.adds_bos() && tokenizer.bos() && (prompt.tokens.empty() || prompt.tokens.front() != *tokenizer.bos()))
        prompt.tokens.insert(prompt.tokens.begin(), *tokenizer.bos());
    return prompt;
}

}  // namespace tessera

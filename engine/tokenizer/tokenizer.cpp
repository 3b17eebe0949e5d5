#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <array>

#include "tokenizer/spm.h"
#include "tokenizer/unicode.h"
#include "tokenizer/vocab_validation.h"

namespace tessera {

namespace {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space
constexpr std::string_view kSpmUnknownPiece = "\xE2\x96\x85";  // U+2585, llama.cpp's rendering of <unk>

// Control-token texts that end a reply (llama.cpp's end-of-generation list).
constexpr std::array<std::string_view, 11> kEndOfGenerationTexts = {
    "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
    "<|endoftext|>", "<EOT>", "_<EOT>", "<|return|>", "<｜end▁of▁sentence｜>",
};

std::optional<int32_t> to_id(const std::optional<int64_t>& id) {
    if (!id) return std::nullopt;
    return static_cast<int32_t>(*id);
}

std::string escape_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 4);
    for (const char c : text) {
        if (c == ' ') out += kSpmSpace;
        else out += c;
    }
    return out;
}

std::string unescape_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i, kSpmSpace.size()) == kSpmSpace) {
            out += ' ';
            i += kSpmSpace.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

// Byte-level BPE token text back to bytes; a code point outside the mapping is kept as is.
std::string unmap_bytes(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const DecodedCodepoint d = decode_utf8(text, i);
        if (const auto byte = d.valid ? unicode_to_byte(d.codepoint) : std::nullopt) out += static_cast<char>(*byte);
        else out.append(text.substr(i, d.length));
        i += d.length;
    }
    return out;
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::create(VocabData vocab) {
    TESSERA_TRY(validate_vocab(vocab));
    std::unique_ptr<Tokenizer> tok(new Tokenizer());
    const bool spm = vocab.model == "llama";
    tok->kind_ = spm ? Kind::kSentencePiece : Kind::kBytePairEncoding;
    const auto n = static_cast<int64_t>(vocab.tokens.size());

    if (spm) {
        // llama.cpp's defaults for SentencePiece vocabularies without these keys.
        if (!vocab.bos_id && n > 1) vocab.bos_id = 1;
        if (!vocab.eos_id && n > 2) vocab.eos_id = 2;
        if (!vocab.unk_id) vocab.unk_id = 0;
        tok->add_bos_ = vocab.add_bos.value_or(true);
        tok->add_space_prefix_ = vocab.add_space_prefix.value_or(true);
    } else {
        tok->pre_ = find_pre_tokenizer(vocab.pre);
        if (!tok->pre_) return Error{"unsupported pre-tokenizer '" + vocab.pre + "' (tokenizer.ggml.pre)"};
        tok->add_bos_ = vocab.add_bos.value_or(tok->pre_->add_bos_default);
        tok->add_space_prefix_ = false;
    }
    tok->add_eos_ = vocab.add_eos.value_or(false);
    tok->bos_ = to_id(vocab.bos_id);
    tok->eos_ = to_id(vocab.eos_id);
    tok->eot_ = to_id(vocab.eot_id);

    tok->index_ = VocabIndex::build(vocab, /*byte_level=*/!spm);
    if (!spm) tok->merges_ = BpeMerges::build(vocab, tok->index_);

    const VocabIndex& index = tok->index_;
    tok->end_of_generation_.assign(static_cast<std::size_t>(n), false);
    for (const auto& id : {tok->eos_, tok->eot_})
        if (id) tok->end_of_generation_[static_cast<std::size_t>(*id)] = true;
    for (int32_t id = 0; id < n; ++id) {
        const TokenType type = index.type(id);
        const bool special = type == TokenType::kControl || type == TokenType::kUserDefined;
        if (special && std::find(kEndOfGenerationTexts.begin(), kEndOfGenerationTexts.end(),
                                 index.tokens[static_cast<std::size_t>(id)]) != kEndOfGenerationTexts.end())
            tok->end_of_generation_[static_cast<std::size_t>(id)] = true;
        if ((special || type == TokenType::kUnknown) && !index.tokens[static_cast<std::size_t>(id)].empty())
            tok->special_by_length_.push_back(id);
    }
    std::stable_sort(tok->special_by_length_.begin(), tok->special_by_length_.end(), [&](int32_t a, int32_t b) {
        return index.tokens[static_cast<std::size_t>(a)].size() > index.tokens[static_cast<std::size_t>(b)].size();
    });
    return tok;
}

// Splits out special tokens the way llama.cpp's tokenizer_st_partition does: each special
// token, longest first, is cut out of every remaining raw-text fragment.
std::vector<Tokenizer::Fragment> Tokenizer::split_special(std::string_view text,
                                                          std::span<const TextRange> literal) const {
    // A match that overlaps a literal range is not a special token there.
    auto in_literal = [&](std::size_t offset, std::size_t length) {
        for (const TextRange& r : literal)
            if (offset < r.offset + r.length && r.offset < offset + length) return true;
        return false;
    };
    std::vector<Fragment> fragments{{text, -1}};
    std::vector<Fragment> next;
    for (const int32_t id : special_by_length_) {
        const std::string& special = index_.tokens[static_cast<std::size_t>(id)];
        next.clear();
        bool changed = false;
        for (const Fragment& f : fragments) {
            if (f.token >= 0) {
                next.push_back(f);
                continue;
            }
            const auto base = static_cast<std::size_t>(f.text.data() - text.data());
            std::size_t start = 0;
            std::size_t hit = f.text.find(special);
            while (hit != std::string_view::npos) {
                if (in_literal(base + hit, special.size())) {
                    hit = f.text.find(special, hit + 1);
                    continue;
                }
                if (hit > start) next.push_back({f.text.substr(start, hit - start), -1});
                next.push_back({{}, id});
                start = hit + special.size();
                changed = true;
                hit = f.text.find(special, start);
            }
            if (start < f.text.size()) next.push_back({f.text.substr(start), -1});
        }
        if (changed) fragments.swap(next);
    }
    return fragments;
}

void Tokenizer::encode_text(std::string_view text, bool prev_was_special, std::vector<int32_t>& out) const {
    if (kind_ == Kind::kSentencePiece) {
        // llama.cpp prefixes a space to the text at the start and after each special token.
        std::string escaped = escape_spaces(text);
        if (add_space_prefix_ && prev_was_special) escaped.insert(0, kSpmSpace);
        spm_encode(index_, escaped, out);
        return;
    }
    for (const std::string_view word : pre_->split(text))
        merges_.encode_word(index_, word, pre_->ignore_merges, out);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool parse_special) const {
    if (parse_special) return encode_with_literals(text, add_bos, {});
    return encode_fragments(text.empty() ? std::vector<Fragment>{} : std::vector<Fragment>{{text, -1}}, add_bos);
}

std::vector<int32_t> Tokenizer::encode_with_literals(std::string_view text, bool add_bos,
                                                     std::span<const TextRange> literal) const {
    return encode_fragments(text.empty() ? std::vector<Fragment>{} : split_special(text, literal), add_bos);
}

std::vector<Tokenizer::TextRange> Tokenizer::find_special(std::string_view text) const {
    std::vector<TextRange> found;
    std::size_t pos = 0;
    for (const Fragment& f : split_special(text, {})) {
        const std::size_t length = f.token >= 0 ? token_text(f.token).size() : f.text.size();
        if (f.token >= 0) found.push_back({pos, length});
        pos += length;
    }
    return found;
}

std::vector<int32_t> Tokenizer::encode_fragments(const std::vector<Fragment>& fragments, bool add_bos) const {
    std::vector<int32_t> out;
    if (add_bos && bos_) out.push_back(*bos_);
    bool prev_was_special = true;
    for (const Fragment& f : fragments) {
        if (f.token >= 0) {
            out.push_back(f.token);
            prev_was_special = true;
        } else {
            encode_text(f.text, prev_was_special, out);
            prev_was_special = false;
        }
    }
    return out;
}

const std::string& Tokenizer::token_text(int32_t id) const {
    static const std::string kEmpty;
    if (id < 0 || id >= n_vocab()) return kEmpty;
    return index_.tokens[static_cast<std::size_t>(id)];
}

std::string Tokenizer::decode_token(int32_t id, bool render_special) const {
    if (id < 0 || id >= n_vocab()) return {};
    const std::string& text = index_.tokens[static_cast<std::size_t>(id)];
    switch (index_.type(id)) {
        case TokenType::kControl:
            return render_special ? text : std::string();
        case TokenType::kUserDefined:
            return text;
        case TokenType::kUnused:
            return {};
        case TokenType::kUnknown:
            return kind_ == Kind::kSentencePiece ? std::string(kSpmUnknownPiece) : std::string();
        case TokenType::kByte:
            if (kind_ == Kind::kSentencePiece) return std::string(1, static_cast<char>(*parse_byte_token(text)));
            return unmap_bytes(text);
        case TokenType::kUndefined:
        case TokenType::kNormal:
            break;
    }
    return kind_ == Kind::kSentencePiece ? unescape_spaces(text) : unmap_bytes(text);
}

std::string Tokenizer::decode(std::span<const int32_t> ids) const {
    std::string out;
    bool at_start = true;
    for (const int32_t id : ids) {
        std::string piece = decode_token(id);
        if (piece.empty()) continue;
        if (at_start && strips_leading_space() && piece.front() == ' ') piece.erase(0, 1);
        at_start = false;
        out += piece;
    }
    return out;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
    return id >= 0 && id < n_vocab() && end_of_generation_[static_cast<std::size_t>(id)];
}

}  // namespace tessera

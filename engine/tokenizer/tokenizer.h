// Text <-> token ids for the two vocabulary kinds GGUF models use: SentencePiece
// ("llama") and byte-level BPE ("gpt2"). Matches llama.cpp's tokenization.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "tokenizer/bpe.h"
#include "tokenizer/pre_tokenizer.h"
#include "tokenizer/vocab.h"
#include "tokenizer/vocab_index.h"

namespace tessera {

class Tokenizer {
public:
    // Validates the vocabulary (RELIABILITY M18) and builds the lookup structures.
    static Result<std::unique_ptr<Tokenizer>> create(VocabData vocab);

    // add_bos: prepend the BOS token (callers normally pass adds_bos()). EOS is never added.
    // parse_special: match control, user-defined and unknown tokens ("<|eot_id|>") in the
    // text, longest first. When false they are ordinary text, so user input cannot
    // inject them.
    std::vector<int32_t> encode(std::string_view text, bool add_bos, bool parse_special) const;
    // Special tokens parsed everywhere except inside the `literal` byte ranges, which are
    // ordinary text: a rendered chat prompt whose message contents must not inject tokens.
    struct TextRange {
        std::size_t offset = 0;
        std::size_t length = 0;
    };
    std::vector<int32_t> encode_with_literals(std::string_view text, bool add_bos,
                                              std::span<const TextRange> literal) const;
    // Where encode(text, ..., true) would match special tokens, in order.
    std::vector<TextRange> find_special(std::string_view text) const;

    const std::string& token_text(int32_t id) const;  // the vocabulary entry; "" when out of range
    // The bytes a token contributes to the text: SentencePiece U+2581 -> ' ', <0xNN> -> the
    // byte, <unk> -> U+2585 (as llama.cpp); byte-level BPE code points -> bytes. Control
    // tokens give "" unless render_special. Out-of-range ids give "".
    std::string decode_token(int32_t id, bool render_special = false) const;
    // Concatenated pieces; control tokens skipped. For SentencePiece with a space prefix,
    // the first text piece loses one leading space, undoing encode(). May hold invalid
    // UTF-8 if the ids split a character (use StreamingDecoder for display).
    std::string decode(std::span<const int32_t> ids) const;

    int32_t n_vocab() const { return static_cast<int32_t>(index_.tokens.size()); }
    std::optional<int32_t> bos() const { return bos_; }
    std::optional<int32_t> eos() const { return eos_; }
    std::optional<int32_t> eot() const { return eot_; }
    // EOS, EOT and the known end-of-turn / end-of-text control tokens present in the vocab.
    bool is_end_of_generation(int32_t id) const;
    bool adds_bos() const { return add_bos_; }  // tokenizer.ggml.add_bos_token or the model kind's default
    bool adds_eos() const { return add_eos_; }
    bool is_sentencepiece() const { return kind_ == Kind::kSentencePiece; }
    // Whether decoding strips one leading space from the text's first piece.
    bool strips_leading_space() const { return kind_ == Kind::kSentencePiece && add_space_prefix_; }

private:
    enum class Kind { kSentencePiece, kBytePairEncoding };
    struct Fragment {
        std::string_view text;  // raw text when token < 0
        int32_t token = -1;
    };

    Tokenizer() = default;
    std::vector<Fragment> split_special(std::string_view text, std::span<const TextRange> literal) const;
    std::vector<int32_t> encode_fragments(const std::vector<Fragment>& fragments, bool add_bos) const;
    void encode_text(std::string_view text, bool prev_was_special, std::vector<int32_t>& out) const;

    Kind kind_ = Kind::kSentencePiece;
    VocabIndex index_;
    BpeMerges merges_;
    const PreTokenizer* pre_ = nullptr;
    std::optional<int32_t> bos_, eos_, eot_;
    bool add_bos_ = false;
    bool add_eos_ = false;
    bool add_space_prefix_ = true;
    std::vector<int32_t> special_by_length_;  // matchable special tokens, longest text first
    std::vector<bool> end_of_generation_;
};

}  // namespace tessera

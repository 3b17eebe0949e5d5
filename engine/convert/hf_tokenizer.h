// A Hugging Face tokenizer (tokenizer.json for byte-level BPE, tokenizer_config.json for
// the chat template and special tokens) turned into the tokenizer.* keys of GGUF, as
// llama.cpp's converter writes them: tokens, token types (special added tokens are control
// tokens, other added tokens user-defined), merges, the pre-tokenizer name, BOS/EOS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "convert/hf_config.h"
#include "core/result.h"

namespace tessera {

class GgufWriter;

struct HfTokenizer {
    std::string model = "gpt2";  // tokenizer.ggml.model: "gpt2" (BPE) or "llama" (SentencePiece)
    std::string pre;             // tokenizer.ggml.pre (BPE only)
    std::vector<std::string> tokens;
    std::vector<int32_t> token_types;
    std::vector<std::string> merges;  // BPE only
    std::vector<float> scores;        // SentencePiece only
    std::optional<int64_t> bos_id, eos_id, unk_id;
    bool add_bos = false;
    std::optional<bool> add_space_prefix;  // SentencePiece's dummy prefix
    std::optional<std::string> chat_template;

    void write_to(GgufWriter& writer) const;
};

// folder holds tokenizer.model (SentencePiece, preferred as llama.cpp does) or tokenizer.json
// (byte-level BPE), and optionally tokenizer_config.json. The vocabulary is padded with
// unused "[PADn]" tokens up to config.n_vocab, as llama.cpp does.
Result<HfTokenizer> read_hf_tokenizer(const std::string& folder, const HfConfig& config);

}  // namespace tessera

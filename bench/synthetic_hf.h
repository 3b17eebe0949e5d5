// Synthetic Hugging Face checkpoints: the same block plans and random weights as the
// synthetic GGUF models, written as a DeciLM folder (config.json with block_configs, one
// bf16 model.safetensors, a copied tokenizer.json / tokenizer_config.json), so conversion
// can be measured on checkpoints the size of real ones.
#pragma once

#include <string>

#include "core/result.h"
#include "synthetic_model.h"

namespace tessera {

// tokenizer_dir holds the tokenizer.json (and tokenizer_config.json) to copy; its vocabulary
// size replaces spec.n_vocab. FFN widths are rounded up to a multiple of 256 (what
// ffn_mult can express).
Status write_synthetic_hf_checkpoint(SyntheticSpec spec, const std::string& dir, const std::string& tokenizer_dir);

// A byte-level BPE tokenizer.json in `dir` with `n` single-character tokens and no merges:
// the smallest tokenizer a checkpoint for the tests can carry.
Status write_tiny_bpe_tokenizer(const std::string& dir, int n);

}  // namespace tessera

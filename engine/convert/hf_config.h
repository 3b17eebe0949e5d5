// config.json of a Hugging Face checkpoint, read into the per-layer block plan Tessera
// writes to GGUF: DeciLMForCausalLM with block_configs (Nemotron-NAS), the older DeciLM-7B
// form (num_key_value_heads_per_layer), and plain LlamaForCausalLM. Anything set that this
// engine does not compute (sliding windows, attention sinks, sparsity, Mamba or MoE mixers,
// biases) stops the conversion with a message naming it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "model/block_plan.h"
#include "model/rope_scaling.h"

namespace tessera {

struct HfLayer {
    AttentionKind attention = AttentionKind::Gqa;
    int64_t n_head_kv = 0;  // GQA only
    FfnKind ffn = FfnKind::SwiGlu;
    int64_t ffn_width = 0;  // SwiGLU only: from ffn_mult or intermediate_size
};

struct HfConfig {
    std::string architecture;  // GGUF architecture: "deci" or "llama"
    int64_t n_embd = 0, n_head = 0, head_dim = 0, n_vocab = 0, n_ctx = 0;
    double rope_theta = 10000.0, rms_eps = 1e-5;
    std::optional<Llama3RopeScaling> llama3_rope;
    bool tied_embeddings = false;
    std::vector<HfLayer> layers;
    std::optional<int64_t> bos_id;
    std::vector<int64_t> eos_ids;
};

Result<HfConfig> parse_hf_config(std::string_view json_text);

// Nemotron-NAS FFN width: round_up_to_multiple(int(2 * ffn_mult * H / 3), 256).
int64_t ffn_width_from_mult(double ffn_mult, int64_t n_embd);

}  // namespace tessera

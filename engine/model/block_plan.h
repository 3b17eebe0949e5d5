// The per-layer block plan: what each layer of a (possibly NAS-pruned) model computes.
// Everything downstream (backends, memory estimates, the layer map) reads the plan,
// never the architecture name.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

enum class AttentionKind {
    Gqa,     // grouped-query attention with this layer's own KV-head count
    Linear,  // x += W_lin RMSNorm(x): one H x H matrix, no mixing across positions
    None,    // no-op: no norm, no residual
};

enum class FfnKind {
    SwiGlu,  // x += Wdown(silu(Wgate h) * Wup h), h = RMSNorm(x), width per layer
    Linear,  // x += W_linmlp RMSNorm(x), H x H
    None,    // no-op
};

struct LayerPlan {
    AttentionKind attention = AttentionKind::Gqa;
    int64_t n_head = 0;     // query heads (GQA and linear layers)
    int64_t n_head_kv = 0;  // KV heads (GQA only)
    FfnKind ffn = FfnKind::SwiGlu;
    int64_t ffn_width = 0;  // SwiGLU intermediate size (taken from the tensor shapes)
};

struct ModelConfig {
    std::string architecture;  // "llama", "deci"
    std::string name;          // general.name when present
    int64_t n_embd = 0;        // H
    int64_t n_head = 0;        // nh: query heads of a full attention layer
    int64_t head_dim = 0;      // hd, from key_length (never derived from layer 0)
    int64_t n_vocab = 0;
    int64_t n_ctx_train = 0;
    float rms_eps = 1e-5f;
    float rope_base = 10000.0f;
    int64_t rope_dim = 0;      // rotary dimensions (= hd for every supported model)
    std::vector<LayerPlan> layers;

    int64_t n_layer() const { return static_cast<int64_t>(layers.size()); }
    // Bytes of K and V cache per token of context, over all layers, at 2 bytes per value.
    int64_t kv_bytes_per_token() const;
    // Largest sizes any layer needs, for scratch buffers.
    int64_t max_ffn_width() const;
    int64_t max_kv_dim() const;
};

// "gqa kv=8", "linear", "none"; "swiglu 7168", "linear", "none".
std::string describe_attention(const LayerPlan& layer);
std::string describe_ffn(const LayerPlan& layer);
// What the pruning left, counted: "attention: 4 gqa, 2 linear, 2 none; ffn: 8 swiglu, 0 linear, 0 none".
std::string describe_layer_kinds(const std::vector<LayerPlan>& layers);

}  // namespace tessera

#include "model/block_plan.h"

#include <algorithm>

namespace tessera {

int64_t ModelConfig::kv_bytes_per_token() const {
    int64_t total = 0;
    for (const auto& layer : layers)
        if (layer.attention == AttentionKind::Gqa) total += 2 * layer.n_head_kv * head_dim * 2;
    return total;
}

int64_t ModelConfig::max_ffn_width() const {
    int64_t width = 0;
    for (const auto& layer : layers)
        if (layer.ffn == FfnKind::SwiGlu) width = std::max(width, layer.ffn_width);
    return width;
}

int64_t ModelConfig::max_kv_dim() const {
    int64_t dim = 0;
    for (const auto& layer : layers)
        if (layer.attention == AttentionKind::Gqa) dim = std::max(dim, layer.n_head_kv * head_dim);
    return dim;
}

std::string describe_attention(const LayerPlan& layer) {
    switch (layer.attention) {
        case AttentionKind::Gqa: return "gqa kv=" + std::to_string(layer.n_head_kv);
        case AttentionKind::Linear: return "linear";
        case AttentionKind::None: return "none";
    }
    return "?";
}

std::string describe_ffn(const LayerPlan& layer) {
    switch (layer.ffn) {
        case FfnKind::SwiGlu: return "swiglu " + std::to_string(layer.ffn_width);
        case FfnKind::Linear: return "linear";
        case FfnKind::None: return "none";
    }
    return "?";
}

std::string describe_layer_kinds(const std::vector<LayerPlan>& layers) {
    int gqa = 0, linear_attn = 0, no_attn = 0, swiglu = 0, linear_ffn = 0, no_ffn = 0;
    for (const LayerPlan& l : layers) {
        gqa += l.attention == AttentionKind::Gqa;
        linear_attn += l.attention == AttentionKind::Linear;
        no_attn += l.attention == AttentionKind::None;
        swiglu += l.ffn == FfnKind::SwiGlu;
        linear_ffn += l.ffn == FfnKind::Linear;
        no_ffn += l.ffn == FfnKind::None;
    }
    return "attention: " + std::to_string(gqa) + " gqa, " + std::to_string(linear_attn) + " linear, " +
           std::to_string(no_attn) + " none; ffn: " + std::to_string(swiglu) + " swiglu, " +
           std::to_string(linear_ffn) + " linear, " + std::to_string(no_ffn) + " none";
}

}  // namespace tessera

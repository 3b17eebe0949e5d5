#include "model/architecture.h"

#include <array>
#include <cmath>
#include <string>

namespace tessera {

Result<ModelConfig> read_llama_config(const GgufFile& file);  // arch_llama.cpp
Result<ModelConfig> read_deci_config(const GgufFile& file);   // arch_deci.cpp

namespace {

constexpr std::array kArchitectures = {
    Architecture{"llama", read_llama_config},
    Architecture{"deci", read_deci_config},
};

Error bad_value(std::string_view key, const std::string& what) {
    return Error{"key '" + std::string(key) + "': " + what};
}

}  // namespace

const Architecture* find_architecture(std::string_view name) {
    for (const auto& arch : kArchitectures)
        if (arch.name == name) return &arch;
    return nullptr;
}

std::vector<std::string_view> supported_architectures() {
    std::vector<std::string_view> names;
    for (const auto& arch : kArchitectures) names.push_back(arch.name);
    return names;
}

Result<ModelConfig> read_model_config(const GgufFile& file) {
    auto arch_name = file.get_string("general.architecture");
    if (!arch_name) return arch_name.error();
    const Architecture* arch = find_architecture(*arch_name);
    if (!arch) {
        std::string known;
        for (auto n : supported_architectures()) known += (known.empty() ? "" : ", ") + std::string(n);
        return Error{"unsupported architecture '" + *arch_name + "' (supported: " + known + ")"};
    }
    return arch->read_config(file);
}

Result<ModelConfig> read_common_config(const GgufFile& file, std::string_view arch) {
    const std::string p = std::string(arch) + ".";
    ModelConfig c;
    c.architecture = std::string(arch);
    if (auto name = file.get_string("general.name")) c.name = *name;

    auto in_range = [&](const std::string& key, int64_t lo, int64_t hi) -> Result<int64_t> {
        auto v = file.get_i64(key);
        if (!v) return v.error();
        if (*v < lo || *v > hi)
            return bad_value(key, "value " + std::to_string(*v) + " is outside " + std::to_string(lo) +
                                      ".." + std::to_string(hi));
        return *v;
    };

    auto n_layer = in_range(p + "block_count", 1, kMaxLayers);
    if (!n_layer) return n_layer.error();
    auto n_embd = in_range(p + "embedding_length", 1, kMaxEmbedding);
    if (!n_embd) return n_embd.error();
    c.n_embd = *n_embd;
    c.layers.resize(static_cast<size_t>(*n_layer));

    auto ctx = in_range(p + "context_length", 1, int64_t{1} << 32);
    if (!ctx) return ctx.error();
    c.n_ctx_train = *ctx;

    // n_head: the largest per-layer value (no-op layers store 0), scalar or array.
    auto heads = file.get_per_layer(p + "attention.head_count", c.layers.size());
    if (!heads) return heads.error();
    for (int64_t h : *heads) {
        if (h < 0 || h > kMaxHeads) return bad_value(p + "attention.head_count", "head count " + std::to_string(h) + " is out of range");
        c.n_head = std::max(c.n_head, h);
    }
    if (c.n_head == 0) return bad_value(p + "attention.head_count", "no layer has attention heads");

    if (file.find(p + "attention.key_length")) {
        auto hd = in_range(p + "attention.key_length", 1, 1 << 16);
        if (!hd) return hd.error();
        c.head_dim = *hd;
        if (auto vd = file.get_i64(p + "attention.value_length"); vd && *vd != c.head_dim)
            return bad_value(p + "attention.value_length", "differs from key_length; not supported");
    } else {
        if (c.n_embd % c.n_head != 0)
            return bad_value(p + "attention.head_count", "embedding_length is not a multiple of the head count");
        c.head_dim = c.n_embd / c.n_head;
    }
    if (c.head_dim % 2 != 0) return bad_value(p + "attention.key_length", "head size must be even for RoPE");

    c.rope_dim = c.head_dim;
    if (file.find(p + "rope.dimension_count")) {
        auto rd = in_range(p + "rope.dimension_count", 2, c.head_dim);
        if (!rd) return rd.error();
        if (*rd != c.head_dim) return bad_value(p + "rope.dimension_count", "partial rotary dimensions are not supported");
    }

    auto eps = file.get_f64(p + "attention.layer_norm_rms_epsilon");
    if (!eps) return eps.error();
    if (!(*eps > 0.0 && *eps < 1.0)) return bad_value(p + "attention.layer_norm_rms_epsilon", "must be in (0, 1)");
    c.rms_eps = static_cast<float>(*eps);

    c.rope_base = 10000.0f;
    if (file.find(p + "rope.freq_base")) {
        auto base = file.get_f64(p + "rope.freq_base");
        if (!base) return base.error();
        if (!(std::isfinite(*base) && *base > 1.0)) return bad_value(p + "rope.freq_base", "must be a finite number above 1");
        c.rope_base = static_cast<float>(*base);
    }
    if (file.find(p + "rope.scaling.type")) {
        auto type = file.get_string(p + "rope.scaling.type");
        if (type && *type != "none" && *type != "llama3")
            return bad_value(p + "rope.scaling.type", "RoPE scaling '" + *type + "' is not supported");
    }
    return c;
}

}  // namespace tessera

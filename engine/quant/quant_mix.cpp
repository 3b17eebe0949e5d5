// llama.cpp's choice of tensor types for the K-quant mixes (llama_tensor_get_type in
// src/llama-quant.cpp), restricted to what a dense Llama/NAS model without an importance
// matrix meets: output (or a tied token_embd) q6_K, attn_v / ffn_down with more bits in the
// first and last eighth of the layers and every third layer between, attn_output q4_K in q3_K_M.
#include <array>
#include <string>

#include "quant/quant_mix.h"

namespace tessera {
namespace {

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// llama.cpp: i < n/8 || i >= 7n/8 || (i - n/8) % 3 == 2
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

}  // namespace

std::string effective_mix(TensorType type, const std::string& mix) {
    return mix.empty() && type == TensorType::Q2_K ? "q2_k" : mix;
}

Result<TensorType> mix_default_type(const std::string& mix) {
    if (mix == "q2_k") return TensorType::Q2_K;
    if (mix == "q3_k_m") return TensorType::Q3_K;
    if (mix == "q4_k_m") return TensorType::Q4_K;
    if (mix == "q5_k_m") return TensorType::Q5_K;
    return Error{"unknown quantization mix '" + mix + "' (known: q3_k_m, q4_k_m, q5_k_m)"};
}

TensorType mix_tensor_type(const std::string& mix, const std::string& tensor_name, int64_t row_length,
                           bool tied_output, MixCounters& counters) {
    auto base = mix_default_type(mix);
    if (!base) return TensorType::F32;  // validated by the caller; keep the values exact
    const TensorType default_type = *base;

    if (tensor_name == "output.weight" || (tied_output && tensor_name == "token_embd.weight"))
        return row_length % QK_K == 0 ? TensorType::Q6_K : TensorType::Q8_0;

    if (mix == "q2_k") {
        if (contains(tensor_name, "attn_v.weight")) return counters.n_gqa >= 4 ? TensorType::Q4_K : TensorType::Q3_K;
        if (contains(tensor_name, "ffn_down") || contains(tensor_name, "attn_output.weight")) return TensorType::Q3_K;
        return default_type;
    }
    if (contains(tensor_name, "attn_v.weight")) {
        const int i = counters.i_attn_v++;
        if (mix == "q3_k_m") return i < 2 ? TensorType::Q5_K : TensorType::Q4_K;
        return use_more_bits(i, counters.n_attn_v) ? TensorType::Q6_K : default_type;
    }
    if (contains(tensor_name, "ffn_down")) {
        const int i = counters.i_ffn_down++, n = counters.n_ffn_down;
        if (mix == "q3_k_m") return i < n / 16 ? TensorType::Q5_K : TensorType::Q4_K;
        return use_more_bits(i, n) ? TensorType::Q6_K : default_type;
    }
    if (contains(tensor_name, "attn_output.weight") && mix == "q3_k_m") return TensorType::Q4_K;
    return default_type;
}

TensorType tensor_type_for(const std::string& tensor_name, int64_t row_length, TensorType type,
                           const std::string& mix, bool tied_output, MixCounters& counters) {
    TensorType chosen = type;
    if (const std::string m = effective_mix(type, mix); !m.empty()) {
        chosen = mix_tensor_type(m, tensor_name, row_length, tied_output, counters);
    } else if (tensor_name == "output.weight" && type != TensorType::Q8_0 && type != TensorType::Q6_K &&
               tensor_type_info(type).block_elems > 1) {
        chosen = TensorType::Q6_K;  // llama.cpp keeps the output layer at 6 bits for every smaller type
    }
    return fallback_type(chosen, row_length);
}

TensorType fallback_type(TensorType type, int64_t row_length) {
    const int block = tensor_type_info(type).block_elems;
    if (row_length % block == 0) return type;
    TensorType next = TensorType::F16;
    switch (type) {
        case TensorType::Q2_K:
        case TensorType::Q3_K: next = TensorType::Q4_0; break;
        case TensorType::Q4_K: next = TensorType::Q5_0; break;
        case TensorType::Q5_K: next = TensorType::Q5_1; break;
        case TensorType::Q6_K: next = TensorType::Q8_0; break;
        default: break;
    }
    // A row that is not even a multiple of 32 ends in f16, as in llama.cpp.
    return row_length % tensor_type_info(next).block_elems == 0 ? next : TensorType::F16;
}

uint32_t file_type_id(TensorType type, const std::string& mix) {
    if (mix == "q3_k_m") return 12;
    if (mix == "q4_k_m") return 15;
    if (mix == "q5_k_m") return 17;
    switch (type) {  // llama_ftype; plain K types use the "_S" ids
        case TensorType::F32: return 0;
        case TensorType::F16: return 1;
        case TensorType::Q4_0: return 2;
        case TensorType::Q4_1: return 3;
        case TensorType::Q8_0: return 7;
        case TensorType::Q5_0: return 8;
        case TensorType::Q5_1: return 9;
        case TensorType::Q2_K: return 10;
        case TensorType::Q3_K: return 11;
        case TensorType::Q4_K: return 14;
        case TensorType::Q5_K: return 16;
        case TensorType::Q6_K: return 18;
        case TensorType::BF16: return 32;
        default: return 0;
    }
}

Status parse_type_name(const std::string& text, TensorType& type, std::string& mix) {
    static constexpr std::array<std::pair<const char*, TensorType>, 13> kTypes = {{
        {"f32", TensorType::F32},   {"f16", TensorType::F16},   {"bf16", TensorType::BF16},
        {"q8_0", TensorType::Q8_0}, {"q4_0", TensorType::Q4_0}, {"q4_1", TensorType::Q4_1},
        {"q5_0", TensorType::Q5_0}, {"q5_1", TensorType::Q5_1}, {"q2_k", TensorType::Q2_K},
        {"q3_k", TensorType::Q3_K}, {"q4_k", TensorType::Q4_K}, {"q5_k", TensorType::Q5_K},
        {"q6_k", TensorType::Q6_K},
    }};
    std::string lower;
    for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const auto& [name, t] : kTypes) {
        if (lower == name) {
            type = t;
            mix.clear();
            return {};
        }
    }
    if (auto base = mix_default_type(lower)) {
        type = *base;
        mix = lower;
        return {};
    }
    std::string known;
    for (const auto& [name, t] : kTypes) known += std::string(name) + ", ";
    return Error{"unknown type '" + text + "' (known: " + known + "q3_k_m, q4_k_m, q5_k_m)"};
}

}  // namespace tessera

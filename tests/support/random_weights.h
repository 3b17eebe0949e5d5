// Random but valid GGUF weight rows for kernel tests: random quant / scale bytes (every bit
// pattern of the packed fields gets exercised), moderate finite f16 scales.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/half.h"
#include "quant/tensor_type.h"

namespace tessera::test {

inline void put_half(uint8_t* p, float v) {
    const uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
}

// Offsets of the f16 scale fields inside one block of each quantized type.
inline std::vector<int> half_fields(TensorType t) {
    switch (t) {
        case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: return {0};
        case TensorType::Q4_1: case TensorType::Q5_1: return {0, 2};
        case TensorType::Q2_K: return {80, 82};
        case TensorType::Q3_K: return {108};
        case TensorType::Q4_K: case TensorType::Q5_K: return {0, 2};
        case TensorType::Q6_K: return {208};
        default: return {};
    }
}

inline std::vector<uint8_t> random_weights(TensorType t, int64_t rows, int64_t k, std::mt19937& rng) {
    const size_t rb = row_bytes(tensor_type_info(t), k);
    std::vector<uint8_t> w(rb * rows);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    if (t == TensorType::F32 || t == TensorType::F16 || t == TensorType::BF16) {
        for (int64_t i = 0; i < rows * k; ++i) {
            const float v = uni(rng);
            if (t == TensorType::F32) std::memcpy(&w[4 * i], &v, 4);
            else {
                const uint16_t h = t == TensorType::F16 ? f32_to_f16(v) : f32_to_bf16(v);
                std::memcpy(&w[2 * i], &h, 2);
            }
        }
        return w;
    }
    for (auto& b : w) b = static_cast<uint8_t>(rng());
    const auto& info = tensor_type_info(t);
    std::uniform_real_distribution<float> scale(0.001f, 0.05f);
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t ib = 0; ib < k / info.block_elems; ++ib) {
            uint8_t* b = &w[r * rb + ib * info.block_bytes];
            for (int off : half_fields(t)) put_half(b + off, (rng() & 1 ? 1 : -1) * scale(rng));
        }
    return w;
}

}  // namespace tessera::test

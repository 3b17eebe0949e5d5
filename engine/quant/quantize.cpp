// quantize_row: the float types and the 32-element "legacy" quants, plus dispatch.
// Each legacy quantizer reproduces llama.cpp's quantize_row_*_ref exactly, including its
// truncating float->int conversions, so output blocks are byte-identical to llama.cpp's.
#include "quant/quantize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "quant/quant_math.h"
#include "quant/quant_search.h"
#include "quant/quantize_k.h"

namespace tessera {
namespace {

using quant_detail::to_fp16;

template <typename Block>
Block* blocks(void* dst) { return static_cast<Block*>(dst); }

// Symmetric 4/5-bit: the signed value of largest magnitude maps to -2^(bits-1), so the
// extreme value is represented exactly and the other side gets one more level.
float signed_abs_max(const float* x, int n) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < n; ++j) {
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    }
    return max;
}

void min_max(const float* x, int n, float& min, float& max) {
    min = FLT_MAX;
    max = -FLT_MAX;
    for (int j = 0; j < n; ++j) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
}

// The reference truncates x + 0.5 (x + 8.5 for the offset forms) rather than rounding;
// for the non-negative inputs it sees that is round-half-up.
inline int trunc_int(float v) { return static_cast<int>(v); }

void quantize_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_0; ++i, x += QK4_0) {
        const float d = signed_abs_max(x, QK4_0) / -8;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        for (int j = 0; j < QK4_0 / 2; ++j) {
            const int q0 = std::min(15, trunc_int(x[j] * id + 8.5f));
            const int q1 = std::min(15, trunc_int(x[j + QK4_0 / 2] * id + 8.5f));
            y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

void quantize_q4_1(const float* x, BlockQ4_1* y, int64_t n) {
    for (int64_t i = 0; i < n / QK4_1; ++i, x += QK4_1) {
        float min, max;
        min_max(x, QK4_1, min, max);
        const float d = (max - min) / 15;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        y[i].m = to_fp16(min);
        for (int j = 0; j < QK4_1 / 2; ++j) {
            const int q0 = std::min(15, trunc_int((x[j] - min) * id + 0.5f));
            const int q1 = std::min(15, trunc_int((x[j + QK4_1 / 2] - min) * id + 0.5f));
            y[i].qs[j] = static_cast<uint8_t>(q0 | (q1 << 4));
        }
    }
}

// Q5 layouts: low nibbles as in Q4, the fifth bit of element j in bit j of qh.
template <typename Block>
void pack_q5(Block& b, const int* q) {
    uint32_t qh = 0;
    for (int j = 0; j < 16; ++j) {
        b.qs[j] = static_cast<uint8_t>((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
        qh |= static_cast<uint32_t>((q[j] & 0x10) >> 4) << j;
        qh |= static_cast<uint32_t>((q[j + 16] & 0x10) >> 4) << (j + 16);
    }
    std::memcpy(b.qh, &qh, sizeof qh);
}

void quantize_q5_0(const float* x, BlockQ5_0* y, int64_t n) {
    int q[QK5_0];
    for (int64_t i = 0; i < n / QK5_0; ++i, x += QK5_0) {
        const float d = signed_abs_max(x, QK5_0) / -16;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        for (int j = 0; j < QK5_0; ++j) q[j] = std::min(31, trunc_int(x[j] * id + 16.5f));
        pack_q5(y[i], q);
    }
}

void quantize_q5_1(const float* x, BlockQ5_1* y, int64_t n) {
    int q[QK5_1];
    for (int64_t i = 0; i < n / QK5_1; ++i, x += QK5_1) {
        float min, max;
        min_max(x, QK5_1, min, max);
        const float d = (max - min) / 31;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        y[i].m = to_fp16(min);
        // No clamp in the reference: (max-min)*id + 0.5 cannot reach 32.
        for (int j = 0; j < QK5_1; ++j) q[j] = trunc_int((x[j] - min) * id + 0.5f);
        pack_q5(y[i], q);
    }
}

// Importance-weighted forms (llama.cpp's quantize_row_q{4,5}_{0,1}_impl): each block is
// fitted to minimize sum qw*sqrt(sigma2 + x^2)*(x - q)^2, sigma2 the row's mean square.
struct RowWeights {
    const float* qw;
    float sigma2;
    float w[32];
    const float* block(const float* x, int64_t ib) {
        for (int j = 0; j < 32; ++j) w[j] = qw[ib * 32 + j] * std::sqrt(sigma2 + x[j] * x[j]);
        return w;
    }
};

float mean_square(const float* x, int64_t n) {
    float s = 0;
    for (int64_t j = 0; j < n; ++j) s += x[j] * x[j];
    return s / static_cast<float>(n);
}

template <typename Block>
void quantize_symmetric_weighted(const float* x, Block* y, int64_t n, const float* qw, int nmax) {
    RowWeights rw{qw, mean_square(x, n), {}};
    int8_t L[32];
    int q[32];
    for (int64_t ib = 0; ib < n / 32; ++ib, x += 32) {
        y[ib].d = to_fp16(quant_detail::make_qx_quants(32, nmax, x, L, rw.block(x, ib)));
        if constexpr (std::is_same_v<Block, BlockQ4_0>) {
            for (int j = 0; j < 16; ++j) y[ib].qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
        } else {
            for (int j = 0; j < 32; ++j) q[j] = L[j];
            pack_q5(y[ib], q);
        }
    }
}

template <typename Block>
void quantize_with_min_weighted(const float* x, Block* y, int64_t n, const float* qw, int nmax) {
    RowWeights rw{qw, mean_square(x, n), {}};
    uint8_t L[32], Laux[32];
    int q[32];
    for (int64_t ib = 0; ib < n / 32; ++ib, x += 32) {
        float neg_min;
        const float d = quant_detail::make_qkx2_quants(32, nmax, x, rw.block(x, ib), L, &neg_min, Laux, -0.9f,
                                                       0.05f, 36, false);
        y[ib].d = to_fp16(d);
        y[ib].m = to_fp16(-neg_min);
        if constexpr (std::is_same_v<Block, BlockQ4_1>) {
            for (int j = 0; j < 16; ++j) y[ib].qs[j] = static_cast<uint8_t>(L[j] | (L[j + 16] << 4));
        } else {
            for (int j = 0; j < 32; ++j) q[j] = L[j];
            pack_q5(y[ib], q);
        }
    }
}

float abs_max(const float* x, int n) {
    float amax = 0.0f;
    for (int j = 0; j < n; ++j) amax = std::max(amax, std::fabs(x[j]));
    return amax;
}

void quantize_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_0; ++i, x += QK8_0) {
        const float d = abs_max(x, QK8_0) / 127;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        for (int j = 0; j < QK8_0; ++j) y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
    }
}

void quantize_q8_1(const float* x, BlockQ8_1* y, int64_t n) {
    for (int64_t i = 0; i < n / QK8_1; ++i, x += QK8_1) {
        const float d = abs_max(x, QK8_1) / 127;
        const float id = d != 0.f ? 1.0f / d : 0.0f;
        y[i].d = to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK8_1; ++j) {
            y[i].qs[j] = static_cast<int8_t>(std::round(x[j] * id));
            sum += y[i].qs[j];
        }
        y[i].s = to_fp16(static_cast<float>(sum) * d);
    }
}

void quantize_f16(const float* x, void* dst, int64_t n) {
    auto* h = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) h[i] = f32_to_f16(x[i]);
}

void quantize_bf16(const float* x, void* dst, int64_t n) {
    auto* h = static_cast<uint16_t*>(dst);
    for (int64_t i = 0; i < n; ++i) h[i] = f32_to_bf16(x[i]);
}

}  // namespace

bool can_quantize(TensorType type) {
    switch (type) {
        case TensorType::F32: case TensorType::F16: case TensorType::BF16:
        case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
        case TensorType::Q8_0: case TensorType::Q8_1:
        case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
        case TensorType::Q6_K: case TensorType::Q8_K:
            return true;
    }
    return false;
}

size_t quantized_size(TensorType type, int64_t n) { return row_bytes(tensor_type_info(type), n); }

namespace {

Status check_quantizable(TensorType type, int64_t n) {
    if (!can_quantize(type))
        return Error{"cannot quantize to tensor type id " +
                     std::to_string(static_cast<uint32_t>(type)) + ": no quantizer for this type"};
    const TensorTypeInfo& info = tensor_type_info(type);
    if (n <= 0 || n % info.block_elems != 0)
        return Error{"cannot quantize a row of " + std::to_string(n) + " elements to " +
                     std::string(info.name) + ": the row length must be a positive multiple of " +
                     std::to_string(info.block_elems)};
    return Status::success();
}

}  // namespace

Status quantize_row(TensorType type, const float* src, void* dst, int64_t n) {
    TESSERA_TRY(check_quantizable(type, n));
    using namespace quant_detail;
    switch (type) {
        case TensorType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float)); break;
        case TensorType::F16: quantize_f16(src, dst, n); break;
        case TensorType::BF16: quantize_bf16(src, dst, n); break;
        case TensorType::Q4_0: quantize_q4_0(src, blocks<BlockQ4_0>(dst), n); break;
        case TensorType::Q4_1: quantize_q4_1(src, blocks<BlockQ4_1>(dst), n); break;
        case TensorType::Q5_0: quantize_q5_0(src, blocks<BlockQ5_0>(dst), n); break;
        case TensorType::Q5_1: quantize_q5_1(src, blocks<BlockQ5_1>(dst), n); break;
        case TensorType::Q8_0: quantize_q8_0(src, blocks<BlockQ8_0>(dst), n); break;
        case TensorType::Q8_1: quantize_q8_1(src, blocks<BlockQ8_1>(dst), n); break;
        case TensorType::Q2_K: quantize_q2_k(src, blocks<BlockQ2_K>(dst), n); break;
        case TensorType::Q3_K: quantize_q3_k(src, blocks<BlockQ3_K>(dst), n); break;
        case TensorType::Q4_K: quantize_q4_k(src, blocks<BlockQ4_K>(dst), n); break;
        case TensorType::Q5_K: quantize_q5_k(src, blocks<BlockQ5_K>(dst), n); break;
        case TensorType::Q6_K: quantize_q6_k(src, blocks<BlockQ6_K>(dst), n); break;
        case TensorType::Q8_K: quantize_q8_k(src, blocks<BlockQ8_K>(dst), n); break;
    }
    return Status::success();
}

bool has_weighted_quantizer(TensorType type) {
    switch (type) {
        case TensorType::Q4_0: case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1:
        case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
        case TensorType::Q6_K:
            return true;
        default:
            return false;
    }
}

Status quantize_row_weighted(TensorType type, const float* src, void* dst, int64_t n, const float* importance) {
    if (importance == nullptr || !has_weighted_quantizer(type)) return quantize_row(type, src, dst, n);
    TESSERA_TRY(check_quantizable(type, n));
    using namespace quant_detail;
    switch (type) {
        case TensorType::Q4_0: quantize_symmetric_weighted(src, blocks<BlockQ4_0>(dst), n, importance, 8); break;
        case TensorType::Q5_0: quantize_symmetric_weighted(src, blocks<BlockQ5_0>(dst), n, importance, 16); break;
        case TensorType::Q4_1: quantize_with_min_weighted(src, blocks<BlockQ4_1>(dst), n, importance, 15); break;
        case TensorType::Q5_1: quantize_with_min_weighted(src, blocks<BlockQ5_1>(dst), n, importance, 31); break;
        case TensorType::Q2_K: quantize_q2_k(src, blocks<BlockQ2_K>(dst), n, importance); break;
        case TensorType::Q3_K: quantize_q3_k(src, blocks<BlockQ3_K>(dst), n, importance); break;
        case TensorType::Q4_K: quantize_q4_k(src, blocks<BlockQ4_K>(dst), n, importance); break;
        case TensorType::Q5_K: quantize_q5_k(src, blocks<BlockQ5_K>(dst), n, importance); break;
        case TensorType::Q6_K: quantize_q6_k(src, blocks<BlockQ6_K>(dst), n, importance); break;
        default: break;  // unreachable: has_weighted_quantizer
    }
    return Status::success();
}

}  // namespace tessera

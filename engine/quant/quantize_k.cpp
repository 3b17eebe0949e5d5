// k-quant quantizers, after llama.cpp's quantize_row_q{2,3,4,5,6,8}_K_ref.
//
// Common shape: fit each small group (16 or 32 values) with its own scale (and min), then
// quantize those per-group scales against one f16 super-block scale, then re-quantize the
// values against the scales as actually stored, so the stored quants match the stored scales.
//
// With an importance matrix (one weight per column of the row, from activations the model
// saw on calibration text) the group fits minimize importance-weighted error instead, and
// the per-group scales are themselves fitted by weighted least squares: llama.cpp's
// quantize_row_q*_K_impl. Without one the output is byte-identical to the *_ref quantizers.
#include "quant/quantize_k.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "quant/quant_math.h"
#include "quant/quant_search.h"

namespace tessera::quant_detail {
namespace {

// Two-bit planes used by Q2_K and Q3_K: each 32-byte run of qs holds 128 values, value
// j + 32*p in bits 2p..2p+1 of byte j.
void pack_2bit_planes(const uint8_t* L, uint8_t* qs) {
    for (int j = 0; j < QK_K; j += 128)
        for (int l = 0; l < 32; ++l)
            qs[j / 4 + l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 2) |
                                                  (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
}

// Stores eight 6-bit (scale, min) pairs the way get_scale_min_k4 reads them.
void pack_scale_min_k4(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
    for (int j = 0; j < QK_K / 32; ++j) {
        if (j < 4) {
            scales[j] = ls[j];
            scales[j + 4] = lm[j];
        } else {
            scales[j + 4] = static_cast<uint8_t>((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
            scales[j - 4] = static_cast<uint8_t>(scales[j - 4] | ((ls[j] >> 4) << 6));
            scales[j] = static_cast<uint8_t>(scales[j] | ((lm[j] >> 4) << 6));
        }
    }
}

// Importance of each value of a group for the weighted fits: the column's importance
// times sqrt(sigma2 + x^2), so large weights in important columns count most.
void importance_weights(const float* qw, const float* x, int n, float sigma2, float* weights) {
    for (int l = 0; l < n; ++l) weights[l] = qw[l] * std::sqrt(sigma2 + x[l] * x[l]);
}

float sum_of_squares(const float* x, int n) {
    float s = 0;
    for (int l = 0; l < n; ++l) s += x[l] * x[l];
    return s;
}

// Quantizes x against the scales as stored in the block (Q4_K/Q5_K layout), into L.
template <typename Block>
void requantize_scale_min_k(const float* x, const Block& y, uint8_t* L, int nmax) {
    for (int j = 0; j < QK_K / 32; ++j) {
        uint8_t sc, m;
        get_scale_min_k4(j, y.scales, sc, m);
        const float d = fp16(y.d) * sc;
        if (d == 0.f) continue;
        const float dm = fp16(y.dmin) * m;
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearest_int((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(nmax, l)));
        }
    }
}

// Shared by Q4_K and Q5_K: per-32 asymmetric fits, 6-bit scales and mins under f16 d/dmin,
// then the final quants in L (0..nmax). Writes d, dmin, scales.
template <typename Block>
void quantize_scale_min_k(const float* x, Block& y, uint8_t* L, int nmax, float rmin, int nstep) {
    float mins[QK_K / 32], scales[QK_K / 32], weights[32];
    uint8_t Laux[32];
    float max_scale = 0, max_min = 0;  // scales are positive once the min is taken out
    for (int j = 0; j < QK_K / 32; ++j) {
        const float* xs = x + 32 * j;
        // Weight large values more, with a floor so small ones still count.
        const float av_x = std::sqrt(sum_of_squares(xs, 32) / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(xs[l]);
        scales[j] = make_qkx2_quants(32, nmax, xs, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f,
                                     nstep, false);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }

    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    uint8_t ls[QK_K / 32], lm[QK_K / 32];
    for (int j = 0; j < QK_K / 32; ++j) {
        // uint8_t wrap-around before the clamp is the reference's behaviour.
        ls[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_scale * scales[j])));
        lm[j] = std::min<uint8_t>(63, static_cast<uint8_t>(nearest_int(inv_min * mins[j])));
    }
    pack_scale_min_k4(ls, lm, y.scales);
    y.d = to_fp16(max_scale / 63.f);
    y.dmin = to_fp16(max_min / 63.f);
    requantize_scale_min_k(x, y, L, nmax);
}

// The importance-weighted form: fits weighted by importance_weights, and the eight scales
// and mins fitted to 6 bits by weighted least squares (make_qp_quants) instead of by max.
template <typename Block>
void quantize_scale_min_k_weighted(const float* x, const float* qw, Block& y, uint8_t* L, int nmax) {
    float mins[QK_K / 32], scales[QK_K / 32], weights[32], sw[QK_K / 32];
    uint8_t Laux[32], ls[QK_K / 32], lm[QK_K / 32];
    const float sigma2 = 2 * sum_of_squares(x, QK_K) / QK_K;
    for (int j = 0; j < QK_K / 32; ++j) {
        importance_weights(qw + 32 * j, x + 32 * j, 32, sigma2, weights);
        sw[j] = 0;
        for (int l = 0; l < 32; ++l) sw[j] += weights[l];
        scales[j] = make_qkx2_quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, -0.9f, 0.05f,
                                     36, false);
    }
    const float d_block = make_qp_quants(QK_K / 32, 63, scales, ls, sw);
    const float m_block = make_qp_quants(QK_K / 32, 63, mins, lm, sw);
    pack_scale_min_k4(ls, lm, y.scales);
    y.d = to_fp16(d_block);
    y.dmin = to_fp16(m_block);
    requantize_scale_min_k(x, y, L, nmax);
}

// Q2_K: quants against the stored 4-bit scales and mins, into L (0..3).
void requantize_q2_k(const float* x, const BlockQ2_K& b, uint8_t* L) {
    for (int j = 0; j < QK_K / 16; ++j) {
        const float d = fp16(b.d) * static_cast<float>(b.scales[j] & 0xF);
        if (d == 0.f) continue;
        const float dm = fp16(b.dmin) * static_cast<float>(b.scales[j] >> 4);
        for (int ii = 0; ii < 16; ++ii) {
            const int l = nearest_int((x[16 * j + ii] + dm) / d);
            L[16 * j + ii] = static_cast<uint8_t>(std::max(0, std::min(3, l)));
        }
    }
}

void quantize_q2_k_block_weighted(const float* x, const float* qw, BlockQ2_K& b, uint8_t* L) {
    float mins[QK_K / 16], scales[QK_K / 16], sw[QK_K / 16], weights[16];
    uint8_t Laux[16], ls[QK_K / 16], lm[QK_K / 16];
    const float sigma2 = sum_of_squares(x, QK_K) / QK_K;
    for (int j = 0; j < QK_K / 16; ++j) {
        importance_weights(qw + 16 * j, x + 16 * j, 16, sigma2, weights);
        sw[j] = 0;
        for (int l = 0; l < 16; ++l) sw[j] += weights[l];
        scales[j] = make_qkx2_quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.9f, 0.05f, 36,
                                     false);
    }
    b.d = to_fp16(make_qp_quants(QK_K / 16, 15, scales, ls, sw));
    b.dmin = to_fp16(make_qp_quants(QK_K / 16, 15, mins, lm, sw));
    for (int j = 0; j < QK_K / 16; ++j) b.scales[j] = static_cast<uint8_t>(ls[j] | (lm[j] << 4));
    requantize_q2_k(x, b, L);
}

void quantize_q2_k_block(const float* x, BlockQ2_K& b, uint8_t* L) {
    constexpr float q4scale = 15.f;
    uint8_t Laux[16];
    float weights[16], mins[QK_K / 16], scales[QK_K / 16];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK_K / 16; ++j) {
        for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
        scales[j] = make_qkx2_quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux,
                                     -0.5f, 0.1f, 15, true);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }

    if (max_scale > 0) {
        const float iscale = q4scale / max_scale;
        for (int j = 0; j < QK_K / 16; ++j)
            b.scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
        b.d = to_fp16(max_scale / q4scale);
    } else {
        std::memset(b.scales, 0, sizeof b.scales);
        b.d = to_fp16(0.f);
    }
    if (max_min > 0) {
        const float iscale = q4scale / max_min;
        for (int j = 0; j < QK_K / 16; ++j)
            b.scales[j] = static_cast<uint8_t>(b.scales[j] | (nearest_int(iscale * mins[j]) << 4));
        b.dmin = to_fp16(max_min / q4scale);
    } else {
        b.dmin = to_fp16(0.f);
    }
    requantize_q2_k(x, b, L);
}

// Q3_K: stores sixteen signed 6-bit group scales (given +32, in 0..63) in the 12-byte layout
// q3k_scale reads.
void pack_q3k_scales(const int* l, uint8_t* scales) {
    std::memset(scales, 0, 12);
    for (int j = 0; j < QK_K / 16; ++j) {
        if (j < 8)
            scales[j] = static_cast<uint8_t>(l[j] & 0xF);
        else
            scales[j - 8] = static_cast<uint8_t>(scales[j - 8] | ((l[j] & 0xF) << 4));
        scales[j % 4 + 8] = static_cast<uint8_t>(scales[j % 4 + 8] | ((l[j] >> 4) << (2 * (j / 4))));
    }
}

// Q3_K's block scales: the reference's max-based 6-bit scales, or with importance a weighted
// least-squares fit of the sixteen group scales (sw: each group's total importance).
void set_q3_k_scales(const float* scales, const float* sw, BlockQ3_K& b) {
    int l[QK_K / 16];
    if (sw) {
        int8_t Ls[QK_K / 16];
        b.d = to_fp16(make_qx_quants(QK_K / 16, 32, scales, Ls, sw));
        for (int j = 0; j < QK_K / 16; ++j) l[j] = Ls[j];
        pack_q3k_scales(l, b.scales);
        return;
    }
    float max_scale = 0, amax = 0;  // the signed scale of largest magnitude
    for (int j = 0; j < QK_K / 16; ++j) {
        if (std::fabs(scales[j]) > amax) {
            amax = std::fabs(scales[j]);
            max_scale = scales[j];
        }
    }
    if (max_scale == 0.f) {
        std::memset(b.scales, 0, sizeof b.scales);
        b.d = to_fp16(0.f);
        return;
    }
    const float iscale = -32.f / max_scale;
    for (int j = 0; j < QK_K / 16; ++j) l[j] = std::max(-32, std::min(31, nearest_int(iscale * scales[j]))) + 32;
    pack_q3k_scales(l, b.scales);
    b.d = to_fp16(1 / iscale);
}

}  // namespace

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t n, const float* qw) {
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        if (qw)
            quantize_q2_k_block_weighted(x, qw + i * QK_K, y[i], L);
        else
            quantize_q2_k_block(x, y[i], L);
        pack_2bit_planes(L, y[i].qs);
    }
}

void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t n, const float* qw) {
    int8_t L[QK_K];
    float scales[QK_K / 16], weights[16], sw[QK_K / 16];
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        BlockQ3_K& b = y[i];
        if (qw) {
            const float sigma2 = 2 * sum_of_squares(x, QK_K) / QK_K;
            for (int j = 0; j < QK_K / 16; ++j) {
                importance_weights(qw + i * QK_K + 16 * j, x + 16 * j, 16, sigma2, weights);
                sw[j] = 0;
                for (int l = 0; l < 16; ++l) sw[j] += weights[l];
                scales[j] = make_qx_quants(16, 4, x + 16 * j, L + 16 * j, weights);
            }
        } else {
            for (int j = 0; j < QK_K / 16; ++j) scales[j] = make_q3_quants(16, 4, x + 16 * j, L + 16 * j);
        }
        set_q3_k_scales(scales, qw ? sw : nullptr, b);

        for (int j = 0; j < QK_K / 16; ++j) {
            const float d = fp16(b.d) * static_cast<float>(q3k_scale(b.scales, j));
            if (d == 0.f) continue;
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearest_int(x[16 * j + ii] / d);
                L[16 * j + ii] = static_cast<int8_t>(std::max(-4, std::min(3, l)) + 4);
            }
        }

        // Third bit of value j goes to hmask[j % 32], bit j / 32; the low two bits to qs.
        std::memset(b.hmask, 0, sizeof b.hmask);
        uint8_t low[QK_K];
        for (int j = 0; j < QK_K; ++j) {
            int l = L[j];
            if (l > 3) {
                b.hmask[j % 32] = static_cast<uint8_t>(b.hmask[j % 32] | (1 << (j / 32)));
                l -= 4;
            }
            low[j] = static_cast<uint8_t>(l);
        }
        pack_2bit_planes(low, b.qs);
    }
}

void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t n, const float* qw) {
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        if (qw)
            quantize_scale_min_k_weighted(x, qw + i * QK_K, y[i], L, 15);
        else
            quantize_scale_min_k(x, y[i], L, 15, -1.f, 20);
        uint8_t* q = y[i].qs;
        for (int j = 0; j < QK_K; j += 64, q += 32)
            for (int l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
    }
}

void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t n, const float* qw) {
    uint8_t L[QK_K];
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        BlockQ5_K& b = y[i];
        if (qw)
            quantize_scale_min_k_weighted(x, qw + i * QK_K, b, L, 31);
        else
            quantize_scale_min_k(x, b, L, 31, -0.5f, 15);
        // Low nibbles as Q4_K; the fifth bits of each 64-value run form two planes of qh.
        std::memset(b.qh, 0, sizeof b.qh);
        uint8_t* ql = b.qs;
        uint8_t m1 = 1, m2 = 2;
        for (int r = 0; r < QK_K; r += 64, ql += 32) {
            for (int j = 0; j < 32; ++j) {
                int l1 = L[r + j], l2 = L[r + j + 32];
                if (l1 > 15) { l1 -= 16; b.qh[j] = static_cast<uint8_t>(b.qh[j] | m1); }
                if (l2 > 15) { l2 -= 16; b.qh[j] = static_cast<uint8_t>(b.qh[j] | m2); }
                ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
            }
            m1 = static_cast<uint8_t>(m1 << 2);
            m2 = static_cast<uint8_t>(m2 << 2);
        }
    }
}

void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t n, const float* qw) {
    int8_t L[QK_K];
    float scales[QK_K / 16];
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        BlockQ6_K& b = y[i];
        float max_scale = 0, max_abs_scale = 0;
        for (int ib = 0; ib < QK_K / 16; ++ib) {
            // With importance the column weights are used as they are (no sigma2 term), as
            // llama.cpp's Q6_K does.
            scales[ib] = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib, qw ? qw + i * QK_K + 16 * ib : nullptr);
            const float abs_scale = std::fabs(scales[ib]);
            if (abs_scale > max_abs_scale) {
                max_abs_scale = abs_scale;
                max_scale = scales[ib];
            }
        }
        if (max_abs_scale < 1e-15f) {  // all (near) zero
            std::memset(&b, 0, sizeof b);
            continue;
        }

        const float iscale = -128.f / max_scale;
        b.d = to_fp16(1 / iscale);
        for (int ib = 0; ib < QK_K / 16; ++ib)
            b.scales[ib] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[ib])));

        for (int j = 0; j < QK_K / 16; ++j) {
            const float d = fp16(b.d) * b.scales[j];
            if (d == 0.f) continue;
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearest_int(x[16 * j + ii] / d);
                L[16 * j + ii] = static_cast<int8_t>(std::max(-32, std::min(31, l)) + 32);
            }
        }

        // Each 128-value half: low nibbles of values l and l+64 share ql[l], of l+32 and l+96
        // share ql[l+32]; the four 2-bit high parts share qh[l].
        uint8_t* ql = b.ql;
        uint8_t* qh = b.qh;
        for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
                ql[l] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[l + 32] = static_cast<uint8_t>((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
            }
        }
    }
}

void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t n) {
    for (int64_t i = 0; i < n / QK_K; ++i, x += QK_K) {
        BlockQ8_K& b = y[i];
        float max = 0, amax = 0;
        for (int j = 0; j < QK_K; ++j) {
            const float ax = std::fabs(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (amax == 0.f) {
            std::memset(&b, 0, sizeof b);
            continue;
        }
        // -127 rather than -128 keeps every quant in [-127, 127] (symmetric for SIMD dots).
        const float iscale = -127.f / max;
        for (int j = 0; j < QK_K; ++j) b.qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
        for (int j = 0; j < QK_K / 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) sum += b.qs[j * 16 + ii];
            b.bsums[j] = static_cast<int16_t>(sum);
        }
        b.d = 1 / iscale;
    }
}

}  // namespace tessera::quant_detail

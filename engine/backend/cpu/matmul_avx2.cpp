// AVX2 kernels (no VNNI): maddubs + madd dot products. Decode: each quantized type has a
// kernel that reads its blocks directly (decoding in registers); prefill goes to
// matmul_tiled_avx2. Q8_0 bytes are full-range signed, where maddubs could saturate, so
// they use the sign trick |w| * sign(x, w) instead of the unsigned canonical form.
#include <immintrin.h>

#include <cstring>
#include <type_traits>
#include <vector>

#include "backend/cpu/matmul_canonical.h"
#include "backend/cpu/matmul_internal.h"
#include "backend/cpu/matmul_low_bit_k.h"
#include "backend/cpu/matmul_simd_common.h"

namespace tessera::cpu::detail {
namespace {

// Sum of the int8 products of 32 weight bytes (unsigned, or signed when Signed) and 32
// activation bytes, as 8 int32 lanes.
template <bool Signed>
__m256i dot32(__m256i w, __m256i x) {
    const __m256i ones = _mm256_set1_epi16(1);
    if constexpr (Signed) return _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w)), ones);
    else return _mm256_madd_epi16(_mm256_maddubs_epi16(w, x), ones);
}

// Q4_K and Q5_K x Q8_K: per 32-byte chunk of nibbles, low nibbles meet activations
// [64j, 64j+32) and high nibbles [64j+32, 64j+64); Q5_K's fifth bits of those sub-blocks
// (2j and 2j+1) are bits 2j and 2j+1 of qh[l]. maddubs makes int16 pair sums and madd
// applies the sub-block scale; mins go through the activation block sums.
template <typename Block>
void rows_q45_k(const MatmulArgs& a) {
    constexpr bool five = std::is_same_v<Block, BlockQ5_K>;
    const int64_t nsb = a.k / QK_K;
    const __m256i sixteen = _mm256_set1_epi8(16);
    // byte l of the result is 16 where bit `bit` of qh[l] is set
    auto fifth = [&](__m256i qh, int bit) {
        const __m256i m = _mm256_set1_epi8(static_cast<char>(1 << bit));
        return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, m), m), sixteen);
    };
    const __m256i low4 = _mm256_set1_epi8(0x0F);
    __m256i sel[8];
    for (int j = 0; j < 8; ++j) sel[j] = _mm256_set1_epi16(static_cast<int16_t>(0xFF00 | j));  // byte j -> int16
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const Block*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const auto* xb = reinterpret_cast<const BlockQ8_K*>(a.x + c * a.x_row_bytes);
            __m256 acc = _mm256_setzero_ps();
            __m128 acc_min = _mm_setzero_ps();
            for (int64_t i = 0; i < nsb; ++i) {
                const Block& b = blk[i];
                const __m128i sm = unpack_k4_scales(b.scales);
                const __m256i sc = _mm256_broadcastsi128_si256(sm);
                const __m128i bs = _mm_hadd_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(xb[i].bsums)),
                                                  _mm_loadu_si128(reinterpret_cast<const __m128i*>(xb[i].bsums + 8)));
                const __m128i prod_min = _mm_madd_epi16(_mm_cvtepu8_epi16(_mm_srli_si128(sm, 8)), bs);
                __m256i isum = _mm256_setzero_si256();
                for (int j = 0; j < 4; ++j) {
                    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * j));
                    __m256i lo = _mm256_and_si256(q, low4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
                    if constexpr (five) {
                        const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh));
                        lo = _mm256_or_si256(lo, fifth(qh, 2 * j));
                        hi = _mm256_or_si256(hi, fifth(qh, 2 * j + 1));
                    }
                    const __m256i pl = _mm256_maddubs_epi16(lo, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].qs + 64 * j)));
                    const __m256i ph = _mm256_maddubs_epi16(hi, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].qs + 64 * j + 32)));
                    isum = _mm256_add_epi32(isum, _mm256_add_epi32(_mm256_madd_epi16(pl, _mm256_shuffle_epi8(sc, sel[2 * j])),
                                                                   _mm256_madd_epi16(ph, _mm256_shuffle_epi8(sc, sel[2 * j + 1]))));
                }
                const float dx = xb[i].d;
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(_cvtsh_ss(b.d) * dx), acc);
                acc_min = _mm_fmadd_ps(_mm_cvtepi32_ps(prod_min), _mm_set1_ps(_cvtsh_ss(b.dmin) * dx), acc_min);
            }
            const __m128 m = _mm_add_ps(acc_min, _mm_movehl_ps(acc_min, acc_min));
            a.y[c * a.y_stride + r] = hsum8(acc) - _mm_cvtss_f32(_mm_add_ss(m, _mm_movehdup_ps(m)));
        }
    }
}

// Q8_0 x Q8_0 straight from the blocks: sign trick, two blocks per step.
void rows_q8_0(const MatmulArgs& a) {
    const int64_t nb = a.k / 32;
    const __m256i ones = _mm256_set1_epi16(1);
    auto block_dot = [&](const BlockQ8_0& w, const BlockQ8_0& x) {
        const __m256i wv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w.qs));
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qs));
        const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_sign_epi8(wv, wv), _mm256_sign_epi8(xv, wv)), ones);
        return _mm256_mul_ps(_mm256_cvtepi32_ps(p), _mm256_set1_ps(_cvtsh_ss(w.d) * _cvtsh_ss(x.d)));
    };
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* w = reinterpret_cast<const BlockQ8_0*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const auto* x = reinterpret_cast<const BlockQ8_0*>(a.x + c * a.x_row_bytes);
            __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
            int64_t b = 0;
            for (; b + 2 <= nb; b += 2) {
                acc0 = _mm256_add_ps(acc0, block_dot(w[b], x[b]));
                acc1 = _mm256_add_ps(acc1, block_dot(w[b + 1], x[b + 1]));
            }
            if (b < nb) acc0 = _mm256_add_ps(acc0, block_dot(w[b], x[b]));
            a.y[c * a.y_stride + r] = hsum8(_mm256_add_ps(acc0, acc1));
        }
    }
}

// Q4_0, Q4_1, Q5_0, Q5_1 (blocks of 32, one f16 scale, maybe a min): each block decoded in
// registers to canonical unsigned bytes (low nibbles are elements 0-15, high ones 16-31;
// Q5's fifth bits spread from qh), then maddubs against the activations, with the
// -zp * sum(x) correction and the min's term per block.
// Byte i gets 16 where bit i of the 32 qh bits is set.
__m256i fifth_bits(const uint8_t* qh) {
    uint32_t bits;
    std::memcpy(&bits, qh, 4);
    const __m256i spread = _mm256_shuffle_epi8(  // byte i <- byte i/8 of the bits (in each lane)
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m256i bit = _mm256_set1_epi64x(static_cast<int64_t>(0x8040201008040201ull));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit), _mm256_set1_epi8(16));
}

template <typename Raw>
__m256i block32_bytes(const Raw& b) {
    if constexpr (requires { b.qh; }) return _mm256_or_si256(nibbles(b.qs), fifth_bits(b.qh));
    else return nibbles(b.qs);
}

template <typename Raw>
void rows_block32(const MatmulArgs& a) {
    constexpr bool has_min = requires(const Raw& b) { b.m; };
    const int zp = canonical_layout(a.w_type).zp;
    const TensorType dot_type = tensor_type_info(a.w_type).dot_type;
    const int64_t k = a.k, nb = k / 32;
    std::vector<int8_t> xq(a.n_cols * k);
    std::vector<float> xd(a.n_cols * nb), xds(a.n_cols * nb);
    std::vector<int32_t> xinit(a.n_cols * nb);
    for (int64_t c = 0; c < a.n_cols; ++c)
        prepare_activation_row(dot_type, 32, zp, a.x + c * a.x_row_bytes, k, &xq[c * k], &xd[c * nb], &xinit[c * nb],
                               &xds[c * nb]);
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const Raw*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const int8_t* q = &xq[c * k];
            __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
            float min_sum = 0.0f;
            for (int64_t b = 0; b < nb; ++b) {
                __m256i isum = dot32<false>(block32_bytes(blk[b]), _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 32 * b)));
                isum = _mm256_add_epi32(isum, _mm256_castsi128_si256(_mm_cvtsi32_si128(xinit[c * nb + b])));
                const __m256 scale = _mm256_set1_ps(_cvtsh_ss(blk[b].d) * xd[c * nb + b]);
                if (b & 1) acc1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc1);
                else acc0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc0);
                if constexpr (has_min) min_sum += _cvtsh_ss(blk[b].m) * xds[c * nb + b];
            }
            a.y[c * a.y_stride + r] = hsum8(_mm256_add_ps(acc0, acc1)) + min_sum;
        }
    }
}

// Q6_K x Q8_K: 32 consecutive 6-bit values per ymm (low or high nibbles of ql plus a
// 2-bit pair of qh), two 16-element sub-blocks per ymm (one per 128-bit lane), each
// with its int16 scale; the -32 offset is applied once through bsums.
void rows_q6_k(const MatmulArgs& a) {
    const int64_t nsb = a.k / QK_K;
    const __m256i m0f = _mm256_set1_epi8(0x0F), m30 = _mm256_set1_epi8(0x30);
    // within a broadcast int32 (scale a | scale a+1 << 16): low word in lane 0, high in lane 1
    const __m256i split = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                           2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const BlockQ6_K*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const auto* xb = reinterpret_cast<const BlockQ8_K*>(a.x + c * a.x_row_bytes);
            __m256 acc = _mm256_setzero_ps();
            for (int64_t i = 0; i < nsb; ++i) {
                const BlockQ6_K& b = blk[i];
                const __m256i sc = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
                const __m256i corr = _mm256_madd_epi16(sc, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].bsums)));
                __m256i isum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(corr, 5));
                for (int h = 0; h < 2; ++h) {
                    const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * h));
                    const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.ql + 64 * h + 32));
                    const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h));
                    const __m256i q[4] = {
                        _mm256_or_si256(_mm256_and_si256(ql0, m0f), _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30)),
                        _mm256_or_si256(_mm256_and_si256(ql1, m0f), _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m0f), _mm256_and_si256(qh, m30)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), m0f),
                                        _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30))};
                    for (int t = 0; t < 4; ++t) {
                        const int pair = 4 * h + t;  // int32 holding scales 2*pair, 2*pair+1
                        const __m256i scale = _mm256_shuffle_epi8(
                            _mm256_permutevar8x32_epi32(sc, _mm256_set1_epi32(pair)), split);
                        const __m256i p = _mm256_maddubs_epi16(
                            q[t], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].qs + 128 * h + 32 * t)));
                        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, scale));
                    }
                }
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(_cvtsh_ss(b.d) * xb[i].d), acc);
            }
            a.y[c * a.y_stride + r] = hsum8(acc);
        }
    }
}

}  // namespace

void matmul_avx2(const MatmulArgs& a) {
    switch (a.w_type) {
        case TensorType::F32:
        case TensorType::F16:
        case TensorType::BF16:
            return matmul_float_avx2(a);
        default: break;
    }
    if (use_tiled(a.w_type, a.n_cols)) return matmul_tiled_avx2(a);
    switch (a.w_type) {
        case TensorType::Q8_0: return rows_q8_0(a);
        case TensorType::Q4_0: return rows_block32<BlockQ4_0>(a);
        case TensorType::Q4_1: return rows_block32<BlockQ4_1>(a);
        case TensorType::Q5_0: return rows_block32<BlockQ5_0>(a);
        case TensorType::Q5_1: return rows_block32<BlockQ5_1>(a);
        case TensorType::Q4_K: return rows_q45_k<BlockQ4_K>(a);
        case TensorType::Q5_K: return rows_q45_k<BlockQ5_K>(a);
        case TensorType::Q2_K: return rows_low_bit_k<BlockQ2_K>(a);
        case TensorType::Q3_K: return rows_low_bit_k<BlockQ3_K>(a);
        case TensorType::Q6_K: return rows_q6_k(a);
        default: return matmul_portable(a);  // no SIMD kernel for this type
    }
}

}  // namespace tessera::cpu::detail

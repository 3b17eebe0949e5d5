// AVX-512 (VNNI) decode kernels: one weight row at a time against few activation
// columns, reading each weight byte once and decoding it in registers. Also the AVX-512
// dispatch.
// GCC 12 flags the self-initialized _mm512_undefined_* inside the intrinsic headers.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
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

float hsum(__m512 v) { return _mm512_reduce_add_ps(v); }

// ---- Blocks of 32 with one f16 scale (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1): two blocks per
// zmm, decoded in registers to canonical unsigned bytes (no row buffer), vpdpbusd against
// the activations with the -zp * sum(x) correction preloaded in the accumulator lanes.
template <typename Raw>
__m256i block32_bytes(const Raw& b) {
    if constexpr (std::is_same_v<Raw, BlockQ8_0>) {  // signed -> unsigned: + 128 (zp 128)
        return _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs)),
                                _mm256_set1_epi8(static_cast<char>(0x80)));
    } else if constexpr (requires { b.qh; }) {  // Q5: bit i of qh is element i's 16
        uint32_t bits;
        std::memcpy(&bits, b.qh, 4);
        return _mm256_or_si256(nibbles(b.qs), _mm256_maskz_set1_epi8(bits, 0x10));
    } else {
        return nibbles(b.qs);
    }
}

struct PairColumns {
    std::vector<int8_t> q;            // [col][k], padded to whole pairs
    std::vector<int32_t> init_pairs;  // [col][pair][16]: -zp*sum(x) in lanes 0 and 8
    std::vector<float> d_pairs;       // [col][pair][16]: d of block 2p (lanes 0-7), 2p+1 (8-15)
    std::vector<float> ds;            // [col][block]: d * sum(x), for the mins
};

PairColumns prepare_pair_columns(const MatmulArgs& a, int zp) {
    const TensorType dot_type = tensor_type_info(a.w_type).dot_type;
    const int64_t k = a.k, nb = k / 32, np = (nb + 1) / 2;
    PairColumns x{std::vector<int8_t>(a.n_cols * np * 64, 0), std::vector<int32_t>(a.n_cols * np * 16, 0),
                  std::vector<float>(a.n_cols * np * 16, 0.0f), std::vector<float>(a.n_cols * nb)};
    std::vector<float> d(nb);
    std::vector<int32_t> init(nb);
    for (int64_t c = 0; c < a.n_cols; ++c) {
        prepare_activation_row(dot_type, 32, zp, a.x + c * a.x_row_bytes, k, &x.q[c * np * 64], d.data(),
                               init.data(), &x.ds[c * nb]);
        for (int64_t b = 0; b < nb; ++b) {
            x.init_pairs[(c * np + b / 2) * 16 + (b & 1) * 8] = init[b];
            for (int l = 0; l < 8; ++l) x.d_pairs[(c * np + b / 2) * 16 + (b & 1) * 8 + l] = d[b];
        }
    }
    return x;
}

template <typename Raw>
void rows_block32(const MatmulArgs& a) {
    constexpr bool has_min = requires(const Raw& b) { b.m; };
    const int64_t nb = a.k / 32, np = (nb + 1) / 2;
    const PairColumns x = prepare_pair_columns(a, canonical_layout(a.w_type).zp);
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const Raw*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const int8_t* xq = &x.q[c * np * 64];
            const int32_t* xi = &x.init_pairs[c * np * 16];
            const float* xd = &x.d_pairs[c * np * 16];
            __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
            int64_t p = 0;
            for (; 2 * p + 1 < nb; ++p) {
                const __m512i w = _mm512_inserti64x4(_mm512_castsi256_si512(block32_bytes(blk[2 * p])),
                                                     block32_bytes(blk[2 * p + 1]), 1);
                const __m512i isum = _mm512_dpbusd_epi32(_mm512_loadu_si512(xi + 16 * p), w, _mm512_loadu_si512(xq + 64 * p));
                const __m512 dw = _mm512_insertf32x8(_mm512_set1_ps(_cvtsh_ss(blk[2 * p].d)),
                                                     _mm256_set1_ps(_cvtsh_ss(blk[2 * p + 1].d)), 1);
                const __m512 scale = _mm512_mul_ps(dw, _mm512_loadu_ps(xd + 16 * p));
                if (p & 1) acc1 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc1);
                else acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc0);
            }
            if (p < np) {  // odd block count: last block alone in lanes 0-7
                const __m512i w = _mm512_castsi256_si512(block32_bytes(blk[2 * p]));
                const __m512i isum = _mm512_dpbusd_epi32(_mm512_loadu_si512(xi + 16 * p),
                                                         _mm512_maskz_mov_epi32(0xFF, w), _mm512_loadu_si512(xq + 64 * p));
                const __m512 scale = _mm512_mul_ps(_mm512_set1_ps(_cvtsh_ss(blk[2 * p].d)), _mm512_loadu_ps(xd + 16 * p));
                acc0 = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), scale, acc0);
            }
            float min_sum = 0.0f;
            if constexpr (has_min)
                for (int64_t b = 0; b < nb; ++b) min_sum += _cvtsh_ss(blk[b].m) * x.ds[c * nb + b];
            a.y[c * a.y_stride + r] = hsum(_mm512_add_ps(acc0, acc1)) + min_sum;
        }
    }
}

// ---- Q4_K and Q5_K. Activations are reordered per super-block so that one zmm of packed
// nibbles (64 bytes = two 32-byte chunks) meets its 64 activations in order:
// low nibbles of bytes 0-63 are sub-blocks 0 and 2, of bytes 64-127 sub-blocks 4
// and 6; high nibbles give 1, 3 and 5, 7. Q5_K's fifth bit of sub-block j is bit j of
// qh[l], tested into a byte mask. maddubs makes int16 pair sums, vpdpwssd multiplies
// them by the sub-block scales and accumulates in int32.
struct Q4KColumns {
    std::vector<int8_t> q;     // [col][k] reordered as [sb0 sb2 sb4 sb6 sb1 sb3 sb5 sb7]
    std::vector<int16_t> bs;   // [col][super-block][8] sums of each 32-element sub-block
    std::vector<float> d;      // [col][super-block]
};

Q4KColumns prepare_q8_k_columns(const MatmulArgs& a) {
    const int64_t nsb = a.k / QK_K;
    Q4KColumns x{std::vector<int8_t>(a.n_cols * a.k), std::vector<int16_t>(a.n_cols * nsb * 8),
                 std::vector<float>(a.n_cols * nsb)};
    static constexpr int kOrder[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    for (int64_t c = 0; c < a.n_cols; ++c)
        for (int64_t i = 0; i < nsb; ++i) {
            BlockQ8_K b;
            std::memcpy(&b, a.x + c * a.x_row_bytes + i * sizeof(BlockQ8_K), sizeof b);
            int8_t* dst = &x.q[c * a.k + i * QK_K];
            for (int j = 0; j < 8; ++j) std::memcpy(dst + 32 * j, b.qs + 32 * kOrder[j], 32);
            for (int j = 0; j < 8; ++j)
                x.bs[(c * nsb + i) * 8 + j] = static_cast<int16_t>(b.bsums[2 * j] + b.bsums[2 * j + 1]);
            x.d[c * nsb + i] = b.d;
        }
    return x;
}

template <typename Block>
void rows_q45_k(const MatmulArgs& a) {
    constexpr bool five = std::is_same_v<Block, BlockQ5_K>;
    const int64_t nsb = a.k / QK_K;
    const Q4KColumns x = prepare_q8_k_columns(a);
    // qh bits of the sub-blocks in p0..p3 below: (0, 2), (4, 6), (1, 3), (5, 7)
    auto bits = [](int lo, int hi) {
        return _mm512_inserti64x4(_mm512_set1_epi8(static_cast<char>(1 << lo)), _mm256_set1_epi8(static_cast<char>(1 << hi)), 1);
    };
    const __m512i bit0 = bits(0, 2), bit1 = bits(4, 6), bit2 = bits(1, 3), bit3 = bits(5, 7);
    const __m512i sixteen = _mm512_set1_epi8(16);
    const __m512i low4 = _mm512_set1_epi8(0x0F);
    // vpshufb controls turning byte a0 (lanes 0-1) / a1 (lanes 2-3) into int16 lanes
    auto spread = [](int a0, int a1) {
        alignas(64) int8_t c[64];
        for (int l = 0; l < 4; ++l)
            for (int e = 0; e < 8; ++e) {
                c[16 * l + 2 * e] = static_cast<int8_t>(l < 2 ? a0 : a1);
                c[16 * l + 2 * e + 1] = -1;
            }
        return _mm512_load_si512(c);
    };
    const __m512i sel0 = spread(0, 2), sel1 = spread(4, 6), sel2 = spread(1, 3), sel3 = spread(5, 7);
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const Block*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const int8_t* xq = &x.q[c * a.k];
            __m512 acc = _mm512_setzero_ps();
            __m128 acc_min = _mm_setzero_ps();
            for (int64_t i = 0; i < nsb; ++i) {
                const Block& b = blk[i];
                const __m128i sm = unpack_k4_scales(b.scales);
                const __m512i sc = _mm512_broadcast_i32x4(sm);
                const __m128i mins = _mm_cvtepu8_epi16(_mm_srli_si128(sm, 8));
                const __m128i prod_min = _mm_madd_epi16(
                    mins, _mm_loadu_si128(reinterpret_cast<const __m128i*>(&x.bs[(c * nsb + i) * 8])));

                const __m512i q0 = _mm512_loadu_si512(b.qs), q1 = _mm512_loadu_si512(b.qs + 64);
                const int8_t* xs = xq + i * QK_K;
                __m512i w0 = _mm512_and_si512(q0, low4), w1 = _mm512_and_si512(q1, low4);
                __m512i w2 = _mm512_and_si512(_mm512_srli_epi16(q0, 4), low4);
                __m512i w3 = _mm512_and_si512(_mm512_srli_epi16(q1, 4), low4);
                if constexpr (five) {
                    const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh)));
                    w0 = _mm512_or_si512(w0, _mm512_maskz_mov_epi8(_mm512_test_epi8_mask(qh, bit0), sixteen));
                    w1 = _mm512_or_si512(w1, _mm512_maskz_mov_epi8(_mm512_test_epi8_mask(qh, bit1), sixteen));
                    w2 = _mm512_or_si512(w2, _mm512_maskz_mov_epi8(_mm512_test_epi8_mask(qh, bit2), sixteen));
                    w3 = _mm512_or_si512(w3, _mm512_maskz_mov_epi8(_mm512_test_epi8_mask(qh, bit3), sixteen));
                }
                const __m512i p0 = _mm512_maddubs_epi16(w0, _mm512_loadu_si512(xs));
                const __m512i p1 = _mm512_maddubs_epi16(w1, _mm512_loadu_si512(xs + 64));
                const __m512i p2 = _mm512_maddubs_epi16(w2, _mm512_loadu_si512(xs + 128));
                const __m512i p3 = _mm512_maddubs_epi16(w3, _mm512_loadu_si512(xs + 192));
                __m512i isum = _mm512_madd_epi16(p0, _mm512_shuffle_epi8(sc, sel0));
                isum = _mm512_dpwssd_epi32(isum, p1, _mm512_shuffle_epi8(sc, sel1));
                isum = _mm512_dpwssd_epi32(isum, p2, _mm512_shuffle_epi8(sc, sel2));
                isum = _mm512_dpwssd_epi32(isum, p3, _mm512_shuffle_epi8(sc, sel3));

                const float dx = x.d[c * nsb + i];
                acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(_cvtsh_ss(b.d) * dx), acc);
                acc_min = _mm_fmadd_ps(_mm_cvtepi32_ps(prod_min), _mm_set1_ps(_cvtsh_ss(b.dmin) * dx), acc_min);
            }
            const __m128 m = _mm_add_ps(acc_min, _mm_movehl_ps(acc_min, acc_min));
            const float min_sum = _mm_cvtss_f32(_mm_add_ss(m, _mm_movehdup_ps(m)));
            a.y[c * a.y_stride + r] = hsum(acc) - min_sum;
        }
    }
}

// ---- Q6_K. A zmm of 64 low-bit bytes plus the matching 2-bit pairs of qh yields 64
// consecutive 6-bit values (no activation reordering needed). Each 128-bit lane holds
// one 16-element sub-block, so lane-wise int16 scales feed vpdpwssd; the -32 offset
// is applied once per super-block through bsums.
void rows_q6_k(const MatmulArgs& a) {
    const int64_t nsb = a.k / QK_K;
    const __m512i m0f = _mm512_set1_epi8(0x0F), m30 = _mm512_set1_epi8(0x30);
    // 16-bit shift counts: bits (0-1 | 2-3) to 4-5 for the low nibbles, (4-5 | 6-7) for the high
    alignas(64) int16_t shifts[2][32];
    for (int l = 0; l < 32; ++l) {
        shifts[0][l] = l < 16 ? 4 : 2;
        shifts[1][l] = l < 16 ? 0 : 2;
    }
    const __m512i shl_lo = _mm512_load_si512(shifts[0]), shr_hi = _mm512_load_si512(shifts[1]);
    __m512i sc_idx[4];
    for (int j = 0; j < 4; ++j) {
        alignas(64) int16_t idx[32];
        for (int l = 0; l < 32; ++l) idx[l] = static_cast<int16_t>(4 * j + l / 8);
        sc_idx[j] = _mm512_load_si512(idx);
    }
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const BlockQ6_K*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const auto* xb = reinterpret_cast<const BlockQ8_K*>(a.x + c * a.x_row_bytes);
            __m512 acc = _mm512_setzero_ps();
            for (int64_t i = 0; i < nsb; ++i) {
                const BlockQ6_K& b = blk[i];
                const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales)));
                const __m512i sc = _mm512_castsi256_si512(sc16);
                const __m256i corr = _mm256_madd_epi16(sc16, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].bsums)));
                __m512i isum = _mm512_zextsi256_si512(_mm256_slli_epi32(corr, 5));
                isum = _mm512_sub_epi32(_mm512_setzero_si512(), isum);
                for (int h = 0; h < 2; ++h) {
                    const __m512i ql = _mm512_loadu_si512(b.ql + 64 * h);
                    const __m512i qh = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qh + 32 * h)));
                    const __m512i qa = _mm512_or_si512(_mm512_and_si512(ql, m0f), _mm512_and_si512(_mm512_sllv_epi16(qh, shl_lo), m30));
                    const __m512i qb = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), m0f),
                                                       _mm512_and_si512(_mm512_srlv_epi16(qh, shr_hi), m30));
                    const __m512i pa = _mm512_maddubs_epi16(qa, _mm512_loadu_si512(xb[i].qs + 128 * h));
                    const __m512i pb = _mm512_maddubs_epi16(qb, _mm512_loadu_si512(xb[i].qs + 128 * h + 64));
                    isum = _mm512_dpwssd_epi32(isum, pa, _mm512_permutexvar_epi16(sc_idx[2 * h], sc));
                    isum = _mm512_dpwssd_epi32(isum, pb, _mm512_permutexvar_epi16(sc_idx[2 * h + 1], sc));
                }
                acc = _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(_cvtsh_ss(b.d) * xb[i].d), acc);
            }
            a.y[c * a.y_stride + r] = hsum(acc);
        }
    }
}

}  // namespace

void matmul_avx512(const MatmulArgs& a) {
    switch (a.w_type) {
        case TensorType::F32:
        case TensorType::F16:
        case TensorType::BF16:
            return matmul_float_avx512(a);
        default:
            break;
    }
    if (use_tiled(a.w_type, a.n_cols)) return matmul_tiled_avx512(a);
    switch (a.w_type) {
        case TensorType::Q8_0: return rows_block32<BlockQ8_0>(a);
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

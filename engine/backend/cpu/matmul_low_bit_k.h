// Q2_K and Q3_K x Q8_K decode kernels on 256-bit registers, shared by the AVX2 and AVX-512
// files (internal linkage: each keeps the copy compiled for its own instruction set).
//
// Both types hold 2-bit planes: element 128h + 32j + l is bits 2j..2j+1 of qs[32h + l]
// (Q3_K adds a third bit, bit 4h + j of hmask[l]), in sixteen sub-blocks of 16 with their
// own scales. 32 elements per ymm are two sub-blocks, one per 128-bit lane, so maddubs
// pair sums meet their lane's int16 scale in madd. Q2_K's mins and Q3_K's zero point 4
// go through the activations' sub-block sums (bsums) once per super-block.
#pragma once

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

#include "backend/cpu/matmul_canonical.h"
#include "backend/cpu/matmul_internal.h"
#include "backend/cpu/matmul_simd_common.h"

namespace tessera::cpu::detail {
namespace {

// Sixteen int16 scales in a ymm -> scale 2p in lane 0, scale 2p+1 in lane 1.
inline __m256i lane_scales(__m256i scales, int p) {
    const __m256i split = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                           2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3, 2, 3);
    return _mm256_shuffle_epi8(_mm256_permutevar8x32_epi32(scales, _mm256_set1_epi32(p)), split);
}

template <typename Block>
void rows_low_bit_k(const MatmulArgs& a) {
    constexpr bool three = std::is_same_v<Block, BlockQ3_K>;
    const int64_t nsb = a.k / QK_K;
    const __m256i m3 = _mm256_set1_epi8(3);
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const auto* blk = reinterpret_cast<const Block*>(a.w + r * a.w_row_bytes);
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const auto* xb = reinterpret_cast<const BlockQ8_K*>(a.x + c * a.x_row_bytes);
            __m256 acc = _mm256_setzero_ps();
            for (int64_t i = 0; i < nsb; ++i) {
                const Block& b = blk[i];
                const __m256i bsums = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].bsums));
                __m256i scales, isum;
                float d_min = 0.0f;  // Q2_K: dmin * dx * sum(min * bsum) is subtracted
                __m256i min_dot = _mm256_setzero_si256();
                if constexpr (three) {
                    int8_t sc[16];
                    k3_scales(b.scales, sc);
                    scales = _mm256_cvtepi8_epi16(_mm_sub_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(sc)),
                                                               _mm_set1_epi8(32)));
                    // zero point 4: sum (q - 4) x = sum q x - 4 sum x, per sub-block scale
                    isum = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(_mm256_madd_epi16(scales, bsums), 2));
                } else {
                    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.scales));
                    scales = _mm256_cvtepu8_epi16(_mm_and_si128(packed, _mm_set1_epi8(15)));
                    min_dot = _mm256_madd_epi16(_mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(packed, 4), _mm_set1_epi8(15))),
                                                bsums);
                    d_min = _cvtsh_ss(b.dmin);
                    isum = _mm256_setzero_si256();
                }
                __m256i hmask = _mm256_setzero_si256();
                if constexpr (three) hmask = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.hmask));
                for (int h = 0; h < 2; ++h) {
                    const __m256i planes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs + 32 * h));
                    for (int j = 0; j < 4; ++j) {
                        __m256i q = _mm256_and_si256(_mm256_srli_epi16(planes, 2 * j), m3);
                        if constexpr (three) {
                            const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << (4 * h + j)));
                            q = _mm256_or_si256(q, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hmask, bit), bit),
                                                                    _mm256_set1_epi8(4)));
                        }
                        const __m256i p = _mm256_maddubs_epi16(
                            q, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xb[i].qs + 128 * h + 32 * j)));
                        isum = _mm256_add_epi32(isum, _mm256_madd_epi16(p, lane_scales(scales, 4 * h + j)));
                    }
                }
                const float dx = xb[i].d;
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(_cvtsh_ss(b.d) * dx), acc);
                if constexpr (!three)
                    acc = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(min_dot), _mm256_set1_ps(d_min * dx), acc);
            }
            a.y[c * a.y_stride + r] = hsum8(acc);
        }
    }
}

}  // namespace
}  // namespace tessera::cpu::detail

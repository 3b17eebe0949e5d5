// Small SSE/AVX2-level helpers shared by the AVX2 and AVX-512 kernel files (internal
// linkage: each file keeps the copy compiled for its own instruction set).
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace tessera::cpu {
namespace {

// The 12 packed bytes of Q4_K 6-bit scales and mins -> bytes 0-7 scales, 8-15 mins,
// in vector registers (no trip through memory, which would stall store forwarding).
inline __m128i unpack_k4_scales(const uint8_t* packed) {
    // reads 16 bytes; the 4 past the scales are the block's quants
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(packed));
    const __m128i p = _mm_shuffle_epi8(s, _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11));
    const __m128i hi2 = _mm_shuffle_epi8(s, _mm_setr_epi8(-1, -1, -1, -1, 0, 1, 2, 3, -1, -1, -1, -1, 4, 5, 6, 7));
    const __m128i low = _mm_and_si128(p, _mm_setr_epi8(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0));
    const __m128i nib = _mm_and_si128(_mm_srli_epi16(p, 4), _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15));
    const __m128i top = _mm_and_si128(_mm_srli_epi16(hi2, 2), _mm_setr_epi8(0, 0, 0, 0, 48, 48, 48, 48, 0, 0, 0, 0, 48, 48, 48, 48));
    return _mm_or_si128(_mm_or_si128(low, nib), top);
}

// The sum of a ymm's 8 floats.
inline float hsum8(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

// A 32-element block's 16 bytes of nibbles as 32 bytes: low nibbles are elements 0-15,
// high ones 16-31 (Q4_0, Q4_1, Q5_0, Q5_1).
inline __m256i nibbles(const uint8_t* qs) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m128i m = _mm_set1_epi8(15);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_and_si128(q, m)),
                                   _mm_and_si128(_mm_srli_epi16(q, 4), m), 1);
}

}  // namespace
}  // namespace tessera::cpu

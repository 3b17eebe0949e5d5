// AVX2 kernels for F32 / F16 / BF16 weights. Decode: streaming dot products, four
// accumulators. Prefill: a tile of 16 rows is converted to f32 and transposed to
// [k][16] once, then 16 rows x 6 columns of accumulators (12 ymm) are updated with
// broadcast activations, so each weight is read from memory once per tile instead of
// once per column.
#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <vector>

#include "backend/cpu/matmul_internal.h"
#include "backend/cpu/matmul_simd_common.h"
#include "core/half.h"

namespace tessera::cpu::detail {
namespace {

constexpr int kRows = 16;
constexpr int kCols = 6;

template <TensorType T>
__m256 load8(const uint8_t* p, int64_t i) {
    if constexpr (T == TensorType::F32) return _mm256_loadu_ps(reinterpret_cast<const float*>(p) + i);
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
    if constexpr (T == TensorType::F16) return _mm256_cvtph_ps(h);
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

template <TensorType T>
float load1(const uint8_t* p, int64_t i) {
    if constexpr (T == TensorType::F32) {
        float v;
        std::memcpy(&v, p + 4 * i, 4);
        return v;
    }
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    return T == TensorType::F16 ? _cvtsh_ss(h) : bf16_to_f32(h);
}

template <TensorType T>
void rows(const MatmulArgs& a) {
    for (int64_t r = a.r0; r < a.r1; ++r) {
        const uint8_t* w = a.w + r * a.w_row_bytes;
        for (int64_t c = 0; c < a.n_cols; ++c) {
            const uint8_t* x = a.x + c * a.x_row_bytes;
            __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
            int64_t i = 0;
            for (; i + 32 <= a.k; i += 32)
                for (int u = 0; u < 4; ++u)
                    acc[u] = _mm256_fmadd_ps(load8<T>(w, i + 8 * u), load8<T>(x, i + 8 * u), acc[u]);
            float tail = 0.0f;
            for (; i < a.k; ++i) tail += load1<T>(w, i) * load1<T>(x, i);
            a.y[c * a.y_stride + r] =
                hsum8(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3]))) + tail;
        }
    }
}

// The tile [k][16] against NC f32 activation columns [col][k]; the first `rows` of the 16
// results of each column are written.
template <int NC>
void microkernel(const float* tile, const float* x, int64_t k, float* y, int64_t y_stride, int rows) {
    __m256 lo[NC], hi[NC];
    for (int c = 0; c < NC; ++c) lo[c] = hi[c] = _mm256_setzero_ps();
    for (int64_t i = 0; i < k; ++i) {
        const __m256 w0 = _mm256_load_ps(tile + i * kRows), w1 = _mm256_load_ps(tile + i * kRows + 8);
        for (int c = 0; c < NC; ++c) {
            const __m256 xv = _mm256_broadcast_ss(x + c * k + i);
            lo[c] = _mm256_fmadd_ps(w0, xv, lo[c]);
            hi[c] = _mm256_fmadd_ps(w1, xv, hi[c]);
        }
    }
    alignas(32) float out[kRows];
    for (int c = 0; c < NC; ++c) {
        _mm256_store_ps(out, lo[c]);
        _mm256_store_ps(out + 8, hi[c]);
        std::memcpy(y + c * y_stride, out, sizeof(float) * static_cast<size_t>(rows));
    }
}

void run_columns(const float* tile, const float* x, int64_t k, int64_t n_cols, float* y, int64_t y_stride, int rows) {
    int64_t c = 0;
    for (; c + kCols <= n_cols; c += kCols) microkernel<kCols>(tile, x + c * k, k, y + c * y_stride, y_stride, rows);
    const float* xc = x + c * k;
    float* yc = y + c * y_stride;
    switch (n_cols - c) {
        case 1: return microkernel<1>(tile, xc, k, yc, y_stride, rows);
        case 2: return microkernel<2>(tile, xc, k, yc, y_stride, rows);
        case 3: return microkernel<3>(tile, xc, k, yc, y_stride, rows);
        case 4: return microkernel<4>(tile, xc, k, yc, y_stride, rows);
        case 5: return microkernel<5>(tile, xc, k, yc, y_stride, rows);
        default: return;
    }
}

template <TensorType T>
void tiled(const MatmulArgs& a) {
    const int64_t k = a.k;
    std::vector<float> xf(a.n_cols * k);  // activations as contiguous f32 columns
    for (int64_t c = 0; c < a.n_cols; ++c)
        for (int64_t i = 0; i < k; ++i) xf[c * k + i] = load1<T>(a.x + c * a.x_row_bytes, i);
    float* tile = static_cast<float*>(::operator new[](sizeof(float) * kRows * k, std::align_val_t{32}));
    for (int64_t rt = a.r0; rt < a.r1; rt += kRows) {
        const int rows = static_cast<int>(std::min<int64_t>(kRows, a.r1 - rt));
        for (int r = 0; r < kRows; ++r) {
            if (r >= rows) {  // the last tile's missing rows are zeros
                for (int64_t i = 0; i < k; ++i) tile[i * kRows + r] = 0.0f;
                continue;
            }
            const uint8_t* w = a.w + (rt + r) * a.w_row_bytes;
            for (int64_t i = 0; i < k; ++i) tile[i * kRows + r] = load1<T>(w, i);
        }
        run_columns(tile, xf.data(), k, a.n_cols, a.y + rt, a.y_stride, rows);
    }
    ::operator delete[](tile, std::align_val_t{32});
}

}  // namespace

void matmul_float_avx2(const MatmulArgs& a) {
    const bool tile = a.n_cols >= kTiledMinCols;
    switch (a.w_type) {
        case TensorType::F32: return tile ? tiled<TensorType::F32>(a) : rows<TensorType::F32>(a);
        case TensorType::F16: return tile ? tiled<TensorType::F16>(a) : rows<TensorType::F16>(a);
        case TensorType::BF16: return tile ? tiled<TensorType::BF16>(a) : rows<TensorType::BF16>(a);
        default: return;
    }
}

}  // namespace tessera::cpu::detail

// The CPU matmul kernels alone, per weight type: decode (one activation column, weights
// streaming from DRAM) as weight GB/s and as a fraction of the single-thread read bandwidth
// measured in the same run, and prefill (512 columns) as GOP/s. Also llama.cpp's AVX2
// Q4_K x Q8_K dot, re-typed here, timed on the same data as ours.
//
//   tessera-matmul-bench [portable|avx2|avx512] [TYPE ...]     (default: every type)
#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "backend/cpu/matmul.h"
#include "core/half.h"
#include "memory_bandwidth.h"

using namespace tessera;
using namespace tessera::cpu;

namespace {

// Random bytes with every f16 scale set to a finite value, so no block is NaN or Inf.
std::vector<uint8_t> random_weights(TensorType t, int64_t rows, int64_t k) {
    const auto& info = tensor_type_info(t);
    const size_t rb = row_bytes(info, k);
    std::vector<uint8_t> w(rb * rows);
    std::mt19937 rng(1);
    for (auto& b : w) b = static_cast<uint8_t>(rng());
    auto value = [&] { return static_cast<float>(rng() % 2000) / 1000.0f - 1.0f; };
    if (t == TensorType::F32) {
        for (int64_t i = 0; i < rows * k; ++i) {
            const float v = value();
            std::memcpy(&w[4 * i], &v, 4);
        }
    } else if (t == TensorType::F16 || t == TensorType::BF16) {
        for (int64_t i = 0; i < rows * k; ++i) {
            const float v = value();
            const uint16_t h = t == TensorType::F16 ? f32_to_f16(v) : f32_to_bf16(v);
            std::memcpy(&w[2 * i], &h, 2);
        }
    } else {
        const uint16_t h = f32_to_f16(0.01f);
        for (int64_t r = 0; r < rows; ++r)
            for (int64_t b = 0; b < k / info.block_elems; ++b) {
                uint8_t* p = &w[r * rb + b * info.block_bytes];
                switch (t) {  // where each block keeps its f16 scale(s)
                    case TensorType::Q2_K: std::memcpy(p + 80, &h, 2); std::memcpy(p + 82, &h, 2); break;
                    case TensorType::Q3_K: std::memcpy(p + 108, &h, 2); break;
                    case TensorType::Q6_K: std::memcpy(p + 208, &h, 2); break;
                    default: std::memcpy(p, &h, 2); std::memcpy(p + 2, &h, 2); break;
                }
            }
    }
    return w;
}

// For comparison only: the structure of llama.cpp's AVX2 q4_K x q8_K dot
// (ggml-cpu/arch/x86/quants.c), re-typed here to time it on the same data.
__attribute__((target("avx2,fma,f16c"))) float llama_style_q4_k_dot(const BlockQ4_K* x, const BlockQ8_K* y, int nb) {
    constexpr uint32_t kmask1 = 0x3f3f3f3f, kmask2 = 0x0f0f0f0f, kmask3 = 0x03030303;
    uint32_t utmp[4];
    const __m256i m4 = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    for (int i = 0; i < nb; ++i) {
        const float d = y[i].d * _cvtsh_ss(x[i].d);
        const float dmin = -y[i].d * _cvtsh_ss(x[i].dmin);
        std::memcpy(utmp, x[i].scales, 12);
        utmp[3] = ((utmp[2] >> 4) & kmask2) | (((utmp[1] >> 6) & kmask3) << 4);
        const uint32_t uaux = utmp[1] & kmask1;
        utmp[1] = (utmp[2] & kmask2) | (((utmp[0] >> 6) & kmask3) << 4);
        utmp[2] = uaux;
        utmp[0] &= kmask1;
        const uint8_t* q4 = x[i].qs;
        const int8_t* q8 = y[i].qs;
        const __m256i mins_and_scales = _mm256_cvtepu8_epi16(_mm_set_epi32(utmp[3], utmp[2], utmp[1], utmp[0]));
        const __m256i q8sums = _mm256_loadu_si256((const __m256i*)y[i].bsums);
        const __m128i q8s = _mm_hadd_epi16(_mm256_extracti128_si256(q8sums, 0), _mm256_extracti128_si256(q8sums, 1));
        const __m128i prod = _mm_madd_epi16(_mm256_extracti128_si256(mins_and_scales, 1), q8s);
        acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(prod), acc_m);
        const __m128i sc128 = _mm256_extracti128_si256(mins_and_scales, 0);
        const __m256i scales = _mm256_set_m128i(sc128, sc128);
        __m256i sumi = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            const __m256i scale_l = _mm256_shuffle_epi8(scales, _mm256_set1_epi16((short)((4 * j + 1) << 8 | 4 * j)));
            const __m256i scale_h = _mm256_shuffle_epi8(scales, _mm256_set1_epi16((short)((4 * j + 3) << 8 | (4 * j + 2))));
            const __m256i q4bits = _mm256_loadu_si256((const __m256i*)q4); q4 += 32;
            const __m256i q4l = _mm256_and_si256(q4bits, m4);
            const __m256i q4h = _mm256_and_si256(_mm256_srli_epi16(q4bits, 4), m4);
            const __m256i q8l = _mm256_loadu_si256((const __m256i*)q8); q8 += 32;
            const __m256i p16l = _mm256_madd_epi16(scale_l, _mm256_maddubs_epi16(q4l, q8l));
            const __m256i q8h = _mm256_loadu_si256((const __m256i*)q8); q8 += 32;
            const __m256i p16h = _mm256_madd_epi16(scale_h, _mm256_maddubs_epi16(q4h, q8h));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(p16l, p16h));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    acc_m = _mm_add_ps(acc_m, _mm_movehl_ps(acc_m, acc_m));
    acc_m = _mm_add_ss(acc_m, _mm_movehdup_ps(acc_m));
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s))) + _mm_cvtss_f32(acc_m);
}

template <typename F>
double median_seconds(int reps, F&& f) {
    std::vector<double> times;
    for (int rep = 0; rep < reps; ++rep) {
        auto t0 = std::chrono::steady_clock::now();
        f();
        times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(times.begin(), times.end());
    return times[times.size() / 2];
}

// Q4_K decode with weights hot in L2 (compute efficiency) vs the llama.cpp-style dot.
void compare_q4_k_hot(Isa isa) {
    const int64_t k = 2048, rows = 512, nb = k / QK_K;
    auto w = random_weights(TensorType::Q4_K, rows, k);
    std::vector<float> xf(k);
    std::mt19937 rng(5);
    std::normal_distribution<float> nd;
    for (auto& v : xf) v = nd(rng);
    std::vector<uint8_t> x(nb * sizeof(BlockQ8_K));
    convert_activations(isa, TensorType::Q8_K, xf.data(), k, 1, x.data());
    std::vector<float> y(rows), y_ref(rows);
    const size_t rb = nb * sizeof(BlockQ4_K);
    const double ours = median_seconds(301, [&] {
        matmul(isa, TensorType::Q4_K, w.data(), rb, k, x.data(), x.size(), 1, y.data(), rows, 0, rows);
    });
    const double theirs = median_seconds(301, [&] {
        for (int64_t r = 0; r < rows; ++r)
            y_ref[r] = llama_style_q4_k_dot(reinterpret_cast<const BlockQ4_K*>(&w[r * rb]),
                                            reinterpret_cast<const BlockQ8_K*>(x.data()), (int)nb);
    });
    double max_diff = 0;
    for (int64_t r = 0; r < rows; ++r) max_diff = std::max(max_diff, (double)std::fabs(y[r] - y_ref[r]));
    std::printf("%-6s q4_K decode, weights in L2 (512x2048): ours %.1f us (%.1f GB/s), llama.cpp-style AVX2 %.1f us "
                "(%.1f GB/s): %.2fx  (max |diff| %.2g)\n",
                isa_name(isa), ours * 1e6, w.size() / ours / 1e9, theirs * 1e6, w.size() / theirs / 1e9, theirs / ours,
                max_diff);
}

// A type by llama.cpp's name ("q4_0", "q5_K"); false when there is none.
bool type_named(const std::string& name, TensorType* out) {
    for (uint32_t id = 0; id < 64; ++id)
        if (auto info = tensor_type_info(id); info && info->name == name) {
            *out = info->type;
            return true;
        }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    Isa isa = best_isa();
    int argi = 1;
    if (argc > 1 && (!strcmp(argv[1], "portable") || !strcmp(argv[1], "avx2") || !strcmp(argv[1], "avx512"))) {
        isa = !strcmp(argv[1], "portable") ? Isa::Portable : !strcmp(argv[1], "avx2") ? Isa::Avx2 : Isa::Avx512;
        argi = 2;
    }
    if (!isa_supported(isa)) {
        std::fprintf(stderr, "this CPU cannot run %s kernels\n", isa_name(isa));
        return 2;
    }
    std::vector<std::string> names;
    for (int i = argi; i < argc; ++i) names.push_back(argv[i]);
    if (names.empty())
        names = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K"};
    std::vector<TensorType> types;
    for (const auto& name : names) {
        TensorType t{};
        if (!type_named(name, &t) || !matmul_supports(t)) {
            std::fprintf(stderr, "unknown weight type '%s' (llama.cpp's names: q4_0, q5_K, bf16, ...)\n", name.c_str());
            return 2;
        }
        types.push_back(t);
    }
    const double bandwidth = tessera::bench::measure_read_bandwidth(1);
    std::printf("single-thread read bandwidth (same run): %.1f GB/s\n", bandwidth / 1e9);
    if (isa != Isa::Portable) compare_q4_k_hot(isa);
    const int64_t k = 4096;
    for (const TensorType t : types) {
        const auto& info = tensor_type_info(t);
        const TensorType xt = info.dot_type;
        for (int64_t cols : {1, 512}) {
            // decode: ~96 MiB of weights, so they stream from DRAM rather than a cache
            const int64_t rows =
                cols == 1 ? std::max<int64_t>(2048, (96ll << 20) / static_cast<int64_t>(row_bytes(info, k))) / 16 * 16
                          : 1024;
            auto w = random_weights(t, rows, k);
            std::vector<float> xf(k * cols);
            std::mt19937 rng(2);
            std::normal_distribution<float> nd;
            for (auto& v : xf) v = nd(rng);
            const size_t x_row = row_bytes(tensor_type_info(xt), k);
            std::vector<uint8_t> x(x_row * cols);
            convert_activations(isa, xt, xf.data(), k, cols, x.data());
            std::vector<float> y(rows * cols);
            const double tm = median_seconds(cols == 1 ? 15 : 3, [&] {
                matmul(isa, t, w.data(), row_bytes(info, k), k, x.data(), x_row, cols, y.data(), rows, 0, rows);
            });
            if (cols == 1)
                std::printf("%-6s %-5s decode   %8.3f ms  %6.1f GB/s of weights = %3.0f%% of the read bandwidth\n",
                            isa_name(isa), std::string(info.name).c_str(), tm * 1e3, w.size() / tm / 1e9,
                            100.0 * w.size() / tm / bandwidth);
            else
                std::printf("%-6s %-5s prefill  %8.3f ms  %6.1f GOP/s (512 columns)\n", isa_name(isa),
                            std::string(info.name).c_str(), tm * 1e3, 2.0 * rows * cols * k / tm / 1e9);
        }
    }
}

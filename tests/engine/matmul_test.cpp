// matmul() and convert_activations() against plain references, for every weight type
// and every instruction set this CPU has.
#include "backend/cpu/matmul.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/half.h"
#include "support/random_weights.h"
#include "support/ref_dequant.h"

namespace tessera::cpu {
namespace {

using test::put_half;
using test::random_weights;
using test::ref_dequantize_row;

const Isa kAllIsas[] = {Isa::Portable, Isa::Avx2, Isa::Avx512};
const TensorType kWeightTypes[] = {
    TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q4_0, TensorType::Q4_1,
    TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0, TensorType::Q2_K, TensorType::Q3_K,
    TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

#define SKIP_IF_UNSUPPORTED(isa)                                                             \
    do {                                                                                     \
        if (!isa_supported(isa)) GTEST_SKIP() << "this CPU lacks " << isa_name(isa);         \
    } while (0)

size_t bytes_of(TensorType t, int64_t k) { return row_bytes(tensor_type_info(t), k); }

std::vector<float> random_activations(int64_t n, std::mt19937& rng) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> x(n);
    for (auto& v : x) v = nd(rng);
    return x;
}

// Expected y (double) and the magnitude sum |w * x| that sets the tolerance.
struct Expected {
    double value;
    double magnitude;
};

Expected reference_dot(TensorType wt, const uint8_t* wrow, const uint8_t* xrow, int64_t k) {
    const TensorType xt = tensor_type_info(wt).dot_type;
    std::vector<float> w(k), x(k), mins(k / 32 + 1, 0.0f);
    const bool split_min = xt == TensorType::Q8_1;
    ref_dequantize_row(wt, wrow, k, w.data(), split_min ? mins.data() : nullptr);
    ref_dequantize_row(xt, xrow, k, x.data());
    Expected e{0.0, 0.0};
    for (int64_t i = 0; i < k; ++i) {
        e.value += static_cast<double>(w[i]) * x[i];
        e.magnitude += std::fabs(static_cast<double>(w[i]) * x[i]);
    }
    if (split_min) {  // llama.cpp: m * s with s = d * sum(q) stored as f16 in the block
        for (int64_t ib = 0; ib < k / 32; ++ib) {
            const double s = test::ref_half(xrow + ib * sizeof(BlockQ8_1) + 2);
            e.value += mins[ib] * s;
            e.magnitude += std::fabs(mins[ib] * s);
        }
    }
    return e;
}

struct Shape {
    int64_t rows, r0, r1, k, n_cols;
};

std::string describe(TensorType t, Isa isa, const Shape& s) {
    return std::string(tensor_type_info(t).name) + " " + isa_name(isa) + " k=" + std::to_string(s.k) +
           " cols=" + std::to_string(s.n_cols) + " rows=[" + std::to_string(s.r0) + "," +
           std::to_string(s.r1) + ")";
}

void check_matmul(TensorType wt, Isa isa, const Shape& s, uint32_t seed) {
    std::mt19937 rng(seed);
    const TensorType xt = tensor_type_info(wt).dot_type;
    const auto w = random_weights(wt, s.rows, s.k, rng);
    const auto xf = random_activations(s.k * s.n_cols, rng);
    const size_t xrb = bytes_of(xt, s.k), wrb = bytes_of(wt, s.k);
    std::vector<uint8_t> x(xrb * s.n_cols);
    convert_activations(Isa::Portable, xt, xf.data(), s.k, s.n_cols, x.data());
    const int64_t y_stride = s.rows + 3;
    std::vector<float> y(y_stride * s.n_cols, std::nanf(""));
    matmul(isa, wt, w.data(), wrb, s.k, x.data(), xrb, s.n_cols, y.data(), y_stride, s.r0, s.r1);
    for (int64_t c = 0; c < s.n_cols; ++c)
        for (int64_t r = 0; r < y_stride; ++r) {
            const float got = y[c * y_stride + r];
            if (r < s.r0 || r >= s.r1) {
                ASSERT_TRUE(std::isnan(got)) << describe(wt, isa, s) << ": wrote outside rows at r=" << r;
                continue;
            }
            const Expected e = reference_dot(wt, &w[r * wrb], &x[c * xrb], s.k);
            ASSERT_NEAR(got, e.value, 1e-4 * e.magnitude + 1e-6)
                << describe(wt, isa, s) << " at r=" << r << " c=" << c;
        }
}

const Shape kShapes[] = {
    {1, 0, 1, 0, 1},       // k = one block (filled in per type)
    {37, 3, 37, 512, 1},   // decode, rows not a multiple of a tile
    {37, 0, 37, 512, 2},   {37, 5, 30, 512, 3}, {21, 0, 21, 512, 5},
    {40, 1, 39, 768, 17},  // prefill with ragged column groups
    {33, 0, 33, 4096, 1},  {33, 0, 33, 4096, 9},
    {50, 2, 50, 256, 64},
    {7, 1, 7, 96, 2},  // three 32-element blocks: a pair and an odd one (K types skip it)
};

class MatmulAllTypes : public ::testing::TestWithParam<std::tuple<TensorType, Isa>> {};

TEST_P(MatmulAllTypes, MatchesDequantizedReference) {
    const auto [wt, isa] = GetParam();
    SKIP_IF_UNSUPPORTED(isa);
    const int block = tensor_type_info(wt).block_elems;
    const int one_block = block == 1 ? 32 : block;
    uint32_t seed = 1;
    for (Shape s : kShapes) {
        if (s.k == 0) s.k = one_block;
        if (s.k % one_block != 0) continue;
        check_matmul(wt, isa, s, seed++);
        if (HasFatalFailure()) return;
    }
}

// The SIMD kernels agree with the portable ones to float rounding.
class MatmulSimdVsPortable : public MatmulAllTypes {};

TEST_P(MatmulSimdVsPortable, AgreesWithPortable) {
    const auto [wt, isa] = GetParam();
    SKIP_IF_UNSUPPORTED(isa);
    std::mt19937 rng(99);
    const int64_t k = 1024, rows = 35;
    const TensorType xt = tensor_type_info(wt).dot_type;
    const auto w = random_weights(wt, rows, k, rng);
    for (int64_t n_cols : {1, 4, 19}) {
        const auto xf = random_activations(k * n_cols, rng);
        std::vector<uint8_t> x(bytes_of(xt, k) * n_cols);
        convert_activations(Isa::Portable, xt, xf.data(), k, n_cols, x.data());
        std::vector<float> want(rows * n_cols), got(rows * n_cols);
        matmul(Isa::Portable, wt, w.data(), bytes_of(wt, k), k, x.data(), bytes_of(xt, k), n_cols,
               want.data(), rows, 0, rows);
        matmul(isa, wt, w.data(), bytes_of(wt, k), k, x.data(), bytes_of(xt, k), n_cols, got.data(),
               rows, 0, rows);
        for (int64_t i = 0; i < rows * n_cols; ++i) {
            const Expected e = reference_dot(wt, &w[(i % rows) * bytes_of(wt, k)],
                                             &x[(i / rows) * bytes_of(xt, k)], k);
            ASSERT_NEAR(got[i], want[i], 2e-6 * e.magnitude + 1e-6)
                << tensor_type_info(wt).name << " " << isa_name(isa) << " cols=" << n_cols << " i=" << i;
        }
    }
}

std::string type_and_isa_name(const ::testing::TestParamInfo<MatmulAllTypes::ParamType>& info) {
    return std::string(tensor_type_info(std::get<0>(info.param)).name) + "_" + isa_name(std::get<1>(info.param));
}

INSTANTIATE_TEST_SUITE_P(Matmul, MatmulAllTypes,
                         ::testing::Combine(::testing::ValuesIn(kWeightTypes), ::testing::ValuesIn(kAllIsas)),
                         type_and_isa_name);
const Isa kSimdIsas[] = {Isa::Avx2, Isa::Avx512};
INSTANTIATE_TEST_SUITE_P(Matmul, MatmulSimdVsPortable,
                         ::testing::Combine(::testing::ValuesIn(kWeightTypes), ::testing::ValuesIn(kSimdIsas)),
                         type_and_isa_name);

// ---- activation conversion vs scalar transcriptions of llama.cpp's quantizers ----

std::vector<uint8_t> ref_quantize_q8_0(const std::vector<float>& x, bool q8_1) {
    const size_t bb = q8_1 ? sizeof(BlockQ8_1) : sizeof(BlockQ8_0);
    std::vector<uint8_t> out(x.size() / 32 * bb);
    for (size_t i = 0; i < x.size() / 32; ++i) {
        float amax = 0.0f;
        for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[32 * i + j]));
        const float d = amax / 127.0f;
        const float id = d ? 1.0f / d : 0.0f;
        uint8_t* b = &out[i * bb];
        put_half(b, d);
        int sum = 0;
        for (int j = 0; j < 32; ++j) {
            const int8_t q = static_cast<int8_t>(std::roundf(x[32 * i + j] * id));
            b[(q8_1 ? 4 : 2) + j] = static_cast<uint8_t>(q);
            sum += q;
        }
        if (q8_1) put_half(b + 2, sum * d);
    }
    return out;
}

std::vector<uint8_t> ref_quantize_q8_K(const std::vector<float>& x) {
    std::vector<uint8_t> out(x.size() / QK_K * sizeof(BlockQ8_K));
    for (size_t i = 0; i < x.size() / QK_K; ++i) {
        BlockQ8_K b{};
        const float* v = &x[i * QK_K];
        float amax = 0, max = 0;
        for (int j = 0; j < QK_K; ++j)
            if (std::fabs(v[j]) > amax) {
                amax = std::fabs(v[j]);
                max = v[j];
            }
        if (amax != 0.0f) {
            const float iscale = -127.f / max;
            for (int j = 0; j < QK_K; ++j)
                b.qs[j] = static_cast<int8_t>(std::min(127, static_cast<int>(std::nearbyint(iscale * v[j]))));
            for (int j = 0; j < 16; ++j) {
                int s = 0;
                for (int l = 0; l < 16; ++l) s += b.qs[16 * j + l];
                b.bsums[j] = static_cast<int16_t>(s);
            }
            b.d = 1 / iscale;
        }
        std::memcpy(&out[i * sizeof b], &b, sizeof b);
    }
    return out;
}

// Inputs that land exactly on x.5 after scaling, where round-half-away and
// round-half-even differ, plus zero blocks and ordinary noise.
std::vector<float> tricky_activations(int64_t n, std::mt19937& rng) {
    auto x = random_activations(n, rng);
    for (int64_t i = 0; i < std::min<int64_t>(n, 32); ++i) x[i] = (i == 0) ? 127.0f : static_cast<float>(i) + 0.5f;
    for (int64_t i = 32; i < std::min<int64_t>(n, 64); ++i) x[i] = (i == 32) ? -127.0f : -static_cast<float>(i - 32) - 0.5f;
    if (n >= 512)
        for (int64_t i = 256; i < 512; ++i) x[i] = 0.0f;
    if (n >= 1024) {  // equal magnitudes of both signs: Q8_K keeps the first one's sign
        x[512] = -9.0f;
        x[600] = 9.0f;
        x[700] = 1e-6f;    // f16 subnormal
        x[701] = 7e4f;     // f16 overflow
        x[702] = 1e-40f;   // f32 subnormal (bf16 keeps it)
    }
    return x;
}

class ConvertActivations : public ::testing::TestWithParam<Isa> {};

TEST_P(ConvertActivations, MatchesLlamaCppReferenceQuantizers) {
    const Isa isa = GetParam();
    SKIP_IF_UNSUPPORTED(isa);
    std::mt19937 rng(7);
    for (int64_t k : {256, 4096}) {
        const auto x = tricky_activations(k, rng);
        std::vector<uint8_t> got;
        auto convert = [&](TensorType t) {
            got.assign(bytes_of(t, k), 0xAB);
            convert_activations(isa, t, x.data(), k, 1, got.data());
        };
        convert(TensorType::Q8_0);
        EXPECT_EQ(got, ref_quantize_q8_0(x, false)) << "q8_0 k=" << k;
        convert(TensorType::Q8_1);
        EXPECT_EQ(got, ref_quantize_q8_0(x, true)) << "q8_1 k=" << k;
        convert(TensorType::Q8_K);
        EXPECT_EQ(got, ref_quantize_q8_K(x)) << "q8_K k=" << k;
        convert(TensorType::F16);
        for (int64_t i = 0; i < k; ++i) {
            uint16_t h;
            std::memcpy(&h, &got[2 * i], 2);
            ASSERT_EQ(h, f32_to_f16(x[i])) << "f16 i=" << i;
        }
        convert(TensorType::BF16);
        for (int64_t i = 0; i < k; ++i) {
            uint16_t h;
            std::memcpy(&h, &got[2 * i], 2);
            ASSERT_EQ(h, f32_to_bf16(x[i])) << "bf16 i=" << i;
        }
        convert(TensorType::F32);
        EXPECT_EQ(0, std::memcmp(got.data(), x.data(), 4 * k));
    }
}

TEST_P(ConvertActivations, ConvertsManyRows) {
    const Isa isa = GetParam();
    SKIP_IF_UNSUPPORTED(isa);
    std::mt19937 rng(3);
    const int64_t k = 512, rows = 3;
    const auto x = random_activations(k * rows, rng);
    for (TensorType t : {TensorType::Q8_0, TensorType::Q8_K, TensorType::F16}) {
        std::vector<uint8_t> all(bytes_of(t, k) * rows), one(bytes_of(t, k));
        convert_activations(isa, t, x.data(), k, rows, all.data());
        for (int64_t r = 0; r < rows; ++r) {
            convert_activations(Isa::Portable, t, x.data() + r * k, k, 1, one.data());
            EXPECT_EQ(0, std::memcmp(one.data(), all.data() + r * one.size(), one.size()));
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Matmul, ConvertActivations, ::testing::ValuesIn(kAllIsas),
                         [](const auto& info) { return std::string(isa_name(info.param)); });

TEST(MatmulIsa, BestIsaIsSupportedAndNamed) {
    EXPECT_TRUE(isa_supported(best_isa()));
    EXPECT_STRNE(isa_name(best_isa()), "unknown");
}

}  // namespace
}  // namespace tessera::cpu

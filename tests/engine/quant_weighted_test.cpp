// Importance-weighted quantization (quantize_row_weighted): on rows whose columns matter very
// unequally, the importance-weighted error must be clearly lower than what the unweighted
// quantizer gets, for every type with a weighted form; with equal importance it must still
// be a sound quantizer; without importance it is the unweighted quantizer exactly.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "quant/quantize.h"

namespace tessera {
namespace {

constexpr int64_t kCols = 1024;
constexpr int kRows = 48;

struct Rows {
    std::vector<float> x;           // kRows x kCols
    std::vector<float> importance;  // kCols
};

// Weights like a real layer's (gaussian), and importance spread over four orders of
// magnitude, as activation mean squares are.
Rows skewed_rows(uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Rows r;
    r.x.resize(static_cast<size_t>(kRows * kCols));
    for (float& v : r.x) v = 0.02f * normal(rng);
    r.importance.resize(kCols);
    for (float& w : r.importance) w = std::exp(2.3f * normal(rng));
    return r;
}

std::vector<uint8_t> quantize_rows(TensorType type, const Rows& r, const float* importance) {
    const size_t row_size = quantized_size(type, kCols);
    std::vector<uint8_t> q(row_size * kRows);
    for (int i = 0; i < kRows; ++i) {
        const Status s = quantize_row_weighted(type, r.x.data() + i * kCols, q.data() + i * row_size, kCols, importance);
        EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    }
    return q;
}

// sum over rows and columns of importance * (x - dequantized)^2
double weighted_error(TensorType type, const Rows& r, const std::vector<uint8_t>& q, const std::vector<float>& importance) {
    const size_t row_size = quantized_size(type, kCols);
    std::vector<float> y(kCols);
    double err = 0;
    for (int i = 0; i < kRows; ++i) {
        dequantize_row(type, q.data() + i * row_size, y.data(), kCols);
        for (int64_t j = 0; j < kCols; ++j) {
            const double d = static_cast<double>(r.x[static_cast<size_t>(i * kCols + j)]) - y[static_cast<size_t>(j)];
            err += importance[static_cast<size_t>(j)] * d * d;
        }
    }
    return err;
}

class WeightedQuantize : public ::testing::TestWithParam<TensorType> {};

TEST_P(WeightedQuantize, ImportantColumnsAreKeptMorePrecisely) {
    const TensorType type = GetParam();
    ASSERT_TRUE(has_weighted_quantizer(type));
    const Rows r = skewed_rows(7 + static_cast<uint32_t>(type));
    const double plain = weighted_error(type, r, quantize_rows(type, r, nullptr), r.importance);
    const double weighted = weighted_error(type, r, quantize_rows(type, r, r.importance.data()), r.importance);
    std::printf("%-5s importance-weighted error: plain %.4g, weighted %.4g (%.2fx lower)\n",
                std::string(tensor_type_info(type).name).c_str(), plain, weighted, plain / weighted);
    EXPECT_LT(weighted, 0.8 * plain) << "the importance did not steer the fit";
}

TEST_P(WeightedQuantize, EqualImportanceStillQuantizesWell) {
    const TensorType type = GetParam();
    Rows r = skewed_rows(11);
    std::vector<float> ones(kCols, 1.0f);
    const double plain = weighted_error(type, r, quantize_rows(type, r, nullptr), ones);
    const double weighted = weighted_error(type, r, quantize_rows(type, r, ones.data()), ones);
    // Both are plain squared errors now; the weighted searches are at least as thorough.
    EXPECT_LT(weighted, 1.05 * plain);
}

INSTANTIATE_TEST_SUITE_P(Types, WeightedQuantize,
                         ::testing::Values(TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1,
                                           TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K,
                                           TensorType::Q6_K),
                         [](const auto& info) { return std::string(tensor_type_info(info.param).name); });

TEST(WeightedQuantize, WithoutImportanceIsThePlainQuantizer) {
    const Rows r = skewed_rows(3);
    for (TensorType type : {TensorType::Q4_0, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q6_K}) {
        std::vector<uint8_t> plain(quantized_size(type, kCols)), fallback(plain.size());
        ASSERT_TRUE(quantize_row(type, r.x.data(), plain.data(), kCols).ok());
        ASSERT_TRUE(quantize_row_weighted(type, r.x.data(), fallback.data(), kCols, nullptr).ok());
        EXPECT_EQ(plain, fallback) << tensor_type_info(type).name;
    }
}

TEST(WeightedQuantize, TypesWithoutAWeightedFormIgnoreTheImportance) {
    const Rows r = skewed_rows(5);
    for (TensorType type : {TensorType::Q8_0, TensorType::F16, TensorType::BF16}) {
        EXPECT_FALSE(has_weighted_quantizer(type));
        std::vector<uint8_t> plain(quantized_size(type, kCols)), weighted(plain.size());
        ASSERT_TRUE(quantize_row(type, r.x.data(), plain.data(), kCols).ok());
        ASSERT_TRUE(quantize_row_weighted(type, r.x.data(), weighted.data(), kCols, r.importance.data()).ok());
        EXPECT_EQ(plain, weighted) << tensor_type_info(type).name;
    }
}

TEST(WeightedQuantize, ZeroRowsAndBadLengths) {
    std::vector<float> zeros(256, 0.0f), importance(256, 1.0f), y(256, 1.0f);
    for (TensorType type : {TensorType::Q4_1, TensorType::Q2_K, TensorType::Q4_K, TensorType::Q6_K}) {
        std::vector<uint8_t> q(quantized_size(type, 256));
        ASSERT_TRUE(quantize_row_weighted(type, zeros.data(), q.data(), 256, importance.data()).ok());
        dequantize_row(type, q.data(), y.data(), 256);
        for (float v : y) ASSERT_EQ(v, 0.0f) << tensor_type_info(type).name;
    }
    std::vector<uint8_t> q(quantized_size(TensorType::Q4_K, 256));
    const Status s = quantize_row_weighted(TensorType::Q4_K, zeros.data(), q.data(), 100, importance.data());
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("multiple of 256"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace tessera

// Every Vulkan op against the CPU op on random inputs of awkward sizes (never a multiple of
// the workgroup size), each with its own tolerance.
#include <algorithm>
#include <bit>

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "backend/cpu/matmul.h"
#include "backend/cpu/ops.h"
#include "core/half.h"
#include "quant/quantize.h"
#include "sampling/sampler.h"
#include "support/random_weights.h"
#include "support/vulkan_fixture.h"

namespace tessera::vulkan {
namespace {

using test::expect_close;

std::vector<float> normal_floats(size_t n, std::mt19937& rng, float sigma = 1.0f) {
    std::normal_distribution<float> nd(0.0f, sigma);
    std::vector<float> v(n);
    for (auto& x : v) x = nd(rng);
    return v;
}

// A row length that is a whole number of blocks but not a multiple of 64.
int64_t awkward_k(TensorType t) {
    const int block = tensor_type_info(t).block_elems;
    return block == 1 ? 203 : block == 32 ? 32 * 19 : 256 * 3;
}

// The CPU matmul converts activations to the weight type's dot type first (llama.cpp's
// numerics); the GPU keeps them in f32. The difference is bounded by that rounding.
double cpu_tolerance(TensorType w_type) {
    switch (tensor_type_info(w_type).dot_type) {
        case TensorType::F32: return 1e-5;
        case TensorType::F16: return 2e-3;
        case TensorType::BF16: return 1e-2;
        default: return 2e-2;  // 8-bit activations
    }
}

class VulkanOps : public test::VulkanTest {};
class VulkanMulMat : public test::VulkanTest, public ::testing::WithParamInterface<TensorType> {};

TEST_P(VulkanMulMat, MatchesDequantizedReferenceAndTheCpuOp) {
    const TensorType type = GetParam();
    const int64_t K = awkward_k(type);
    for (const auto& [M, N] : {std::pair<int64_t, int64_t>{37, 1}, {130, 5}}) {  // decode, then a small batch
        SCOPED_TRACE(std::string(tensor_type_info(type).name) + " M=" + std::to_string(M) + " N=" + std::to_string(N));
        std::mt19937 rng(static_cast<uint32_t>(M * 31 + N));
        const auto w = test::random_weights(type, M, K, rng);
        const auto x = normal_floats(static_cast<size_t>(K * N), rng);
        const size_t rb = row_bytes(tensor_type_info(type), K);

        auto wb = buffer_with(w);
        auto xb = buffer_with(x);
        auto yb = buffer_of_floats(static_cast<size_t>(M * N));
        run([&](CommandRecorder& rec) { return kernels().mul_mat(rec, type, wb, xb, yb, M, K, N); });
        const auto got = read_floats(yb, static_cast<size_t>(M * N));

        // Reference 1: dequantized weights, double accumulation. Tolerance scales with the
        // magnitude sum |w||x|, so one wrong element in a row shows up.
        // Reference 2: the CPU backend's matmul on the same bytes.
        const TensorType dot = tensor_type_info(type).dot_type;
        std::vector<uint8_t> xq(row_bytes(tensor_type_info(dot), K) * static_cast<size_t>(N));
        const cpu::Isa isa = cpu::best_isa();
        cpu::convert_activations(isa, dot, x.data(), K, N, xq.data());
        std::vector<float> cpu_y(static_cast<size_t>(M * N));
        cpu::matmul(isa, type, w.data(), rb, K, xq.data(), row_bytes(tensor_type_info(dot), K), N, cpu_y.data(), M, 0, M);

        std::vector<float> row(static_cast<size_t>(K));
        int bad_ref = 0, bad_cpu = 0;
        for (int64_t r = 0; r < M; ++r) {
            dequantize_row(type, w.data() + r * rb, row.data(), K);
            for (int64_t c = 0; c < N; ++c) {
                double ref = 0, mag = 0;
                for (int64_t k = 0; k < K; ++k) {
                    ref += double(row[k]) * x[c * K + k];
                    mag += std::abs(double(row[k]) * x[c * K + k]);
                }
                const double g = got[c * M + r];
                if (!(std::abs(g - ref) <= 1e-4 * mag + 1e-6) && bad_ref++ < 3)
                    ADD_FAILURE() << "row " << r << " col " << c << ": got " << g << ", reference " << ref << " (|w||x| " << mag << ")";
                if (!(std::abs(g - cpu_y[c * M + r]) <= cpu_tolerance(type) * mag + 1e-6) && bad_cpu++ < 3)
                    ADD_FAILURE() << "row " << r << " col " << c << ": got " << g << ", CPU op " << cpu_y[c * M + r];
            }
        }
        EXPECT_EQ(bad_ref, 0);
        EXPECT_EQ(bad_cpu, 0);
    }
}

INSTANTIATE_TEST_SUITE_P(Types, VulkanMulMat,
                         ::testing::Values(TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                                           TensorType::Q4_0, TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1,
                                           TensorType::Q2_K, TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K,
                                           TensorType::Q6_K),
                         [](const auto& info) { return std::string(tensor_type_info(info.param).name); });

// Activations rounded as the CPU backend rounds them before its dot products: quantized by
// convert_activations and dequantized on the host, the GPU's floats must be the same values.
class VulkanQuantizeAct : public test::VulkanTest, public ::testing::WithParamInterface<TensorType> {};

TEST_P(VulkanQuantizeAct, MatchesTheCpuActivationConversion) {
    const TensorType dot = GetParam();
    const int block = tensor_type_info(dot).block_elems;
    const int64_t n = block == 1 ? 1001 : block * 7;
    std::mt19937 rng(31);
    auto x = normal_floats(static_cast<size_t>(n), rng, 2.0f);
    for (int64_t i = 0; i < std::min<int64_t>(block, n); ++i) x[i] = 0.0f;    // an all-zero block
    for (int64_t i = n / 2; i < n / 2 + 40; ++i) x[i] *= 1e-6f;              // f16 subnormals
    auto xb = buffer_with(x);
    auto yb = buffer_of_floats(x.size());
    run([&](CommandRecorder& rec) { return kernels().quantize_act(rec, dot, xb, yb, n); });

    std::vector<uint8_t> q(row_bytes(tensor_type_info(dot), n));
    cpu::convert_activations(cpu::best_isa(), dot, x.data(), n, 1, q.data());
    std::vector<float> want(x.size());
    dequantize_row(dot, q.data(), want.data(), n);
    expect_close(read_floats(yb, want.size()), want, 0.0f, 0.0f, std::string(tensor_type_info(dot).name));
}

INSTANTIATE_TEST_SUITE_P(DotTypes, VulkanQuantizeAct,
                         ::testing::Values(TensorType::Q8_0, TensorType::Q8_1, TensorType::Q8_K, TensorType::F16, TensorType::BF16),
                         [](const auto& info) { return std::string(tensor_type_info(info.param).name); });

TEST_F(VulkanOps, GetRowsMatchesDequantizeRow) {
    for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::Q8_0, TensorType::Q4_0, TensorType::Q2_K, TensorType::Q3_K,
                           TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K}) {
        SCOPED_TRACE(tensor_type_info(type).name);
        std::mt19937 rng(3);
        const int64_t K = awkward_k(type), rows = 9;
        const auto table = test::random_weights(type, rows, K, rng);
        const std::vector<int32_t> ids = {3, 0, 8, 3, 5};
        auto tb = buffer_with(table);
        auto ib = buffer_with(ids);
        auto yb = buffer_of_floats(ids.size() * K);
        run([&](CommandRecorder& rec) { return kernels().get_rows(rec, type, tb, rows, K, ib, int64_t(ids.size()), yb); });
        std::vector<float> want(ids.size() * K);
        const size_t rb = row_bytes(tensor_type_info(type), K);
        for (size_t i = 0; i < ids.size(); ++i) dequantize_row(type, table.data() + ids[i] * rb, want.data() + i * K, K);
        expect_close(read_floats(yb, want.size()), want, 1e-7f, 1e-6f, "get_rows");
    }
}

TEST_F(VulkanOps, RmsNormMatchesCpu) {
    std::mt19937 rng(11);
    const int64_t n = 1000, rows = 3;
    const auto x = normal_floats(n * rows, rng, 3.0f);
    const auto weight = normal_floats(n, rng);
    auto xb = buffer_with(x);
    auto wb = buffer_with(weight);
    auto yb = buffer_of_floats(x.size());
    run([&](CommandRecorder& rec) { return kernels().rms_norm(rec, xb, wb, yb, n, rows, 1e-5f); });
    std::vector<float> want(x.size());
    for (int64_t r = 0; r < rows; ++r) cpu::rms_norm(x.data() + r * n, weight.data(), n, 1e-5f, want.data() + r * n);
    expect_close(read_floats(yb, want.size()), want, 1e-6f, 1e-5f, "rms_norm");
}

TEST_F(VulkanOps, RopeMatchesCpuIncludingLargePositionsAndFreqDivisors) {
    std::mt19937 rng(5);
    const int64_t n_heads = 3, head_dim = 18;
    const std::vector<int64_t> positions = {0, 7, 1000, 123456};
    const auto tokens = static_cast<int64_t>(positions.size());
    for (const bool divisors : {false, true}) {
        SCOPED_TRACE(divisors ? "rope_freqs" : "plain");
        std::vector<float> div;
        if (divisors)
            for (int64_t i = 0; i < head_dim / 2; ++i) div.push_back(1.0f + 0.5f * float(i));
        const auto freqs = cpu::rope_frequencies(head_dim, 500000.0f, div);
        std::vector<float> cos_sin(static_cast<size_t>(tokens * head_dim));
        for (int64_t t = 0; t < tokens; ++t) cpu::rope_cos_sin(freqs, positions[t], cos_sin.data() + t * head_dim);
        const auto x = normal_floats(static_cast<size_t>(tokens * n_heads * head_dim), rng);
        auto xb = buffer_with(x);
        auto cb = buffer_with(cos_sin);
        run([&](CommandRecorder& rec) { return kernels().rope(rec, xb, cb, n_heads, head_dim, tokens); });
        auto want = x;
        for (int64_t t = 0; t < tokens; ++t)
            cpu::rope_row(want.data() + t * n_heads * head_dim, n_heads, head_dim, cos_sin.data() + t * head_dim);
        expect_close(read_floats(xb, want.size()), want, 1e-6f, 1e-6f, "rope");
    }
}

TEST_F(VulkanOps, SwiGluMatchesCpu) {
    std::mt19937 rng(13);
    const int64_t n = 1001;
    const auto gate = normal_floats(n, rng, 4.0f), up = normal_floats(n, rng);
    auto gb = buffer_with(gate);
    auto ub = buffer_with(up);
    run([&](CommandRecorder& rec) { return kernels().swiglu(rec, gb, ub, n); });
    auto want = gate;
    cpu::silu_mul(want.data(), up.data(), n);
    expect_close(read_floats(gb, want.size()), want, 1e-6f, 1e-5f, "swiglu");
}

TEST_F(VulkanOps, AddIsExact) {
    std::mt19937 rng(17);
    const int64_t n = 777;
    const auto x = normal_floats(n, rng), y = normal_floats(n, rng);
    auto xb = buffer_with(x);
    auto yb = buffer_with(y);
    run([&](CommandRecorder& rec) { return kernels().add(rec, xb, yb, n); });
    auto want = x;
    cpu::add_inplace(want.data(), y.data(), n);
    expect_close(read_floats(xb, want.size()), want, 0.0f, 0.0f, "add");
}

TEST_F(VulkanOps, SoftmaxMatchesCpuForShortAndLongRows) {
    std::mt19937 rng(19);
    for (const int64_t n : {5, 1000}) {
        const int64_t rows = 3;
        const auto x = normal_floats(n * rows, rng, 5.0f);
        auto xb = buffer_with(x);
        run([&](CommandRecorder& rec) { return kernels().softmax(rec, xb, n, rows); });
        auto want = x;
        for (int64_t r = 0; r < rows; ++r) cpu::softmax(want.data() + r * n, n);
        expect_close(read_floats(xb, want.size()), want, 1e-7f, 1e-5f, "softmax n=" + std::to_string(n));
    }
}

// Greedy choice on the GPU: each row's first largest value, as the CPU sampler's argmax,
// including ties, a flat row, the last position, a one-element row and a Llama-3 vocabulary.
TEST_F(VulkanOps, ArgmaxMatchesTheCpuGreedyChoiceIncludingTies) {
    std::mt19937 rng(23);
    for (const int64_t n : {1, 7, 1000, 128256}) {
        const int64_t rows = 4;
        auto x = normal_floats(n * rows, rng, 3.0f);
        if (n > 2) {
            float* tie = x.data();  // row 0: the max twice; the first must win
            const int64_t a = n / 3, b = 2 * n / 3;
            tie[a] = tie[b] = 100.0f;
            std::fill_n(x.data() + n, n, 0.5f);  // row 1: all equal, so 0
            x[static_cast<size_t>(3 * n - 1)] = 200.0f;  // row 2: the last position
        }
        auto xb = buffer_with(x);
        auto ids = buffer_of_floats(static_cast<size_t>(rows));  // uint32 ids, read back as bits
        run([&](CommandRecorder& rec) { return kernels().argmax(rec, xb, ids, n, rows); });
        const auto got = read_floats(ids, static_cast<size_t>(rows));
        for (int64_t r = 0; r < rows; ++r)
            EXPECT_EQ(std::bit_cast<uint32_t>(got[static_cast<size_t>(r)]),
                      static_cast<uint32_t>(argmax(x.data() + r * n, n)))
                << "n=" << n << " row " << r;
    }
}

// Top-k on the GPU: each row's k largest as (id, value) pairs in the sampler's order (larger
// first, equal values by id), against keep_top_k over the same row: ties, a flat row, the
// last position, k = 1, k = n and a Llama-3 vocabulary.
TEST_F(VulkanOps, TopKMatchesTheSamplersTopKIncludingTies) {
    std::mt19937 rng(29);
    // 128256 values and k = 64: more rounds than llvmpipe runs in one dispatch (see top_k.comp).
    for (const auto& [n, k] : {std::pair<int64_t, int64_t>{1, 1}, {7, 7}, {1000, 1}, {1000, 40}, {128256, 64}}) {
        SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k));
        const int64_t rows = 3;
        auto x = normal_floats(n * rows, rng, 3.0f);
        if (n > 2) {
            float* tie = x.data();  // row 0: the max three times; lower ids first
            tie[n / 3] = tie[2 * n / 3] = tie[n - 1] = 100.0f;
            std::fill_n(x.data() + n, n, 0.5f);          // row 1: all equal: ids 0..k-1
            x[static_cast<size_t>(3 * n - 1)] = 200.0f;  // row 2: the last position first
        }
        auto xb = buffer_with(x);
        auto pairs = buffer_of_floats(static_cast<size_t>(2 * k * rows));
        run([&](CommandRecorder& rec) { return kernels().top_k(rec, xb, pairs, n, rows, k); });
        const auto got = read_floats(pairs, static_cast<size_t>(2 * k * rows));
        for (int64_t r = 0; r < rows; ++r) {
            std::vector<Candidate> want;
            fill_candidates(x.data() + r * n, n, want);
            std::partial_sort(want.begin(), want.begin() + k, want.end(), [](const Candidate& a, const Candidate& b) {
                return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
            });
            for (int64_t j = 0; j < k; ++j) {
                const size_t at = static_cast<size_t>(2 * (r * k + j));
                ASSERT_EQ(std::bit_cast<uint32_t>(got[at]), static_cast<uint32_t>(want[static_cast<size_t>(j)].id)) << "row " << r << " rank " << j;
                EXPECT_EQ(got[at + 1], want[static_cast<size_t>(j)].logit) << "row " << r << " rank " << j;
            }
        }
    }
    auto xb = buffer_with(std::vector<float>(10, 1.0f));
    auto pairs = buffer_of_floats(40);
    auto rec = CommandRecorder::create(device());
    ASSERT_TRUE(rec.ok());
    ASSERT_TRUE(rec->begin().ok());
    EXPECT_FALSE(kernels().top_k(*rec, xb, pairs, 10, 1, 11).ok());  // more than the row has
    EXPECT_FALSE(kernels().top_k(*rec, xb, pairs, 10, 1, 0).ok());
    ASSERT_TRUE(rec->submit_and_wait().ok());
}

// KV cache rows stored as f16, then causal attention over them, against a reference that
// rounds where the CPU backend rounds (K, V, Q and the softmax weights to f16).
TEST_F(VulkanOps, KvStoreAndAttentionMatchTheCpuDatapath) {
    const int64_t hd = 20, n_head = 6, n_kv = 2, n_ctx = 100, kv_dim = n_kv * hd, q_dim = n_head * hd;
    for (const auto& [pos, tokens] : {std::pair<int64_t, int64_t>{70, 1}, {0, 3}, {97, 3}}) {
        SCOPED_TRACE("pos=" + std::to_string(pos) + " tokens=" + std::to_string(tokens));
        std::mt19937 rng(static_cast<uint32_t>(pos + tokens));
        const int64_t filled = pos + tokens;
        const auto k = normal_floats(static_cast<size_t>(filled * kv_dim), rng);
        const auto v = normal_floats(static_cast<size_t>(filled * kv_dim), rng);
        const auto q = normal_floats(static_cast<size_t>(tokens * q_dim), rng, 2.0f);
        // Earlier positions first, then the new tokens' rows, as a forward pass stores them.
        const std::vector<float> k_old(k.begin(), k.begin() + pos * kv_dim), k_new(k.begin() + pos * kv_dim, k.end());
        const std::vector<float> v_old(v.begin(), v.begin() + pos * kv_dim), v_new(v.begin() + pos * kv_dim, v.end());
        auto kc = buffer_of_floats(static_cast<size_t>(n_ctx * kv_dim / 2));
        auto vc = buffer_of_floats(static_cast<size_t>(n_ctx * kv_dim / 2));
        auto kob = buffer_with(k_old), knb = buffer_with(k_new), vob = buffer_with(v_old), vnb = buffer_with(v_new);
        auto qb = buffer_with(q);
        auto scores = buffer_of_floats(static_cast<size_t>(tokens * n_head * n_ctx));
        auto out = buffer_of_floats(static_cast<size_t>(tokens * q_dim));
        run([&](CommandRecorder& rec) -> Status {
            TESSERA_TRY(kernels().kv_store(rec, kob, kc, kv_dim, 0, pos, n_ctx));
            TESSERA_TRY(kernels().kv_store(rec, vob, vc, kv_dim, 0, pos, n_ctx));
            TESSERA_TRY(kernels().kv_store(rec, knb, kc, kv_dim, pos, tokens, n_ctx));
            TESSERA_TRY(kernels().kv_store(rec, vnb, vc, kv_dim, pos, tokens, n_ctx));
            TESSERA_TRY(rec.barrier());
            return kernels().attention(rec, qb, kc, vc, scores, out, {hd, n_head, n_kv, n_ctx, pos, tokens});
        });

        // The cache holds exactly the f16 values of K.
        std::vector<uint16_t> k16(static_cast<size_t>(n_ctx * kv_dim));
        ASSERT_TRUE(download(device(), kc, std::as_writable_bytes(std::span(k16))).ok());
        int bad_f16 = 0;
        for (int64_t i = 0; i < filled * kv_dim; ++i) bad_f16 += k16[i] != f32_to_f16(k[i]);
        EXPECT_EQ(bad_f16, 0) << "K cache values that are not the f16 rounding of K";

        auto f16 = [](float x) { return f16_to_f32(f32_to_f16(x)); };
        std::vector<float> want(static_cast<size_t>(tokens * q_dim)), w;
        const float scale = 1.0f / std::sqrt(float(hd));
        for (int64_t t = 0; t < tokens; ++t)
            for (int64_t h = 0; h < n_head; ++h) {
                const int64_t j = h / (n_head / n_kv), n_keys = pos + t + 1;
                w.assign(static_cast<size_t>(n_keys), 0.0f);
                for (int64_t s = 0; s < n_keys; ++s) {
                    double d = 0;
                    for (int64_t i = 0; i < hd; ++i) d += double(f16(k[s * kv_dim + j * hd + i])) * f16(q[t * q_dim + h * hd + i]);
                    w[s] = float(d) * scale;
                }
                cpu::softmax(w.data(), n_keys);
                for (int64_t i = 0; i < hd; ++i) {
                    double acc = 0;
                    for (int64_t s = 0; s < n_keys; ++s) acc += double(f16(w[s])) * f16(v[s * kv_dim + j * hd + i]);
                    want[t * q_dim + h * hd + i] = float(acc);
                }
            }
        // f16 weights can round the other way after float-order differences: a few 1e-3.
        expect_close(read_floats(out, want.size()), want, 2e-3f, 2e-3f, "attention");
    }
}

// Grids wider than the device's x limit fold into y (shaders/common.glsl); a kernel set
// with a tiny limit checks the folding on any device.
TEST_F(VulkanOps, GridsFoldIntoTwoDimensions) {
    Kernels narrow(ctx_->pipelines(), kernels().workgroup_size(), 4);
    std::mt19937 rng(23);
    const int64_t M = 37, K = 64, n = 64 * 9 + 1;
    const auto w = test::random_weights(TensorType::F32, M, K, rng);
    const auto x = normal_floats(K, rng);
    auto wb = buffer_with(w);
    auto xb = buffer_with(x);
    auto yb = buffer_of_floats(M);
    const auto a = normal_floats(n, rng), b = normal_floats(n, rng);
    auto ab = buffer_with(a);
    auto bb = buffer_with(b);
    run([&](CommandRecorder& rec) -> Status {
        TESSERA_TRY(narrow.mul_mat(rec, TensorType::F32, wb, xb, yb, M, K, 1));
        return narrow.add(rec, ab, bb, n);
    });
    std::vector<float> want(M), sum = a;
    for (int64_t r = 0; r < M; ++r) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) {
            float v;
            std::memcpy(&v, w.data() + (r * K + k) * 4, 4);
            s += double(v) * x[k];
        }
        want[r] = float(s);
    }
    cpu::add_inplace(sum.data(), b.data(), n);
    expect_close(read_floats(yb, M), want, 1e-5f, 1e-5f, "mul_mat folded");
    expect_close(read_floats(ab, n), sum, 0.0f, 0.0f, "add folded");
}

// Several ops in one command buffer, with barriers only between dependent ones: the shape
// a forward pass records (norm -> matmul -> residual add).
TEST_F(VulkanOps, ChainedOpsInOneSubmissionMatchTheCpuChain) {
    std::mt19937 rng(29);
    const int64_t H = 96, M = 96;
    const auto x = normal_floats(H, rng), norm_w = normal_floats(H, rng);
    const auto w = test::random_weights(TensorType::Q8_0, M, H, rng);
    auto xb = buffer_with(x);
    auto nwb = buffer_with(norm_w);
    auto wb = buffer_with(w);
    auto hb = buffer_of_floats(H);
    auto yb = buffer_of_floats(M);
    run([&](CommandRecorder& rec) -> Status {
        TESSERA_TRY(kernels().rms_norm(rec, xb, nwb, hb, H, 1, 1e-5f));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(kernels().mul_mat(rec, TensorType::Q8_0, wb, hb, yb, M, H, 1));
        TESSERA_TRY(rec.barrier());
        return kernels().add(rec, yb, xb, M);
    });
    std::vector<float> h(H), row(H), want(M);
    cpu::rms_norm(x.data(), norm_w.data(), H, 1e-5f, h.data());
    const size_t rb = row_bytes(tensor_type_info(TensorType::Q8_0), H);
    for (int64_t r = 0; r < M; ++r) {
        dequantize_row(TensorType::Q8_0, w.data() + r * rb, row.data(), H);
        double s = 0;
        for (int64_t k = 0; k < H; ++k) s += double(row[k]) * h[k];
        want[r] = float(s) + x[r];
    }
    expect_close(read_floats(yb, M), want, 1e-4f, 1e-4f, "norm -> mul_mat -> add");
}

}  // namespace
}  // namespace tessera::vulkan

// "Will it fit": the estimate worked out by hand for a small NAS plan, and the verdicts.
#include <filesystem>

#include <gtest/gtest.h>

#include "model/memory_estimate.h"
#include "model/model_summary.h"
#include "support/synthetic_models.h"

namespace tessera::test {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

// H 64, 4 heads of 16, vocab 100: GQA kv=2 + SwiGLU 96, linear + linear, none + none, GQA kv=1 + SwiGLU 128.
ModelConfig nas_config() {
    ModelConfig c;
    c.architecture = "deci";
    c.n_embd = 64;
    c.n_head = 4;
    c.head_dim = 16;
    c.n_vocab = 100;
    c.layers = {
        {AttentionKind::Gqa, 4, 2, FfnKind::SwiGlu, 96},
        {AttentionKind::Linear, 4, 0, FfnKind::Linear, 0},
        {AttentionKind::None, 0, 0, FfnKind::None, 0},
        {AttentionKind::Gqa, 4, 1, FfnKind::SwiGlu, 128},
    };
    return c;
}

TEST(MemoryEstimate, KvCacheCountsOnlyGqaLayersAtTheirOwnHeads) {
    // K and V, f16: layer 0 2 * (2 heads * 16) * 2 B = 128 B; layer 3 2 * (1 * 16) * 2 B = 64 B.
    const MemoryNeeds needs = estimate_memory(nas_config(), 0, 1000);
    EXPECT_EQ(needs.kv_cache, (128u + 64u) * 1000u);
}

TEST(MemoryEstimate, ScratchIsOneBatchOfActivations) {
    // Per token: ids 1, rope 16, x 64, h 64, q 64, k 32, v 32, attention 64, gate 128, up 128,
    // tmp 64, scores 4 heads * 1000 positions, logits 100, rounded input max(64, 64, 128) = 128.
    const uint64_t per_token = 1 + 16 + 64 + 64 + 64 + 32 + 32 + 64 + 128 + 128 + 64 + 4000 + 100 + 128;
    EXPECT_EQ(scratch_bytes(nas_config(), 1000, 64), 64 * per_token * 4);
    // A context shorter than the batch bounds the batch.
    const uint64_t per_token_ctx8 = per_token - 4000 + 4 * 8;
    EXPECT_EQ(scratch_bytes(nas_config(), 8, 64), 8 * per_token_ctx8 * 4);
}

TEST(MemoryEstimate, TotalIsWeightsPlusCachePlusScratch) {
    const MemoryNeeds needs = estimate_memory(nas_config(), 123456789, 4096);
    EXPECT_EQ(needs.weights, 123456789u);
    EXPECT_EQ(needs.kv_cache, 192u * 4096u);
    EXPECT_EQ(needs.scratch, scratch_bytes(nas_config(), 4096));
    EXPECT_EQ(needs.total(), needs.weights + needs.kv_cache + needs.scratch);
    // Context grows the cache linearly.
    EXPECT_EQ(estimate_memory(nas_config(), 0, 8192).kv_cache, 2 * needs.kv_cache);
}

TEST(MemoryEstimate, SummaryOfASyntheticFileMatchesItsPlanAndTensors) {
    SyntheticSpec spec = small_spec(4);
    spec.layers = {gqa_layer(2, 96), layer(AttentionKind::Linear, 0, FfnKind::Linear, 0),
                   layer(AttentionKind::None, 0, FfnKind::None, 0), gqa_layer(1, 128)};
    const std::string path = synthetic_model_path("estimate-nas", spec);
    auto summary = read_model_summary(path);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->config.kv_bytes_per_token(), 192);
    EXPECT_EQ(summary->quantization, "F32");
    // f32: every parameter is 4 bytes; the file adds only its header and padding.
    EXPECT_EQ(summary->weight_bytes, static_cast<uint64_t>(summary->parameter_count) * 4);
    EXPECT_GT(summary->file_size, summary->weight_bytes);
    EXPECT_LT(summary->file_size - summary->weight_bytes, 64u * 1024u);
}

TEST(MemoryEstimate, SummaryOfATruncatedFileIsAnError) {
    const std::string path = synthetic_model_path("estimate-small", small_spec(2));
    const std::string cut = path + ".cut.gguf";
    std::filesystem::copy_file(path, cut, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::resize_file(cut, std::filesystem::file_size(path) / 2);
    auto summary = read_model_summary(cut);
    std::filesystem::remove(cut);
    ASSERT_FALSE(summary.ok());
    EXPECT_FALSE(summary.error().message.empty());
}

std::vector<MemoryPool> machine(uint64_t ram_free, uint64_t gpu_free) {
    return {{"RAM", false, 32 * kGiB, ram_free}, {"Test GPU", true, 24 * kGiB, gpu_free}};
}

TEST(MemoryEstimate, VerdictPrefersAGpuThenRam) {
    FitVerdict v = judge_fit(10 * kGiB, machine(30 * kGiB, 20 * kGiB));
    EXPECT_EQ(v.kind, FitKind::Gpu);
    EXPECT_EQ(v.where, "Test GPU");
    EXPECT_NE(v.reason.find("10.00 GiB"), std::string::npos) << v.reason;

    v = judge_fit(25 * kGiB, machine(30 * kGiB, 20 * kGiB));
    EXPECT_EQ(v.kind, FitKind::Ram);
    EXPECT_EQ(v.where, "RAM");
}

TEST(MemoryEstimate, VerdictSplitNotNowAndTooBig) {
    EXPECT_EQ(judge_fit(45 * kGiB, machine(30 * kGiB, 20 * kGiB)).kind, FitKind::Split);
    // 56 GiB exist, 20 are free.
    EXPECT_EQ(judge_fit(40 * kGiB, machine(10 * kGiB, 10 * kGiB)).kind, FitKind::NotNow);
    const FitVerdict v = judge_fit(140 * kGiB, machine(30 * kGiB, 20 * kGiB));
    EXPECT_EQ(v.kind, FitKind::TooBig);
    EXPECT_NE(v.reason.find("server"), std::string::npos) << v.reason;
    // No GPU at all: RAM alone decides.
    EXPECT_EQ(judge_fit(kGiB, {{"RAM", false, 8 * kGiB, 4 * kGiB}}).kind, FitKind::Ram);
}

TEST(MemoryEstimate, HumanBytes) {
    EXPECT_EQ(human_bytes(800), "800 B");
    EXPECT_EQ(human_bytes(1536 * 1024), "1.50 MiB");
    EXPECT_EQ(human_bytes(3 * kGiB), "3.00 GiB");
}

}  // namespace
}  // namespace tessera::test

// Every fixture model on the Vulkan backend (lavapipe in CI) against the CPU backend on the
// same file and against the independent reference (fixtures/README.md):
//  - float weights: relative RMS of the logits vs the CPU <= 1e-3 (issue 4; bf16: 1e-2, see
//    kBf16Bound), and the reference greedy ids for the first 32 tokens;
//  - quantized weights: the README's tolerance vs the reference (RMS(diff)/std <= 0.05,
//    top-1 >= 95%), and the relative RMS vs the CPU printed. Both backends round activations
//    to 8 bits before the products (quantize_act.comp), but a float-order difference of 1e-7
//    still moves some values across a rounding boundary (a step of 1/127 of the block's
//    largest), and 8 random layers amplify it: ~1e-2 vs the CPU, as the CPU vs llama.cpp;
//    Greedy ids of quantized files are printed, not asserted (as in reference_logits_test):
//    those boundary flips change near-tied choices, and a changed token changes the rest;
//  - the known divergences from llama.cpp (support/reference_fixtures.h): the CPU backend's
//    logits (same tolerance) instead of the reference's, and for bf16 its greedy ids.
#include <gtest/gtest.h>

#include "backend/cpu/forward.h"
#include "backend/vulkan/forward.h"
#include "support/reference_fixtures.h"
#include "support/vulkan_fixture.h"

namespace tessera::test {
namespace {

// bf16 activations are rounded to 8 significant bits (a step of 2^-8) before each product, on
// both backends; the same boundary effect as above gives 4.5e-3 on nas-256-bf16 (4.96e-3 when
// the GPU kept f32 activations), where f16 (step 2^-11) gives 6e-4 and f32 6e-5.
constexpr double kBf16Bound = 1e-2;

// Greedy tokens decoded on both backends: the README's "first 32" (lavapipe is slow).
constexpr size_t kGreedyTokens = 32;

bool has_bf16(const Model& model) {
    for (const auto& t : model.file().tensors())
        if (t.type == TensorType::BF16) return true;
    return false;
}

class VulkanReference : public VulkanTest, public ::testing::WithParamInterface<Reference> {};

TEST_P(VulkanReference, MatchesTheCpuBackendAndTheReference) {
    const Reference& ref = GetParam();
    const ReferenceData data = read_reference(ref);
    auto model = Model::load(data.model_path);
    ASSERT_TRUE(model.ok()) << model.error().message;
    const int64_t n_vocab = (*model)->config().n_vocab;
    const auto n_ctx = static_cast<int64_t>(data.prompt.size() + data.greedy.size());

    cpu::ForwardOptions cpu_options;
    cpu_options.n_ctx = n_ctx;
    cpu_options.n_threads = 2;
    auto cpu = cpu::CpuForward::create(**model, cpu_options);
    ASSERT_TRUE(cpu.ok()) << cpu.error().message;
    auto gpu = vulkan::VulkanForward::create(**model, *ctx_, {.n_ctx = n_ctx, .n_batch = 64});
    ASSERT_TRUE(gpu.ok()) << gpu.error().message;

    std::vector<float> cpu_logits, gpu_logits;
    const auto cpu_ids = eval_and_decode(**cpu, data, n_vocab, cpu_logits, kGreedyTokens);
    const auto gpu_ids = eval_and_decode(**gpu, data, n_vocab, gpu_logits, kGreedyTokens);
    ASSERT_FALSE(HasFailure());

    const size_t rows = data.rows.size();
    const Comparison vs_cpu = compare(gpu_logits, cpu_logits, rows, n_vocab);
    const Comparison vs_ref = compare(gpu_logits, data.logits, rows, n_vocab);
    const double rel_cpu = relative_rms(gpu_logits, cpu_logits);
    const size_t ref_prefix = common_prefix(gpu_ids, data.greedy), cpu_prefix = common_prefix(gpu_ids, cpu_ids);
    const bool float_model = has_only_float_matrices(**model);
    const bool known = known_divergences().contains(ref.name);
    std::printf("[ %s ] vs CPU: max|diff| %.5f, relative RMS %.2e, rms/std %.5f, top-1 %.1f%%, greedy %zu/%zu\n"
                "[ %s ] vs reference: max|diff| %.5f, rms/std %.5f, top-1 %.1f%%, greedy %zu/%zu%s\n",
                ref.name.c_str(), vs_cpu.max_diff, rel_cpu, vs_cpu.rms_ratio, 100.0 * vs_cpu.top1, cpu_prefix, cpu_ids.size(),
                ref.name.c_str(), vs_ref.max_diff, vs_ref.rms_ratio, 100.0 * vs_ref.top1, ref_prefix, gpu_ids.size(),
                known ? " (known divergence: compared with the CPU)" : "");

    const size_t want_prefix = gpu_ids.size();
    if (float_model) {
        EXPECT_LE(rel_cpu, has_bf16(**model) ? kBf16Bound : 1e-3);
    }
    if (known && float_model) {
        EXPECT_GE(cpu_prefix, want_prefix);
    } else if (known) {
        EXPECT_LE(vs_cpu.rms_ratio, 0.05);
        EXPECT_GE(vs_cpu.top1, 0.95);
    } else if (float_model) {
        EXPECT_GE(ref_prefix, want_prefix);
    } else {
        EXPECT_LE(vs_ref.rms_ratio, 0.05);
        EXPECT_GE(vs_ref.top1, 0.95);
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, VulkanReference, ::testing::ValuesIn(list_references()), reference_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(VulkanReference);

TEST(VulkanReferenceSuite, FixturesArePresent) {
    TESSERA_REQUIRE_FIXTURES();
    EXPECT_GE(list_references().size(), 15u);  // the parameterized suite checks something
}

}  // namespace
}  // namespace tessera::test

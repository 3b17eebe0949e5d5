// Conformance against ../shared/fixtures/reference: logits and greedy ids produced by
// independent implementations (llama.cpp's CPU backend; a float64 Hugging Face-semantics
// implementation for nas-ext). Every reference file present is checked, with the tolerances
// of fixtures/README.md:
//  - float weights (f32/f16/bf16): max |logit difference| <= 0.01, greedy ids identical for
//    at least the first 32 tokens;
//  - quantized weights: RMS(difference) / std(reference) <= 0.05, top-1 agreement >= 95% of rows.
#include <gtest/gtest.h>

#include "backend/cpu/forward.h"
#include "support/reference_fixtures.h"
#include "support/reference_forward.h"

namespace tessera::test {
namespace {

class ReferenceLogits : public ::testing::TestWithParam<Reference> {};

TEST_P(ReferenceLogits, MatchesIndependentImplementation) {
    const Reference& ref = GetParam();
    const ReferenceData data = read_reference(ref);
    const std::string& model_path = data.model_path;
    const auto& rows = data.rows;
    const auto& greedy = data.greedy;
    const auto& expected = data.logits;

    auto model = Model::load(model_path);
    ASSERT_TRUE(model.ok()) << model.error().message;
    const int64_t n_vocab = (*model)->config().n_vocab;
    ASSERT_EQ(expected.size(), rows.size() * static_cast<size_t>(n_vocab));

    cpu::ForwardOptions options;
    options.n_ctx = static_cast<int64_t>(data.prompt.size() + greedy.size());
    auto forward = cpu::CpuForward::create(**model, options);
    ASSERT_TRUE(forward.ok()) << forward.error().message;
    std::vector<float> logits;
    const std::vector<int32_t> generated = eval_and_decode(**forward, data, n_vocab, logits);
    ASSERT_FALSE(HasFailure());
    const size_t same_prefix = common_prefix(generated, greedy);

    const Comparison c = compare(logits, expected, rows.size(), n_vocab);
    const bool float_model = has_only_float_matrices(**model);
    std::printf("[ %s ] %s: max|diff| %.5f, rms/std %.5f, top-1 %.1f%%, greedy prefix %zu/%zu\n", ref.name.c_str(),
                float_model ? "float" : "quantized", c.max_diff, c.rms_ratio, 100.0 * c.top1, same_prefix, greedy.size());

    if (auto known = known_divergences().find(ref.name); known != known_divergences().end()) {
        std::printf("[ %s ] KNOWN DIVERGENCE from llama.cpp: %s\n", ref.name.c_str(), known->second.c_str());
        auto plain = reference_forward(model_path, data.prompt);
        ASSERT_TRUE(plain.ok()) << plain.error().message;
        std::vector<double> want;
        for (int64_t r : rows) want.insert(want.end(), plain->logits[static_cast<size_t>(r)].begin(), plain->logits[static_cast<size_t>(r)].end());
        const Comparison p = compare(logits, want, rows.size(), n_vocab);
        std::printf("[ %s ] vs float64 reference forward: max|diff| %.5f, rms/std %.5f, top-1 %.1f%%\n", ref.name.c_str(),
                    p.max_diff, p.rms_ratio, 100.0 * p.top1);
        EXPECT_LE(p.rms_ratio, float_model ? 0.005 : 0.05);
        EXPECT_GE(p.top1, 0.95);
        return;
    }
    if (float_model) {
        EXPECT_LE(c.max_diff, 0.01);
        EXPECT_GE(same_prefix, std::min<size_t>(32, greedy.size()));
    } else {
        EXPECT_LE(c.rms_ratio, 0.05);
        EXPECT_GE(c.top1, 0.95);
    }
}

INSTANTIATE_TEST_SUITE_P(Fixtures, ReferenceLogits, ::testing::ValuesIn(list_references()),
                         reference_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ReferenceLogits);

TEST(ReferenceLogitsSuite, FixturesArePresent) {
    TESSERA_REQUIRE_FIXTURES();
    // Guards against the parameterized suite silently checking nothing.
    EXPECT_GE(list_references().size(), 15u);
}

}  // namespace
}  // namespace tessera::test

// Partial offload on lavapipe: a forced budget that holds only part of the layers, the plan it
// makes (the documented order, model/offload_plan.h), the split forward pass against the CPU
// backend (prefill, decode, the GPU's greedy choice), explicit layer counts, and the
// "needs X, Y available" refusal. The fixture models are in tests/conformance.
#include <gtest/gtest.h>

#include <cstdlib>

#include "backend/backend_choice.h"
#include "backend/cpu/forward.h"
#include "backend/vulkan/forward.h"
#include "model/memory_estimate.h"
#include "sampling/sampler.h"
#include "support/reference_fixtures.h"
#include "support/synthetic_models.h"
#include "support/vulkan_fixture.h"

namespace tessera::vulkan {
namespace {

using test::relative_rms;

const std::vector<int32_t> kPrompt = {1, 17, 42, 5, 88, 63, 23, 9, 71, 30, 54, 95};
constexpr int64_t kCtx = 64;

// Every block variant, layers of very unequal sizes: wide and narrow FFNs, GQA at 1..4 KV
// heads, linear attention, a linear FFN, an empty layer between two others.
SyntheticSpec nas_spec() {
    using A = AttentionKind;
    using F = FfnKind;
    SyntheticSpec spec = test::small_spec(8);
    spec.layers = {test::gqa_layer(2, 256), test::layer(A::Linear, 0, F::SwiGlu, 32), test::layer(A::None, 0, F::None, 0),
                   test::gqa_layer(1, 64),  test::layer(A::None, 0, F::Linear, 0),    test::layer(A::Gqa, 4, F::None, 0),
                   test::gqa_layer(2, 192), test::layer(A::None, 0, F::SwiGlu, 96)};
    return spec;
}

class VulkanSplit : public test::VulkanTest {
protected:
    void SetUp() override {
        test::VulkanTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        auto model = Model::load(test::synthetic_model_path("vk-split", nas_spec()));
        ASSERT_TRUE(model.ok()) << model.error().message;
        model_ = std::move(model.value());
        auto cpu = cpu::CpuForward::create(*model_, {.n_ctx = kCtx, .n_threads = 2});
        ASSERT_TRUE(cpu.ok()) << cpu.error().message;
        cpu_ = std::move(cpu.value());
        options_ = {.n_ctx = kCtx, .n_batch = 5};  // a prompt of 12 in chunks of 5 + 5 + 2
        fixed_ = vulkan_fixed_bytes(*model_, options_);
        costs_ = vulkan_layer_costs(*model_, options_);
    }

    // A budget holding the always-GPU part and about half the layers' bytes.
    uint64_t half_budget() const {
        uint64_t layers = 0;
        for (const LayerCost& c : costs_) layers += c.bytes;
        return fixed_ + layers / 2;
    }

    std::unique_ptr<VulkanForward> split(ForwardOptions o) {
        auto fwd = VulkanForward::create(*model_, *ctx_, o);
        EXPECT_TRUE(fwd.ok()) << fwd.error().message;
        return fwd.ok() ? std::move(fwd.value()) : nullptr;
    }

    std::vector<float> logits_of(Evaluator& fwd, const std::vector<int32_t>& tokens, const std::vector<int64_t>& rows) {
        std::vector<float> out(rows.size() * static_cast<size_t>(model_->config().n_vocab));
        const Status s = fwd.eval(tokens, rows, out.data());
        EXPECT_TRUE(s.ok()) << s.error().message;
        return out;
    }

    // Prefill logits of every row, then token-by-token decode, against the CPU backend.
    void expect_matches_cpu(VulkanForward& gpu) {
        std::vector<int64_t> rows(kPrompt.size());
        for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
        EXPECT_LT(relative_rms(logits_of(gpu, kPrompt, rows), logits_of(*cpu_, kPrompt, rows)), 1e-3);
        std::vector<float> got, want;
        int32_t token = 7;
        for (int step = 0; step < 8; ++step) {
            const auto g = logits_of(gpu, {token}, {0}), w = logits_of(*cpu_, {token}, {0});
            got.insert(got.end(), g.begin(), g.end());
            want.insert(want.end(), w.begin(), w.end());
            const int32_t next = argmax(w.data(), model_->config().n_vocab);
            EXPECT_EQ(argmax(g.data(), model_->config().n_vocab), next) << "step " << step;
            token = next;
        }
        EXPECT_LT(relative_rms(got, want), 1e-3);
        EXPECT_EQ(gpu.n_past(), cpu_->n_past());
    }

    std::unique_ptr<Model> model_;
    std::unique_ptr<cpu::CpuForward> cpu_;
    ForwardOptions options_;
    uint64_t fixed_ = 0;
    std::vector<LayerCost> costs_;
};

TEST_F(VulkanSplit, AForcedBudgetPlacesTheBestLayersPerByteOnTheGpu) {
    ForwardOptions o = options_;
    o.budget_bytes = half_budget();
    auto fwd = split(o);
    ASSERT_NE(fwd, nullptr);
    const OffloadPlan& plan = fwd->plan();
    EXPECT_GT(plan.gpu_layers, 0);
    EXPECT_LT(plan.gpu_layers, plan.counted_layers);
    EXPECT_EQ(plan.counted_layers, 7);  // layer 2 is empty
    EXPECT_LE(fwd->device_bytes(), o.budget_bytes);
    // The CPU runs, counted by hand: a CPU layer whose predecessor (empty layers skipped) is a
    // GPU layer, or the first, starts one.
    int64_t runs = 0;
    bool in_cpu_run = false;
    for (size_t l = 0; l < plan.on_gpu.size(); ++l) {
        if (costs_[l].empty()) continue;
        if (!plan.on_gpu[l] && !in_cpu_run) ++runs;
        in_cpu_run = !plan.on_gpu[l];
    }
    EXPECT_GT(runs, 0);
    EXPECT_EQ(fwd->cpu_runs(), runs);
    EXPECT_EQ(fwd->device_bytes(), fixed_ + plan.layer_bytes);
    // Walking the documented order, a layer is on the GPU exactly when it fit next to those
    // taken before it.
    uint64_t used = fixed_;
    for (size_t l : offload_order(costs_)) {
        const bool fits = used + costs_[l].bytes <= o.budget_bytes;
        EXPECT_EQ(plan.on_gpu[l], fits) << "layer " << l;
        if (fits) used += costs_[l].bytes;
    }
    // Per byte, the wide FFN (layer 0: 256 wide) is worth less than the GQA layer with one
    // KV head and a narrow FFN (layer 3), whose attention over the context adds work.
    const auto order = offload_order(costs_);
    EXPECT_LT(std::find(order.begin(), order.end(), 3u) - order.begin(), std::find(order.begin(), order.end(), 0u) - order.begin());
}

TEST_F(VulkanSplit, SplitForwardMatchesTheCpuBackend) {
    ForwardOptions o = options_;
    o.budget_bytes = half_budget();
    auto fwd = split(o);
    ASSERT_NE(fwd, nullptr);
    ASSERT_FALSE(fwd->plan().whole());
    expect_matches_cpu(*fwd);
}

TEST_F(VulkanSplit, GreedyAndTopKOnTheGpuAfterCpuLayers) {
    ForwardOptions o = options_;
    o.budget_bytes = half_budget();
    auto by_id = split(o), by_logits = split(o), by_top = split(o);
    ASSERT_NE(by_id, nullptr);
    ASSERT_NE(by_logits, nullptr);
    ASSERT_NE(by_top, nullptr);
    std::vector<int32_t> tokens = kPrompt;
    std::vector<float> scratch;
    for (int step = 0; step < 4; ++step) {
        const auto last = static_cast<int64_t>(tokens.size()) - 1;
        const auto logits = logits_of(*by_logits, tokens, {last});
        auto id = by_id->eval_greedy(tokens, last, scratch);
        ASSERT_TRUE(id.ok()) << id.error().message;
        EXPECT_EQ(*id, argmax(logits.data(), model_->config().n_vocab)) << "step " << step;
        std::vector<Candidate> top, want;
        ASSERT_TRUE(by_top->eval_top_k(tokens, last, 5, top, scratch).ok());
        fill_candidates(logits.data(), model_->config().n_vocab, want);
        keep_top_k(want, 5);
        ASSERT_EQ(top.size(), 5u);
        for (size_t i = 0; i < 5; ++i) EXPECT_EQ(top[i].id, want[i].id) << "step " << step << " rank " << i;
        tokens = {*id};
    }
}

TEST_F(VulkanSplit, ExplicitCountsZeroSomeAndAll) {
    for (const int64_t n : {int64_t(0), int64_t(3), int64_t(999)}) {
        SCOPED_TRACE("gpu_layers " + std::to_string(n));
        ForwardOptions o = options_;
        o.gpu_layers = n;
        auto fwd = split(o);
        ASSERT_NE(fwd, nullptr);
        EXPECT_EQ(fwd->plan().gpu_layers, std::min<int64_t>(n, 7));
        EXPECT_EQ(fwd->plan().whole(), n == 999);
        // The device holds the fixed part and the chosen layers; the whole model, what the
        // memory estimate promises (vulkan_memory_estimate_test.cpp), to the byte.
        uint64_t chosen = 0;
        for (size_t l = 0; l < costs_.size(); ++l) chosen += fwd->plan().on_gpu[l] ? costs_[l].bytes : 0;
        EXPECT_EQ(fwd->device_bytes(), fixed_ + chosen);
        if (n == 999) {
            EXPECT_EQ(fwd->device_bytes(), vulkan_forward_bytes(*model_, options_));
        }
        // The count's layers are the first of the documented order.
        const auto order = offload_order(costs_);
        for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(fwd->plan().on_gpu[order[i]], int64_t(i) < n) << "layer " << order[i];
        auto cpu = cpu::CpuForward::create(*model_, {.n_ctx = kCtx, .n_threads = 2});
        ASSERT_TRUE(cpu.ok());
        cpu_ = std::move(cpu.value());
        expect_matches_cpu(*fwd);
    }
}

TEST_F(VulkanSplit, TruncateReplaysTheSameLogitsAcrossDevices) {
    ForwardOptions o = options_;
    o.budget_bytes = half_budget();
    auto fwd = split(o);
    ASSERT_NE(fwd, nullptr);
    const auto first = logits_of(*fwd, kPrompt, {11});
    fwd->truncate(6);
    EXPECT_EQ(fwd->n_past(), 6);
    const auto again = logits_of(*fwd, std::vector<int32_t>(kPrompt.begin() + 6, kPrompt.end()), {5});
    EXPECT_LT(relative_rms(again, first), 1e-6);
}

TEST_F(VulkanSplit, ABudgetTooSmallForTheAlwaysGpuPartSaysWhatItNeeds) {
    ForwardOptions o = options_;
    o.budget_bytes = fixed_ - 1;
    auto fwd = VulkanForward::create(*model_, *ctx_, o);
    ASSERT_FALSE(fwd.ok());
    const std::string& m = fwd.error().message;
    EXPECT_NE(m.find("needs " + human_bytes(fixed_) + " of GPU memory"), std::string::npos) << m;
    EXPECT_NE(m.find(human_bytes(fixed_ - 1) + " available"), std::string::npos) << m;
    // An explicit count that does not fit is refused too, not silently lowered.
    o.budget_bytes = half_budget();
    o.gpu_layers = 999;
    auto all = VulkanForward::create(*model_, *ctx_, o);
    ASSERT_FALSE(all.ok());
    EXPECT_NE(all.error().message.find("7 of 7 layers on the GPU"), std::string::npos) << all.error().message;
}

// The budget from the environment, through the backend factory as the CLI and the app build
// it; the description says how the model is split.
TEST_F(VulkanSplit, BudgetFromTheEnvironmentSplitsThroughTheFactory) {
    ::setenv("TESSERA_VK_BUDGET", std::to_string(half_budget()).c_str(), 1);
    auto backend = create_backend(*model_, {BackendKind::Vulkan, {}}, {.n_ctx = kCtx, .n_threads = 2, .n_batch = 5});
    ::setenv("TESSERA_VK_BUDGET", "lots", 1);
    auto bad = create_backend(*model_, {BackendKind::Vulkan, {}}, {.n_ctx = kCtx, .n_batch = 5});
    ::unsetenv("TESSERA_VK_BUDGET");
    ASSERT_TRUE(backend.ok()) << backend.error().message;
    EXPECT_NE(backend->description.find("of 7 layers on the GPU, the rest on the CPU"), std::string::npos) << backend->description;
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("TESSERA_VK_BUDGET='lots'"), std::string::npos) << bad.error().message;
    // And an explicit count in the spec overrides it.
    auto counted = create_backend(*model_, {BackendKind::Vulkan, {}, 2}, {.n_ctx = kCtx, .n_batch = 5});
    ASSERT_TRUE(counted.ok()) << counted.error().message;
    EXPECT_NE(counted->description.find("2 of 7 layers on the GPU"), std::string::npos) << counted->description;
}

}  // namespace
}  // namespace tessera::vulkan

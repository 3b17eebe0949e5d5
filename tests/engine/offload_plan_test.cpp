// The partial-offload plan (model/offload_plan.h) on hand-made layer costs: the documented
// order (benefit per byte, then smaller, then lower index), the automatic plan's greedy fill,
// explicit counts, empty layers, and the "needs X, Y available" errors.
#include <gtest/gtest.h>

#include "model/offload_plan.h"

namespace tessera {
namespace {

// A NAS-like model: a wide FFN layer (cheap per byte: f32 weights, 1 multiply-add per 4 bytes),
// an empty layer, a GQA layer whose attention over a long context adds work without weights,
// a linear-attention layer (same ratio as the FFN, but smaller), and a second wide FFN.
const std::vector<LayerCost> kLayers = {
    {.bytes = 4000, .work = 1000},  // 0: wide FFN, ratio 0.25
    {.bytes = 0, .work = 0},        // 1: empty (no-op attention and FFN)
    {.bytes = 1000, .work = 600},   // 2: GQA with attention work, ratio 0.6
    {.bytes = 400, .work = 100},    // 3: linear attention, ratio 0.25, smaller than 0 and 4
    {.bytes = 4000, .work = 1000},  // 4: wide FFN, ratio 0.25, same size as 0
};

std::vector<bool> gpu_set(std::initializer_list<size_t> layers, size_t n = kLayers.size()) {
    std::vector<bool> on(n, false);
    on[1] = true;  // the empty layer is always "on the GPU": it records nothing anywhere
    for (size_t l : layers) on[l] = true;
    return on;
}

TEST(OffloadPlan, OrderIsBenefitPerByteThenSmallerThenLowerIndex) {
    EXPECT_EQ(offload_order(kLayers), (std::vector<size_t>{2, 3, 0, 4}));
}

TEST(OffloadPlan, WorkWithoutBytesComesFirst) {
    const std::vector<LayerCost> layers = {{.bytes = 100, .work = 1000}, {.bytes = 0, .work = 5}};
    EXPECT_EQ(offload_order(layers), (std::vector<size_t>{1, 0}));
}

TEST(OffloadPlan, EverythingFitsWhole) {
    auto plan = plan_offload(500, kLayers, 500 + 9400, std::nullopt);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_TRUE(plan->whole());
    EXPECT_EQ(plan->gpu_layers, 4);
    EXPECT_EQ(plan->counted_layers, 4);
    EXPECT_EQ(plan->layer_bytes, 9400u);
    EXPECT_EQ(plan->on_gpu, gpu_set({0, 2, 3, 4}));
}

TEST(OffloadPlan, AutomaticPlanTakesTheBestPerByteWhileTheyFit) {
    // Room for 2, 3 and one wide FFN (the lower index of the two), not the second.
    auto plan = plan_offload(500, kLayers, 500 + 1000 + 400 + 4000 + 3999, std::nullopt);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    EXPECT_EQ(plan->on_gpu, gpu_set({2, 3, 0}));
    EXPECT_EQ(plan->gpu_layers, 3);
    EXPECT_FALSE(plan->whole());
    EXPECT_EQ(plan->layer_bytes, 5400u);
}

TEST(OffloadPlan, ALayerThatDoesNotFitLeavesRoomForASmallerOne) {
    // 1300 bytes: 2 fits, then 300 are left, too few for 3 or a wide FFN.
    auto plan = plan_offload(0, kLayers, 1000 + 300, std::nullopt);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->on_gpu, gpu_set({2}));
    // 900 bytes: 2 (1000) does not fit, and 3, after it in the order, still does.
    plan = plan_offload(0, kLayers, 900, std::nullopt);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->on_gpu, gpu_set({3}));
}

TEST(OffloadPlan, ExplicitCountTakesTheFirstOfTheOrder) {
    for (int64_t n = 0; n <= 4; ++n) {
        auto plan = plan_offload(500, kLayers, UINT64_MAX, n);
        ASSERT_TRUE(plan.ok()) << plan.error().message;
        EXPECT_EQ(plan->gpu_layers, n);
        const std::vector<size_t> order = {2, 3, 0, 4};
        std::vector<bool> want = gpu_set({});
        for (int64_t i = 0; i < n; ++i) want[order[static_cast<size_t>(i)]] = true;
        EXPECT_EQ(plan->on_gpu, want) << n << " layers";
    }
    auto all = plan_offload(500, kLayers, UINT64_MAX, 999);  // more than there are: all of them
    ASSERT_TRUE(all.ok());
    EXPECT_TRUE(all->whole());
}

TEST(OffloadPlan, TooSmallForTheFixedPartSaysWhatItNeeds) {
    auto plan = plan_offload(3 << 20, kLayers, 1 << 20, std::nullopt);
    ASSERT_FALSE(plan.ok());
    EXPECT_NE(plan.error().message.find("needs 3.00 MiB of GPU memory"), std::string::npos) << plan.error().message;
    EXPECT_NE(plan.error().message.find("1.00 MiB available"), std::string::npos) << plan.error().message;
}

TEST(OffloadPlan, AnExplicitCountThatDoesNotFitSaysSo) {
    auto plan = plan_offload(500, kLayers, 500 + 1000, 2);  // 2 and 3: 1400 bytes
    ASSERT_FALSE(plan.ok());
    EXPECT_NE(plan.error().message.find("needs 1.86 KiB"), std::string::npos) << plan.error().message;
    EXPECT_NE(plan.error().message.find("2 of 4 layers"), std::string::npos) << plan.error().message;
    EXPECT_NE(plan.error().message.find("1.46 KiB available"), std::string::npos) << plan.error().message;
}

}  // namespace
}  // namespace tessera

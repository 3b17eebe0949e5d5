// The --device spellings every front end shares, and the CPU backend through the factory.
#include <gtest/gtest.h>

#include "backend/backend_choice.h"
#include "model/read_weights.h"
#include "support/synthetic_models.h"

namespace tessera {
namespace {

TEST(BackendChoice, ParsesCpuVulkanAndADeviceChoice) {
    auto cpu = parse_backend("cpu");
    ASSERT_TRUE(cpu.ok());
    EXPECT_EQ(cpu->kind, BackendKind::Cpu);
    auto vk = parse_backend("Vulkan");
    ASSERT_TRUE(vk.ok());
    EXPECT_EQ(vk->kind, BackendKind::Vulkan);
    EXPECT_EQ(vk->device, "");
    auto index = parse_backend("vulkan:1");
    ASSERT_TRUE(index.ok());
    EXPECT_EQ(index->kind, BackendKind::Vulkan);
    EXPECT_EQ(index->device, "1");
    auto name = parse_backend("vulkan:LLVMpipe");
    ASSERT_TRUE(name.ok());
    EXPECT_EQ(name->device, "LLVMpipe");  // the device match is case-insensitive itself
}

TEST(BackendChoice, RejectsOtherSpellingsWithTheAccepted) {
    for (const char* bad : {"", "gpu", "vulkan:", "cpu:0", "vulkan1"}) {
        auto r = parse_backend(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_NE(r.error().message.find("use cpu, vulkan, or vulkan:N"), std::string::npos) << r.error().message;
    }
}

TEST(BackendChoice, TheCpuBackendEvaluatesAndDescribesItself) {
    auto model = Model::load(test::synthetic_model_path("backend-choice", test::small_spec(2)));
    ASSERT_TRUE(model.ok()) << model.error().message;
    auto backend = create_backend(**model, {BackendKind::Cpu, {}}, {.n_ctx = 8, .n_threads = 1});
    ASSERT_TRUE(backend.ok()) << backend.error().message;
    EXPECT_EQ(backend->description.rfind("CPU, 1 thread, ", 0), 0u) << backend->description;
    EXPECT_EQ(backend->evaluator->n_ctx(), 8);
    std::vector<float> logits(static_cast<size_t>((*model)->config().n_vocab));
    ASSERT_TRUE(backend->evaluator->eval(std::vector<int32_t>{1, 2}, std::vector<int64_t>{1}, logits.data()).ok());
    EXPECT_EQ(backend->evaluator->n_past(), 2);
}

// With a progress callback the CPU backend reads the weights in at load, reporting bytes
// read: rising, in several steps for a model of a few MiB, ending at the tensors' total.
TEST(BackendChoice, TheCpuBackendReportsTheWeightsReadAtLoad) {
    SyntheticSpec spec = test::small_spec(2);
    spec.n_vocab = 32000;  // an 8 MiB embedding and output: several 4 MiB steps
    auto model = Model::load(test::synthetic_model_path("backend-progress", spec));
    ASSERT_TRUE(model.ok()) << model.error().message;
    std::vector<std::pair<uint64_t, uint64_t>> reports;
    BackendOptions options{.n_ctx = 8, .n_threads = 1};
    options.load_progress = [&](uint64_t done, uint64_t total) { reports.emplace_back(done, total); };
    auto backend = create_backend(**model, {BackendKind::Cpu, {}}, options);
    ASSERT_TRUE(backend.ok()) << backend.error().message;
    const uint64_t total = tensor_bytes(**model);
    EXPECT_GT(total, uint64_t{12} << 20);
    ASSERT_GE(reports.size(), 4u);
    for (size_t i = 0; i < reports.size(); ++i) {
        EXPECT_EQ(reports[i].second, total);
        if (i > 0) {
            EXPECT_GT(reports[i].first, reports[i - 1].first);
        }
    }
    EXPECT_EQ(reports.back().first, total);
}

}  // namespace
}  // namespace tessera

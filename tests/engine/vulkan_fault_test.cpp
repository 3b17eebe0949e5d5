// A GPU that resets or runs out of memory mid-generation, on lavapipe through the test-only
// fault hook (vulkan/fault_injection.h): the evaluator returns an error (no abort, nothing
// thrown), Generator and ChatSession pass it up, a lost device refuses everything after with
// a clear message, and the CPU backend takes over on the same model.
#include <gtest/gtest.h>

#include "backend/cpu/forward.h"
#include "backend/vulkan/context.h"
#include "backend/vulkan/fault_injection.h"
#include "backend/vulkan/forward.h"
#include "chat/builtin_templates.h"
#include "session/chat_session.h"
#include "session/generator.h"
#include "session/loaded_model.h"

namespace tessera::vulkan {
namespace {

const std::string kReference = "I siphon from noise. Contrast edges sharpen, a kaleidoscope of p";

class VulkanFault : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = vulkan_unavailable()) GTEST_SKIP() << "no Vulkan device to test on: " << *why;
        // A context of its own: a device marked lost here must not break other tests' device.
        auto context = Context::create();
        ASSERT_TRUE(context.ok()) << context.error().message;
        ctx_ = std::move(context.value());
        auto loaded = load_model_and_tokenizer(std::string(TESSERA_SOURCE_DIR) + "/packaging/models/aidreams260K-f32.gguf");
        ASSERT_TRUE(loaded.ok()) << loaded.error().message;
        loaded_ = std::move(loaded.value());
    }
    void TearDown() override { clear_faults(); }

    std::unique_ptr<VulkanForward> gpu() {
        auto fwd = VulkanForward::create(*loaded_.model, *ctx_, {.n_ctx = 64, .n_batch = 8});
        EXPECT_TRUE(fwd.ok()) << fwd.error().message;
        return fwd.ok() ? std::move(fwd.value()) : nullptr;
    }

    Result<GenerationStats> generate(Evaluator& evaluator, std::string& text) {
        Generator gen(evaluator, *loaded_.tokenizer);
        GenerationSettings greedy;
        greedy.max_tokens = 40;
        greedy.text_start = false;
        text = "I";
        return gen.generate(loaded_.tokenizer->encode(text, true, false), greedy, [&](std::string_view piece) { text.append(piece); });
    }

    std::unique_ptr<Context> ctx_;
    LoadedModel loaded_;
};

TEST_F(VulkanFault, DeviceLostMidGenerationIsAnErrorAndTheCpuTakesOver) {
    auto fwd = gpu();
    ASSERT_NE(fwd, nullptr);
    inject_fault(FaultSite::Submit, VK_ERROR_DEVICE_LOST, 12);  // a few tokens in
    std::string text;
    auto stats = generate(*fwd, text);
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.error().message.find("VK_ERROR_DEVICE_LOST"), std::string::npos) << stats.error().message;
    EXPECT_TRUE(fwd->device_failed());
    EXPECT_TRUE(ctx_->device().lost());
    EXPECT_LT(text.size(), kReference.size());  // it stopped part way

    // Nothing runs on a lost device again, and it says what to do.
    const int64_t past = fwd->n_past();
    const Status again = fwd->eval(std::vector<int32_t>{1}, {}, nullptr);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("was lost"), std::string::npos) << again.error().message;
    EXPECT_NE(again.error().message.find("--device cpu"), std::string::npos) << again.error().message;
    EXPECT_EQ(fwd->n_past(), past);

    // The CPU backend, on the same loaded model, writes the reference text.
    auto cpu = cpu::CpuForward::create(*loaded_.model, {.n_ctx = 64, .n_threads = 2});
    ASSERT_TRUE(cpu.ok()) << cpu.error().message;
    EXPECT_FALSE((*cpu)->device_failed());
    auto cpu_stats = generate(**cpu, text);
    ASSERT_TRUE(cpu_stats.ok()) << cpu_stats.error().message;
    EXPECT_EQ(text.substr(0, kReference.size()), kReference);
}

TEST_F(VulkanFault, ChatSessionPassesTheDeviceErrorUp) {
    auto fwd = gpu();
    ASSERT_NE(fwd, nullptr);
    ChatSession session(*fwd, *loaded_.tokenizer, chat::read_model_chat_info(loaded_.model->file()));
    inject_fault(FaultSite::Submit, VK_ERROR_DEVICE_LOST, 3);
    GenerationSettings settings;
    settings.max_tokens = 20;
    auto reply = session.reply({{"user", "Hello"}}, settings, [](std::string_view) {});
    ASSERT_FALSE(reply.ok());
    EXPECT_NE(reply.error().message.find("VK_ERROR_DEVICE_LOST"), std::string::npos) << reply.error().message;
    EXPECT_TRUE(fwd->device_failed());
}

TEST_F(VulkanFault, OutOfGpuMemoryMidGenerationIsAnErrorAndLeavesTheCacheUsable) {
    auto fwd = gpu();
    ASSERT_NE(fwd, nullptr);
    const int64_t n_vocab = loaded_.model->config().n_vocab;
    std::vector<float> first(static_cast<size_t>(n_vocab)), second(first.size());
    ASSERT_TRUE(fwd->eval(std::vector<int32_t>{1, 2, 3}, std::vector<int64_t>{2}, first.data()).ok());
    // The staging buffers of a token's upload are allocated per eval: the first one fails.
    inject_fault(FaultSite::Allocate, VK_ERROR_OUT_OF_DEVICE_MEMORY, 1);
    const Status oom = fwd->eval(std::vector<int32_t>{4}, std::vector<int64_t>{0}, second.data());
    ASSERT_FALSE(oom.ok());
    EXPECT_NE(oom.error().message.find("out of GPU memory"), std::string::npos) << oom.error().message;
    EXPECT_TRUE(fwd->device_failed());
    EXPECT_FALSE(ctx_->device().lost());
    EXPECT_EQ(fwd->n_past(), 3);  // the failed token was not appended
    // The device is still there: the same token now goes through.
    ASSERT_TRUE(fwd->eval(std::vector<int32_t>{4}, std::vector<int64_t>{0}, second.data()).ok());
    EXPECT_EQ(fwd->n_past(), 4);
}

TEST_F(VulkanFault, OutOfGpuMemoryWhileLoadingIsAnError) {
    inject_fault(FaultSite::Allocate, VK_ERROR_OUT_OF_DEVICE_MEMORY, 3);
    auto fwd = VulkanForward::create(*loaded_.model, *ctx_, {.n_ctx = 64, .n_batch = 8});
    ASSERT_FALSE(fwd.ok());
    EXPECT_NE(fwd.error().message.find("VK_ERROR_OUT_OF_DEVICE_MEMORY"), std::string::npos) << fwd.error().message;
}

}  // namespace
}  // namespace tessera::vulkan

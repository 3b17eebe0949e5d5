// Test fixture for the Vulkan backend: one shared context per test binary (validation on
// when the layer is installed), a skip with the reason on machines without a Vulkan device,
// and a failure for any validation error a test causes.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/vulkan/buffer.h"
#include "backend/vulkan/context.h"

namespace tessera::test {

class VulkanTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (auto why = vulkan::vulkan_unavailable())
            GTEST_SKIP() << "no Vulkan device to test on: " << *why;
        static auto shared = vulkan::Context::create({.validation = vulkan::Validation::IfInstalled});
        ASSERT_TRUE(shared.ok()) << "a Vulkan device is present but the context failed: " << shared.error().message;
        ctx_ = shared.value().get();
        errors_before_ = ctx_->instance().validation_errors().size();
    }

    void TearDown() override {
        if (ctx_ == nullptr) return;
        const auto errors = ctx_->instance().validation_errors();
        std::string text;
        for (size_t i = errors_before_; i < errors.size(); ++i) text += errors[i] + "\n";
        EXPECT_EQ(errors.size(), errors_before_) << "Vulkan validation errors:\n" << text;
    }

    const vulkan::Device& device() { return ctx_->device(); }
    vulkan::Kernels& kernels() { return ctx_->kernels(); }

    template <typename T>
    vulkan::Buffer buffer_with(const std::vector<T>& data) {
        auto b = vulkan::Buffer::create(device(), std::max<size_t>(data.size() * sizeof(T), 4), vulkan::MemoryKind::DeviceLocal);
        EXPECT_TRUE(b.ok()) << b.error().message;
        auto s = vulkan::upload(device(), *b, std::as_bytes(std::span(data)));
        EXPECT_TRUE(s.ok()) << s.error().message;
        return std::move(b.value());
    }

    vulkan::Buffer buffer_of_floats(size_t n) {
        auto b = vulkan::Buffer::create(device(), std::max<size_t>(n * sizeof(float), 4), vulkan::MemoryKind::DeviceLocal);
        EXPECT_TRUE(b.ok()) << b.error().message;
        return std::move(b.value());
    }

    std::vector<float> read_floats(const vulkan::Buffer& b, size_t n) {
        std::vector<float> out(n);
        auto s = vulkan::download(device(), b, std::as_writable_bytes(std::span(out)));
        EXPECT_TRUE(s.ok()) << s.error().message;
        return out;
    }

    // Records `record` into a fresh command buffer, submits it and waits.
    template <typename F>
    void run(F&& record) {
        auto rec = vulkan::CommandRecorder::create(device());
        ASSERT_TRUE(rec.ok()) << rec.error().message;
        ASSERT_TRUE(rec->begin().ok());
        const Status s = record(*rec);
        ASSERT_TRUE(s.ok()) << s.error().message;
        const Status done = rec->submit_and_wait();
        ASSERT_TRUE(done.ok()) << done.error().message;
    }

    vulkan::Context* ctx_ = nullptr;
    size_t errors_before_ = 0;
};

// |got - want| <= atol + rtol * |want| everywhere; reports the worst element.
inline void expect_close(const std::vector<float>& got, const std::vector<float>& want, float atol, float rtol,
                         const std::string& what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    size_t worst = 0, bad = 0;
    double worst_excess = -1.0;
    for (size_t i = 0; i < got.size(); ++i) {
        const double err = std::abs(double(got[i]) - double(want[i]));
        const double allowed = atol + rtol * std::abs(double(want[i]));
        if (!(err <= allowed)) ++bad;  // NaN counts as bad
        if (!(err - allowed <= worst_excess)) {
            worst_excess = err - allowed;
            worst = i;
        }
    }
    EXPECT_EQ(bad, 0u) << what << ": " << bad << " of " << got.size() << " elements off; worst at " << worst
                       << ": got " << got[worst] << ", want " << want[worst];
}

}  // namespace tessera::test

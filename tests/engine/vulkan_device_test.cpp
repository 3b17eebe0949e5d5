// The Vulkan backend's plumbing: device choice (pure logic, no device needed), enumeration
// and capabilities, buffers, the pipeline cache, the op registry, recorder misuse.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "backend/vulkan/device_choice.h"
#include "backend/vulkan/op_registry.h"
#include "backend/vulkan/spirv.h"
#include "support/vulkan_fixture.h"

namespace tessera::vulkan {
namespace {

DeviceInfo fake(uint32_t index, DeviceKind kind, const std::string& name, uint64_t local_bytes = 1ull << 30) {
    DeviceInfo d;
    d.index = index;
    d.kind = kind;
    d.name = name;
    d.compute_queue_family = 0;
    d.heaps.push_back({local_bytes, 0, 0, true});
    return d;
}

// Keeps TESSERA_VK_DEVICE unset around a test (and restores nothing: tests own it).
struct NoDeviceEnv {
    NoDeviceEnv() { unsetenv("TESSERA_VK_DEVICE"); }
    ~NoDeviceEnv() { unsetenv("TESSERA_VK_DEVICE"); }
};

TEST(VulkanDeviceChoice, PrefersDiscreteThenIntegratedThenCpu) {
    const std::vector<DeviceInfo> all = {fake(0, DeviceKind::Cpu, "llvmpipe"), fake(1, DeviceKind::Integrated, "Intel UHD"),
                                         fake(2, DeviceKind::Discrete, "Radeon RX 7900")};
    DeviceChoice c = default_device(all);
    EXPECT_EQ(c.position, 2u);
    EXPECT_NE(c.reason.find("discrete"), std::string::npos) << c.reason;

    c = default_device({all[0], all[1]});
    EXPECT_EQ(c.position, 1u);
    EXPECT_NE(c.reason.find("integrated"), std::string::npos) << c.reason;

    c = default_device({all[0]});
    EXPECT_EQ(c.position, 0u);
    EXPECT_NE(c.reason.find("no GPU"), std::string::npos) << c.reason;
}

TEST(VulkanDeviceChoice, AmongEqualsTakesTheMostMemoryAndSkipsDevicesWithoutCompute) {
    std::vector<DeviceInfo> two = {fake(0, DeviceKind::Discrete, "small", 8ull << 30),
                                   fake(1, DeviceKind::Discrete, "big", 24ull << 30)};
    DeviceChoice c = default_device(two);
    EXPECT_EQ(c.position, 1u);
    EXPECT_NE(c.reason.find("most device-local memory"), std::string::npos) << c.reason;

    two[1].compute_queue_family = -1;
    EXPECT_EQ(default_device(two).position, 0u);
}

TEST(VulkanDeviceChoice, FindsByIndexOrNamePieceWithErrorsThatListTheDevices) {
    const std::vector<DeviceInfo> all = {fake(0, DeviceKind::Cpu, "llvmpipe (LLVM 15)"),
                                         fake(1, DeviceKind::Discrete, "NVIDIA GeForce RTX 4090"),
                                         fake(2, DeviceKind::Discrete, "NVIDIA RTX A6000")};
    EXPECT_EQ(find_device(all, "1").value(), 1u);
    EXPECT_EQ(find_device(all, "LLVMPIPE").value(), 0u);
    EXPECT_EQ(find_device(all, "a6000").value(), 2u);

    auto missing = find_device(all, "radeon");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("1: NVIDIA GeForce RTX 4090"), std::string::npos) << missing.error().message;
    auto ambiguous = find_device(all, "nvidia");
    ASSERT_FALSE(ambiguous.ok());
    EXPECT_NE(ambiguous.error().message.find("more than one"), std::string::npos) << ambiguous.error().message;
    EXPECT_FALSE(find_device(all, "7").ok());
}

TEST(VulkanDeviceChoice, ExplicitBeatsEnvironmentBeatsDefault) {
    NoDeviceEnv guard;
    const std::vector<DeviceInfo> all = {fake(0, DeviceKind::Cpu, "llvmpipe"), fake(1, DeviceKind::Discrete, "RTX")};
    EXPECT_EQ(choose_device(all).value().position, 1u);

    setenv("TESSERA_VK_DEVICE", "llvm", 1);
    auto env = choose_device(all);
    ASSERT_TRUE(env.ok()) << env.error().message;
    EXPECT_EQ(env->position, 0u);
    EXPECT_EQ(env->reason, "TESSERA_VK_DEVICE=llvm");
    EXPECT_EQ(choose_device(all, "1").value().position, 1u);

    setenv("TESSERA_VK_DEVICE", "no-such-gpu", 1);
    auto bad = choose_device(all);
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("TESSERA_VK_DEVICE"), std::string::npos) << bad.error().message;

    EXPECT_FALSE(choose_device({}).ok());
}

TEST(VulkanRegistry, EveryOpHasARowAndItsShadersAreEmbedded) {
    const Op all[] = {Op::MulMat, Op::GetRows, Op::QuantizeAct, Op::RmsNorm, Op::Rope, Op::SwiGlu,
                      Op::Add,    Op::Softmax, Op::KvStore,     Op::Attention, Op::Argmax, Op::TopK};
    EXPECT_EQ(op_registry().size(), std::size(all));
    for (Op op : all) {
        const OpSpec& spec = op_spec(op);
        EXPECT_EQ(spec.op, op) << spec.shader;
        EXPECT_GT(spec.interface.bindings, 0u) << spec.shader;
        EXPECT_LE(spec.interface.push_bytes, 128u) << spec.shader << ": more than Vulkan guarantees";
        // quantize_act is typed by the activations' dot type: no F32 variant (nothing to round).
        const std::vector<TensorType> types = op == Op::QuantizeAct
            ? std::vector{TensorType::Q8_0, TensorType::Q8_K, TensorType::F16, TensorType::BF16}
            : std::vector{TensorType::F32, TensorType::F16, TensorType::Q8_0};
        for (TensorType t : types) EXPECT_TRUE(op_supports(op, t)) << op_shader(op, t);
    }
    EXPECT_EQ(op_shader(Op::MulMat, TensorType::Q4_K), "mul_mat_q4_k");
    EXPECT_EQ(op_shader(Op::RmsNorm, TensorType::Q4_K), "rms_norm");
    EXPECT_FALSE(op_supports(Op::MulMat, TensorType::Q8_K));  // an activation type, never a weight
    // Every embedded module is a SPIR-V module (magic number first).
    for (std::string_view name : spirv_names()) {
        const auto words = spirv(name);
        ASSERT_GT(words.size(), 5u) << name;
        EXPECT_EQ(words[0], 0x07230203u) << name;
    }
}

using VulkanDevice = test::VulkanTest;

TEST_F(VulkanDevice, ValidationIsOnWhenTheLayerIsInstalled) {
    // Otherwise the fixture's "no validation errors" check would pass without looking.
    EXPECT_EQ(ctx_->instance().validation_enabled(), validation_layer_installed() || validation_from_env(Validation::Off) == Validation::Required);
}

TEST_F(VulkanDevice, EnumeratesDevicesWithMemoryAndCapabilities) {
    auto devices = enumerate_devices(ctx_->instance());
    ASSERT_TRUE(devices.ok()) << devices.error().message;
    ASSERT_FALSE(devices->empty());
    for (const DeviceInfo& d : *devices) {
        EXPECT_FALSE(d.name.empty());
        ASSERT_FALSE(d.heaps.empty()) << d.name;
        EXPECT_GT(d.heaps[0].size, 0u) << d.name;
        EXPECT_GT(d.caps.max_storage_buffer_range, 0u) << d.name;
        EXPECT_GT(d.caps.max_memory_allocation_size, 0u) << d.name;
        EXPECT_GE(d.caps.max_shared_memory, 16384u) << d.name << ": below the Vulkan minimum";
        EXPECT_GT(d.caps.subgroup_size, 0u) << d.name;
        if (d.has_memory_budget) {
            for (const MemoryHeap& h : d.heaps) EXPECT_LE(h.budget, h.size) << d.name;
        }
    }
    EXPECT_TRUE(check_requirements(device().info(), kernels().workgroup_size()).ok());
    EXPECT_FALSE(check_requirements(device().info(), 1u << 20).ok());  // no device runs a million invocations
}

TEST_F(VulkanDevice, UploadAndDownloadRoundTripInChunks) {
    std::mt19937 rng(7);
    std::vector<std::byte> data(100'003);  // odd size, several chunks
    for (auto& b : data) b = static_cast<std::byte>(rng());
    auto buf = Buffer::create(device(), data.size() + 5, MemoryKind::DeviceLocal);
    ASSERT_TRUE(buf.ok()) << buf.error().message;
    ASSERT_TRUE(upload(device(), *buf, data, 5, 4096).ok());
    std::vector<std::byte> back(data.size());
    ASSERT_TRUE(download(device(), *buf, back, 5, 1000).ok());
    EXPECT_TRUE(back == data);

    auto past = upload(device(), *buf, data, 6);
    ASSERT_FALSE(past.ok());
    EXPECT_NE(past.error().message.find("past the end"), std::string::npos) << past.error().message;
}

TEST_F(VulkanDevice, BuffersOverTheDeviceLimitsFailWithTheLimit) {
    const Capabilities& caps = device().info().caps;
    const uint64_t too_big = std::max(caps.max_storage_buffer_range, caps.max_memory_allocation_size) + 1;
    auto b = Buffer::create(device(), too_big, MemoryKind::DeviceLocal);
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().message.find("must be split"), std::string::npos) << b.error().message;
    EXPECT_FALSE(Buffer::create(device(), 0, MemoryKind::DeviceLocal).ok());
}

TEST_F(VulkanDevice, PipelineCacheKeysByShaderAndSpecialization) {
    PipelineCache cache(device());
    const ShaderInterface add = op_spec(Op::Add).interface;
    const uint32_t wg64[] = {64}, wg32[] = {32};
    auto a = cache.get("add", add, wg64);
    auto b = cache.get("add", add, wg64);
    auto c = cache.get("add", add, wg32);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    EXPECT_EQ(*a, *b);
    EXPECT_NE(*a, *c);
    EXPECT_EQ(cache.size(), 2u);
    auto missing = cache.get("no_such_shader", add, wg64);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no_such_shader"), std::string::npos);
}

TEST_F(VulkanDevice, RecorderRefusesWorkOutsideBeginAndSubmit) {
    auto rec = CommandRecorder::create(device());
    ASSERT_TRUE(rec.ok());
    auto x = buffer_of_floats(4);
    EXPECT_FALSE(rec->barrier().ok());
    EXPECT_FALSE(kernels().add(*rec, x, x, 4).ok());
    EXPECT_FALSE(rec->submit_and_wait().ok());
    ASSERT_TRUE(rec->begin().ok());
    EXPECT_FALSE(rec->begin().ok());
    EXPECT_TRUE(rec->submit_and_wait().ok());  // an empty submission is fine
}

TEST_F(VulkanDevice, KernelsRejectShapesTheBuffersCannotHold) {
    auto small = buffer_of_floats(10);
    auto rec = CommandRecorder::create(device());
    ASSERT_TRUE(rec.ok() && rec->begin().ok());
    const Status s = kernels().add(*rec, small, small, 11);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("needs 44 bytes"), std::string::npos) << s.error().message;
    const Status q = kernels().mul_mat(*rec, TensorType::Q8_0, small, small, small, 1, 33, 1);
    ASSERT_FALSE(q.ok());
    EXPECT_NE(q.error().message.find("multiple of"), std::string::npos) << q.error().message;
    const Status t = kernels().mul_mat(*rec, TensorType::Q8_K, small, small, small, 1, 256, 1);
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("no mul_mat shader for q8_K"), std::string::npos) << t.error().message;
    ASSERT_TRUE(rec->submit_and_wait().ok());
}

}  // namespace
}  // namespace tessera::vulkan

// Compute pipelines built from the embedded SPIR-V, one per (shader, specialization
// constants), created on first use and kept for the device's lifetime.
#pragma once

#include <vulkan/vulkan.h>

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/vulkan/device.h"
#include "backend/vulkan/handle.h"
#include "core/result.h"

namespace tessera::vulkan {

// The interface every shader has: `bindings` storage buffers at set 0, bindings 0..n-1, and
// a push-constant block of `push_bytes`.
struct ShaderInterface {
    uint32_t bindings = 0;
    uint32_t push_bytes = 0;
};

class Pipeline {
public:
    Pipeline(Pipeline&&) noexcept = default;
    Pipeline& operator=(Pipeline&&) noexcept = default;
    ~Pipeline() = default;

    VkPipeline handle() const { return pipeline_.get(); }
    VkPipelineLayout layout() const { return layout_.get(); }
    VkDescriptorSetLayout set_layout() const { return set_layout_.get(); }
    const ShaderInterface& interface() const { return interface_; }
    const std::string& name() const { return name_; }

private:
    friend class PipelineCache;
    Pipeline() = default;
    std::string name_;
    ShaderInterface interface_;
    DescriptorSetLayoutHandle set_layout_;
    PipelineLayoutHandle layout_;
    PipelineHandle pipeline_;
};

class PipelineCache {
public:
    explicit PipelineCache(const Device& device) : device_(&device) {}

    // Spec constant i is constant_id i. The pointer stays valid as long as the cache.
    Result<const Pipeline*> get(std::string_view shader, const ShaderInterface& interface,
                                std::span<const uint32_t> spec_constants);
    size_t size() const { return pipelines_.size(); }

private:
    Result<Pipeline> build(std::string_view shader, const ShaderInterface& interface,
                           std::span<const uint32_t> spec_constants) const;

    const Device* device_;
    std::map<std::string, std::unique_ptr<Pipeline>, std::less<>> pipelines_;
};

}  // namespace tessera::vulkan

// Records compute dispatches, copies and barriers into one command buffer, submits it once
// and waits on a fence. Descriptor sets come from pools the recorder owns; they are
// recycled by begin(), after the previous submission has finished.
//
// States: Idle -> begin() -> Recording -> submit_and_wait() -> Idle. Recording calls
// outside Recording return an error; nothing is half-submitted.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <initializer_list>
#include <span>
#include <vector>

#include "backend/vulkan/buffer.h"
#include "backend/vulkan/device.h"
#include "backend/vulkan/handle.h"
#include "core/result.h"

namespace tessera::vulkan {

class Pipeline;

struct Groups {
    uint32_t x = 1, y = 1, z = 1;
};

class CommandRecorder {
public:
    static Result<CommandRecorder> create(const Device& device);
    CommandRecorder(CommandRecorder&&) noexcept = default;
    CommandRecorder& operator=(CommandRecorder&&) noexcept = default;
    ~CommandRecorder() = default;

    Status begin();
    // Binds `buffers` to bindings 0..n-1 (whole buffers), pushes `push`, dispatches `groups`.
    Status dispatch(const Pipeline& pipeline, std::initializer_list<const Buffer*> buffers,
                    std::span<const std::byte> push, Groups groups);
    Status copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset, uint64_t size);
    // Makes every earlier shader or transfer write visible to every later shader, transfer
    // and host read. Needed between a write and a read of the same buffer, only there.
    Status barrier();
    Status submit_and_wait();

    bool recording() const { return recording_; }

private:
    CommandRecorder() = default;
    Result<VkDescriptorSet> allocate_set(VkDescriptorSetLayout layout);

    const Device* device_ = nullptr;
    CommandPoolHandle pool_;
    FenceHandle fence_;
    std::vector<DescriptorPoolHandle> descriptor_pools_;
    size_t current_pool_ = 0;
    VkCommandBuffer commands_ = VK_NULL_HANDLE;  // freed with pool_
    bool recording_ = false;
};

}  // namespace tessera::vulkan

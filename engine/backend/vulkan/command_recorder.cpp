#include "backend/vulkan/command_recorder.h"

#include <cstdint>
#include <string>

#include "backend/vulkan/fault_injection.h"
#include "backend/vulkan/pipeline_cache.h"
#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {
namespace {

constexpr uint32_t kSetsPerPool = 256;
constexpr uint32_t kBuffersPerPool = 4 * kSetsPerPool;

Status not_recording(const char* what) {
    return Error{std::string(what) + " outside begin() ... submit_and_wait() (a bug in the caller)"};
}

}  // namespace

Result<CommandRecorder> CommandRecorder::create(const Device& device) {
    CommandRecorder r;
    r.device_ = &device;
    VkCommandPoolCreateInfo pool{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool.queueFamilyIndex = device.queue_family();
    VkCommandPool p = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateCommandPool(device.handle(), &pool, nullptr, &p), "creating a command pool"));
    r.pool_ = CommandPoolHandle(device.handle(), p);

    VkCommandBufferAllocateInfo alloc{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    alloc.commandPool = p;
    alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    alloc.commandBufferCount = 1;
    TESSERA_TRY(vk_check(vkAllocateCommandBuffers(device.handle(), &alloc, &r.commands_), "allocating a command buffer"));

    VkFenceCreateInfo fence{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence f = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateFence(device.handle(), &fence, nullptr, &f), "creating a fence"));
    r.fence_ = FenceHandle(device.handle(), f);
    return r;
}

Status CommandRecorder::begin() {
    if (recording_) return Error{"begin() while already recording (a bug in the caller)"};
    // The last submission has been waited for, so its descriptor sets are free again.
    for (const auto& pool : descriptor_pools_)
        TESSERA_TRY(vk_check(vkResetDescriptorPool(device_->handle(), pool.get(), 0), "resetting descriptor pools"));
    current_pool_ = 0;
    TESSERA_TRY(vk_check(vkResetCommandBuffer(commands_, 0), "resetting a command buffer"));
    VkCommandBufferBeginInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    TESSERA_TRY(vk_check(vkBeginCommandBuffer(commands_, &info), "beginning a command buffer"));
    recording_ = true;
    return Status::success();
}

Result<VkDescriptorSet> CommandRecorder::allocate_set(VkDescriptorSetLayout layout) {
    for (;; ++current_pool_) {
        const bool fresh = current_pool_ == descriptor_pools_.size();
        if (fresh) {
            VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kBuffersPerPool};
            VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
            info.maxSets = kSetsPerPool;
            info.poolSizeCount = 1;
            info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            TESSERA_TRY(vk_check(vkCreateDescriptorPool(device_->handle(), &info, nullptr, &pool), "creating a descriptor pool"));
            descriptor_pools_.emplace_back(device_->handle(), pool);
        }
        VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
        info.descriptorPool = descriptor_pools_[current_pool_].get();
        info.descriptorSetCount = 1;
        info.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        const VkResult r = vkAllocateDescriptorSets(device_->handle(), &info, &set);
        if (r == VK_SUCCESS) return set;
        // A full pool: move on to the next one (a fresh pool cannot be full).
        if ((r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL) || fresh)
            return vk_error("allocating a descriptor set", r);
    }
}

Status CommandRecorder::dispatch(const Pipeline& pipeline, std::initializer_list<const Buffer*> buffers,
                                 std::span<const std::byte> push, Groups groups) {
    if (!recording_) return not_recording("dispatch");
    const ShaderInterface& iface = pipeline.interface();
    if (buffers.size() != iface.bindings || push.size() != iface.push_bytes)
        return Error{"shader '" + pipeline.name() + "' takes " + std::to_string(iface.bindings) + " buffers and " +
                     std::to_string(iface.push_bytes) + " bytes of push constants, not " + std::to_string(buffers.size()) +
                     " and " + std::to_string(push.size()) + " (a bug in the op's host code)"};
    const uint32_t* max = device_->info().caps.max_workgroup_count;
    if (groups.x == 0 || groups.y == 0 || groups.z == 0) return Status::success();  // nothing to do
    if (groups.x > max[0] || groups.y > max[1] || groups.z > max[2])
        return Error{"shader '" + pipeline.name() + "': a grid of " + std::to_string(groups.x) + " x " +
                     std::to_string(groups.y) + " x " + std::to_string(groups.z) + " workgroups is more than '" +
                     device_->info().name + "' dispatches at once"};

    auto set = allocate_set(pipeline.set_layout());
    if (!set) return set.error();
    std::vector<VkDescriptorBufferInfo> infos;
    std::vector<VkWriteDescriptorSet> writes;
    infos.reserve(buffers.size());
    for (const Buffer* b : buffers) infos.push_back({b->handle(), 0, VK_WHOLE_SIZE});
    for (uint32_t i = 0; i < infos.size(); ++i) {
        VkWriteDescriptorSet w{VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        w.dstSet = *set;
        w.dstBinding = i;
        w.descriptorCount = 1;
        w.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        w.pBufferInfo = &infos[i];
        writes.push_back(w);
    }
    vkUpdateDescriptorSets(device_->handle(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

    vkCmdBindPipeline(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.handle());
    vkCmdBindDescriptorSets(commands_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.layout(), 0, 1, &*set, 0, nullptr);
    if (!push.empty())
        vkCmdPushConstants(commands_, pipeline.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           static_cast<uint32_t>(push.size()), push.data());
    vkCmdDispatch(commands_, groups.x, groups.y, groups.z);
    return Status::success();
}

Status CommandRecorder::copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset,
                             uint64_t size) {
    if (!recording_) return not_recording("copy");
    const VkBufferCopy region{src_offset, dst_offset, size};
    vkCmdCopyBuffer(commands_, src.handle(), dst.handle(), 1, &region);
    return Status::success();
}

Status CommandRecorder::barrier() {
    if (!recording_) return not_recording("barrier");
    VkMemoryBarrier b{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    b.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
    b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                      VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
    vkCmdPipelineBarrier(commands_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                         0, 1, &b, 0, nullptr, 0, nullptr);
    return Status::success();
}

Status CommandRecorder::submit_and_wait() {
    if (!recording_) return not_recording("submit");
    recording_ = false;
    TESSERA_TRY(vk_check(vkEndCommandBuffer(commands_), "ending a command buffer"));
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &commands_;
    VkFence fence = fence_.get();
    TESSERA_TRY(vk_check(vkResetFences(device_->handle(), 1, &fence), "resetting a fence"));
    VkResult r = take_fault(FaultSite::Submit);
    if (r == VK_SUCCESS) r = vkQueueSubmit(device_->queue(), 1, &submit, fence);
    if (r == VK_SUCCESS) r = vkWaitForFences(device_->handle(), 1, &fence, VK_TRUE, UINT64_MAX);
    // A lost device stays lost: everything on it must be created again (the model reloaded).
    if (r == VK_ERROR_DEVICE_LOST) device_->mark_lost();
    return vk_check(r, "running work on the GPU");
}

}  // namespace tessera::vulkan

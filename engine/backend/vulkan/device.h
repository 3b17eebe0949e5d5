// A logical device with one compute queue on a chosen physical device.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>

#include "backend/vulkan/device_info.h"
#include "core/result.h"

namespace tessera::vulkan {

class Device {
public:
    static Result<std::unique_ptr<Device>> create(const DeviceInfo& info);
    ~Device();  // waits for the queue to drain first
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    VkDevice handle() const { return device_; }
    VkQueue queue() const { return queue_; }
    uint32_t queue_family() const { return static_cast<uint32_t>(info_.compute_queue_family); }
    const DeviceInfo& info() const { return info_; }

    // A memory type allowed by `type_bits` with all `required` flags, preferring one that also
    // has `preferred`.
    Result<uint32_t> memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                 VkMemoryPropertyFlags preferred) const;

    // Set when a submission returned VK_ERROR_DEVICE_LOST: nothing on this device works again.
    bool lost() const { return lost_; }
    void mark_lost() const { lost_ = true; }

private:
    explicit Device(DeviceInfo info) : info_(std::move(info)) {}
    DeviceInfo info_;
    VkPhysicalDeviceMemoryProperties memory_{};
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    mutable bool lost_ = false;
};

}  // namespace tessera::vulkan

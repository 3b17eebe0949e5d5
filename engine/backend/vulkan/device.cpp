#include "backend/vulkan/device.h"

#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {

Result<std::unique_ptr<Device>> Device::create(const DeviceInfo& info) {
    if (info.compute_queue_family < 0) return Error{"Vulkan device '" + info.name + "' has no compute queue"};
    std::unique_ptr<Device> self(new Device(info));
    vkGetPhysicalDeviceMemoryProperties(info.physical, &self->memory_);

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queue.queueFamilyIndex = self->queue_family();
    queue.queueCount = 1;
    queue.pQueuePriorities = &priority;
    // No optional features yet: the shaders read bytes through 32-bit words, so they need
    // neither 8/16-bit storage nor fp16 arithmetic.
    VkDeviceCreateInfo create{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    create.queueCreateInfoCount = 1;
    create.pQueueCreateInfos = &queue;
    TESSERA_TRY(vk_check(vkCreateDevice(info.physical, &create, nullptr, &self->device_),
                         "creating a device on '" + info.name + "'"));
    vkGetDeviceQueue(self->device_, self->queue_family(), 0, &self->queue_);
    return self;
}

Device::~Device() {
    if (device_ != VK_NULL_HANDLE) {
        vkDeviceWaitIdle(device_);
        vkDestroyDevice(device_, nullptr);
    }
}

Result<uint32_t> Device::memory_type(uint32_t type_bits, VkMemoryPropertyFlags required,
                                     VkMemoryPropertyFlags preferred) const {
    int fallback = -1;
    for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i) {
        if (!(type_bits & (1u << i))) continue;
        const VkMemoryPropertyFlags flags = memory_.memoryTypes[i].propertyFlags;
        if ((flags & required) != required) continue;
        if ((flags & preferred) == preferred) return i;
        if (fallback < 0) fallback = static_cast<int>(i);
    }
    if (fallback >= 0) return static_cast<uint32_t>(fallback);
    return Error{"Vulkan device '" + info_.name + "' has no memory type with the properties a buffer needs"};
}

}  // namespace tessera::vulkan

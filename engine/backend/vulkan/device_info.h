// What a physical device is and can do, read once at enumeration: kind, name, memory heaps
// (with the driver's budget when VK_EXT_memory_budget is there) and the capabilities the
// shaders depend on.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera::vulkan {

class Instance;

enum class DeviceKind { Discrete, Integrated, Virtual, Cpu, Other };
const char* device_kind_name(DeviceKind kind);  // "discrete GPU", "CPU (software)", ...

struct MemoryHeap {
    uint64_t size = 0;
    uint64_t budget = 0;  // what this process may use now; 0 when the driver does not say
    uint64_t usage = 0;   // what this process uses now (with a budget only)
    bool device_local = false;
};

struct Capabilities {
    bool storage_16bit = false;        // storageBuffer16BitAccess
    bool float16_arithmetic = false;   // shaderFloat16
    uint32_t subgroup_size = 0;
    bool subgroup_arithmetic = false;  // subgroupAdd etc. in compute shaders
    uint64_t max_storage_buffer_range = 0;
    uint64_t max_memory_allocation_size = 0;
    uint64_t max_buffer_size = 0;       // 0 when the device predates Vulkan 1.3's maintenance4
    uint32_t max_shared_memory = 0;     // maxComputeSharedMemorySize, bytes
    uint32_t max_workgroup_invocations = 0;
    uint32_t max_workgroup_size_x = 0;
    uint32_t max_workgroup_count[3] = {0, 0, 0};
};

struct DeviceInfo {
    uint32_t index = 0;  // in vkEnumeratePhysicalDevices order
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    std::string name;
    DeviceKind kind = DeviceKind::Other;
    uint32_t vendor_id = 0;
    uint32_t api_version = 0;
    std::string driver;          // driver name and info, when the device reports them
    bool has_memory_budget = false;
    std::vector<MemoryHeap> heaps;
    Capabilities caps;
    int compute_queue_family = -1;  // -1: none (the device cannot run the backend)

    uint64_t device_local_bytes() const;  // sum of device-local heaps
    uint64_t device_local_budget() const; // sum of their budgets (their sizes without VK_EXT_memory_budget)
};

Result<std::vector<DeviceInfo>> enumerate_devices(const Instance& instance);

// What the current shaders need from a device; the error says what is missing and where.
Status check_requirements(const DeviceInfo& device, uint32_t workgroup_size);

// "12.0 GiB", "512 MiB": sizes for people.
std::string format_bytes(uint64_t bytes);

}  // namespace tessera::vulkan

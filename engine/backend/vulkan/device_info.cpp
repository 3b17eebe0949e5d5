#include "backend/vulkan/device_info.h"

#include <cstdio>
#include <cstring>

#include "backend/vulkan/instance.h"
#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {
namespace {

DeviceKind kind_of(VkPhysicalDeviceType type) {
    switch (type) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return DeviceKind::Discrete;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return DeviceKind::Integrated;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return DeviceKind::Virtual;
        case VK_PHYSICAL_DEVICE_TYPE_CPU: return DeviceKind::Cpu;
        default: return DeviceKind::Other;
    }
}

std::vector<std::string> device_extensions(VkPhysicalDevice pd) {
    uint32_t count = 0;
    std::vector<std::string> names;
    if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &count, nullptr) != VK_SUCCESS) return names;
    std::vector<VkExtensionProperties> props(count);
    if (vkEnumerateDeviceExtensionProperties(pd, nullptr, &count, props.data()) != VK_SUCCESS) return names;
    for (const auto& p : props) names.emplace_back(p.extensionName);
    return names;
}

bool has(const std::vector<std::string>& names, const char* name) {
    for (const auto& n : names)
        if (n == name) return true;
    return false;
}

void read_memory(DeviceInfo& d) {
    VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
    VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
    if (d.has_memory_budget) props.pNext = &budget;  // chaining it unsupported would be invalid
    vkGetPhysicalDeviceMemoryProperties2(d.physical, &props);
    const VkPhysicalDeviceMemoryProperties& mem = props.memoryProperties;
    for (uint32_t i = 0; i < mem.memoryHeapCount; ++i) {
        MemoryHeap heap;
        heap.size = mem.memoryHeaps[i].size;
        heap.device_local = (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0;
        if (d.has_memory_budget) {
            heap.budget = budget.heapBudget[i];
            heap.usage = budget.heapUsage[i];
        }
        d.heaps.push_back(heap);
    }
}

void read_capabilities(DeviceInfo& d, const std::vector<std::string>& extensions) {
    const bool v12 = d.api_version >= VK_API_VERSION_1_2;
    const bool v13 = d.api_version >= VK_API_VERSION_1_3;

    VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceMaintenance3Properties m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceMaintenance4Properties m4{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_4_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &subgroup;
    subgroup.pNext = &m3;
    if (v13) m3.pNext = &m4;  // chaining a struct the device does not know would be invalid
    vkGetPhysicalDeviceProperties2(d.physical, &props);
    const VkPhysicalDeviceLimits& l = props.properties.limits;

    VkPhysicalDevice16BitStorageFeatures s16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES};
    VkPhysicalDeviceShaderFloat16Int8Features f16{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES};
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &s16;
    if (v12 || has(extensions, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME)) s16.pNext = &f16;
    vkGetPhysicalDeviceFeatures2(d.physical, &features);

    Capabilities& c = d.caps;
    c.storage_16bit = s16.storageBuffer16BitAccess == VK_TRUE;
    c.float16_arithmetic = f16.shaderFloat16 == VK_TRUE;
    c.subgroup_size = subgroup.subgroupSize;
    c.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) != 0 &&
                            (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) != 0;
    c.max_storage_buffer_range = l.maxStorageBufferRange;
    c.max_memory_allocation_size = m3.maxMemoryAllocationSize;
    c.max_buffer_size = v13 ? m4.maxBufferSize : 0;
    c.max_shared_memory = l.maxComputeSharedMemorySize;
    c.max_workgroup_invocations = l.maxComputeWorkGroupInvocations;
    c.max_workgroup_size_x = l.maxComputeWorkGroupSize[0];
    for (int i = 0; i < 3; ++i) c.max_workgroup_count[i] = l.maxComputeWorkGroupCount[i];
}

int compute_queue_family(VkPhysicalDevice pd) {
    uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(pd, &count, families.data());
    // A compute-only family first: on discrete GPUs it is the asynchronous compute engine.
    for (uint32_t i = 0; i < count; ++i)
        if ((families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) && !(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT))
            return static_cast<int>(i);
    for (uint32_t i = 0; i < count; ++i)
        if (families[i].queueFlags & VK_QUEUE_COMPUTE_BIT) return static_cast<int>(i);
    return -1;
}

}  // namespace

const char* device_kind_name(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::Discrete: return "discrete GPU";
        case DeviceKind::Integrated: return "integrated GPU";
        case DeviceKind::Virtual: return "virtual GPU";
        case DeviceKind::Cpu: return "CPU (software Vulkan)";
        case DeviceKind::Other: return "other";
    }
    return "other";
}

uint64_t DeviceInfo::device_local_bytes() const {
    uint64_t sum = 0;
    for (const MemoryHeap& h : heaps)
        if (h.device_local) sum += h.size;
    return sum;
}

uint64_t DeviceInfo::device_local_budget() const {
    uint64_t sum = 0;
    for (const MemoryHeap& h : heaps)
        if (h.device_local) sum += has_memory_budget ? h.budget : h.size;
    return sum;
}

Result<std::vector<DeviceInfo>> enumerate_devices(const Instance& instance) {
    uint32_t count = 0;
    TESSERA_TRY(vk_check(vkEnumeratePhysicalDevices(instance.handle(), &count, nullptr), "listing Vulkan devices"));
    std::vector<VkPhysicalDevice> physical(count);
    TESSERA_TRY(vk_check(vkEnumeratePhysicalDevices(instance.handle(), &count, physical.data()), "listing Vulkan devices"));

    std::vector<DeviceInfo> devices;
    for (uint32_t i = 0; i < count; ++i) {
        DeviceInfo d;
        d.index = i;
        d.physical = physical[i];
        VkPhysicalDeviceProperties props;
        vkGetPhysicalDeviceProperties(physical[i], &props);
        d.name = props.deviceName;
        d.kind = kind_of(props.deviceType);
        d.vendor_id = props.vendorID;
        d.api_version = props.apiVersion;
        const auto extensions = device_extensions(physical[i]);
        if (props.apiVersion >= VK_API_VERSION_1_2) {
            VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
            VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
            p2.pNext = &driver;
            vkGetPhysicalDeviceProperties2(physical[i], &p2);
            d.driver = std::string(driver.driverName) + (driver.driverInfo[0] ? std::string(" ") + driver.driverInfo : "");
        }
        d.has_memory_budget = has(extensions, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
        // Vulkan 1.0 devices are listed (so people see them) but not queried further: the
        // *2 queries are 1.1, and check_requirements turns them down.
        if (props.apiVersion >= VK_API_VERSION_1_1) {
            read_memory(d);
            read_capabilities(d, extensions);
        }
        d.compute_queue_family = compute_queue_family(physical[i]);
        devices.push_back(std::move(d));
    }
    return devices;
}

Status check_requirements(const DeviceInfo& d, uint32_t workgroup_size) {
    const std::string who = "Vulkan device " + std::to_string(d.index) + " (" + d.name + ")";
    if (d.api_version < VK_API_VERSION_1_1)
        return Error{who + " supports only Vulkan 1.0; the backend needs 1.1 (a newer driver may add it)"};
    if (d.compute_queue_family < 0) return Error{who + " has no compute queue"};
    if (d.caps.max_workgroup_invocations < workgroup_size || d.caps.max_workgroup_size_x < workgroup_size)
        return Error{who + " runs at most " + std::to_string(d.caps.max_workgroup_invocations) +
                     " invocations per workgroup; the shaders use " + std::to_string(workgroup_size)};
    if (d.caps.max_shared_memory < workgroup_size * sizeof(float))
        return Error{who + " has " + std::to_string(d.caps.max_shared_memory) +
                     " bytes of shared memory per workgroup; the reductions need " +
                     std::to_string(workgroup_size * sizeof(float))};
    return Status::success();
}

std::string format_bytes(uint64_t bytes) {
    char text[32];
    const double b = static_cast<double>(bytes);
    if (bytes >= (1ull << 30)) std::snprintf(text, sizeof text, "%.1f GiB", b / double(1ull << 30));
    else if (bytes >= (1ull << 20)) std::snprintf(text, sizeof text, "%.0f MiB", b / double(1ull << 20));
    else std::snprintf(text, sizeof text, "%.0f KiB", b / 1024.0);
    return text;
}

}  // namespace tessera::vulkan

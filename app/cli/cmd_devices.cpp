// tessera-cli devices: the Vulkan devices with their memory and capabilities, which one
// runs models by default and why.
#include <cstdio>
#include <string>

#include "commands.h"

#if defined(TESSERA_VULKAN)
#include "backend/vulkan/context.h"
#include "backend/vulkan/device_choice.h"
#include "backend/vulkan/device_info.h"
#include "backend/vulkan/instance.h"
#endif

namespace tessera::cli {

#if defined(TESSERA_VULKAN)
namespace {

std::string version_text(uint32_t v) {
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
           std::to_string(VK_API_VERSION_PATCH(v));
}

void print_device(const vulkan::DeviceInfo& d, bool is_default) {
    using vulkan::format_bytes;
    std::printf("  %u: %s%s\n", d.index, d.name.c_str(), is_default ? "  [default]" : "");
    std::printf("     %s, Vulkan %s%s%s\n", vulkan::device_kind_name(d.kind), version_text(d.api_version).c_str(),
                d.driver.empty() ? "" : ", driver ", d.driver.c_str());
    for (size_t h = 0; h < d.heaps.size(); ++h) {
        const vulkan::MemoryHeap& heap = d.heaps[h];
        std::printf("     memory heap %zu: %s%s", h, format_bytes(heap.size).c_str(), heap.device_local ? " device-local" : " host");
        if (d.has_memory_budget)
            std::printf(", budget %s, in use %s", format_bytes(heap.budget).c_str(), format_bytes(heap.usage).c_str());
        std::printf("\n");
    }
    const vulkan::Capabilities& c = d.caps;
    std::printf("     largest binding %s, largest allocation %s, shared memory %u KiB, subgroup %u%s, "
                "16-bit storage %s, fp16 arithmetic %s\n",
                format_bytes(c.max_storage_buffer_range).c_str(), format_bytes(c.max_memory_allocation_size).c_str(),
                c.max_shared_memory / 1024, c.subgroup_size, c.subgroup_arithmetic ? " (arithmetic)" : "",
                c.storage_16bit ? "yes" : "no", c.float16_arithmetic ? "yes" : "no");
    if (auto usable = vulkan::check_requirements(d, vulkan::ContextOptions{}.workgroup_size); !usable)
        std::printf("     not usable: %s\n", usable.error().message.c_str());
}

}  // namespace
#endif

int devices_command(Args& args) {
    if (!args.positional().empty()) return fail(Error{"devices takes no arguments"});
    if (auto s = args.check_unused(); !s) return fail(s.error());
#if defined(TESSERA_VULKAN)
    auto instance = vulkan::Instance::create(vulkan::validation_from_env(vulkan::Validation::Off));
    if (!instance) {
        std::printf("No Vulkan devices: %s\nModels run on the CPU.\n", instance.error().message.c_str());
        return 0;
    }
    auto devices = vulkan::enumerate_devices(**instance);
    if (!devices) return fail(devices.error());
    if (devices->empty()) {
        std::printf("No Vulkan devices (a GPU driver, or mesa-vulkan-drivers for lavapipe, provides one).\n"
                    "Models run on the CPU.\n");
        return 0;
    }
    auto choice = vulkan::choose_device(*devices);
    std::printf("Vulkan devices:\n");
    for (size_t i = 0; i < devices->size(); ++i) print_device((*devices)[i], choice.ok() && choice->position == i);
    if (!choice) return fail(choice.error());  // e.g. a TESSERA_VK_DEVICE that matches nothing
    const vulkan::DeviceInfo& d = (*devices)[choice->position];
    std::printf("Default: %u (%s): %s\n", d.index, d.name.c_str(), choice->reason.c_str());
    std::printf("TESSERA_VK_DEVICE=<index or part of the name> picks another.\n");
    return 0;
#else
    std::printf("This build has no Vulkan backend (configured with TESSERA_VULKAN=OFF); models run on the CPU.\n");
    return 0;
#endif
}

}  // namespace tessera::cli

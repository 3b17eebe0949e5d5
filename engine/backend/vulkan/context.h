// Everything needed to run ops on one Vulkan device: instance, the chosen device, its
// pipelines and the kernels. One per process and device; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/vulkan/device.h"
#include "backend/vulkan/device_choice.h"
#include "backend/vulkan/device_info.h"
#include "backend/vulkan/instance.h"
#include "backend/vulkan/kernels.h"
#include "backend/vulkan/pipeline_cache.h"
#include "core/result.h"

namespace tessera::vulkan {

struct ContextOptions {
    std::string device;                        // index or name piece; empty: TESSERA_VK_DEVICE, then the default
    Validation validation = Validation::Off;   // TESSERA_VK_VALIDATION=1 raises it to Required
    uint32_t workgroup_size = 64;
};

class Context {
public:
    static Result<std::unique_ptr<Context>> create(const ContextOptions& options = {});

    Instance& instance() { return *instance_; }
    const Device& device() const { return *device_; }
    const DeviceChoice& choice() const { return choice_; }
    Kernels& kernels() { return *kernels_; }
    PipelineCache& pipelines() { return *pipelines_; }

private:
    Context() = default;
    // Declaration order is destruction order in reverse: pipelines before the device before
    // the instance.
    std::unique_ptr<Instance> instance_;
    std::unique_ptr<Device> device_;
    std::unique_ptr<PipelineCache> pipelines_;
    std::unique_ptr<Kernels> kernels_;
    DeviceChoice choice_;
};

// Why Vulkan cannot run here ("no Vulkan device found ..."), or nullopt when a device is
// there. Tests use it to skip with a message on machines without one.
std::optional<std::string> vulkan_unavailable();

}  // namespace tessera::vulkan

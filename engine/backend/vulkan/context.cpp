#include "backend/vulkan/context.h"

namespace tessera::vulkan {

Result<std::unique_ptr<Context>> Context::create(const ContextOptions& options) {
    const uint32_t wg = options.workgroup_size;
    if (wg == 0 || (wg & (wg - 1)) != 0)
        return Error{"Vulkan workgroup size " + std::to_string(wg) + " is not a power of two"};
    std::unique_ptr<Context> self(new Context());
    auto instance = Instance::create(validation_from_env(options.validation));
    if (!instance) return instance.error();
    self->instance_ = std::move(instance.value());

    auto devices = enumerate_devices(*self->instance_);
    if (!devices) return devices.error();
    auto choice = choose_device(*devices, options.device);
    if (!choice) return choice.error();
    self->choice_ = std::move(choice.value());
    const DeviceInfo& info = (*devices)[self->choice_.position];
    TESSERA_TRY(check_requirements(info, wg));

    auto device = Device::create(info);
    if (!device) return device.error();
    self->device_ = std::move(device.value());
    self->pipelines_ = std::make_unique<PipelineCache>(*self->device_);
    self->kernels_ = std::make_unique<Kernels>(*self->pipelines_, wg, info.caps.max_workgroup_count[0]);
    return self;
}

std::optional<std::string> vulkan_unavailable() {
    auto instance = Instance::create(Validation::Off);
    if (!instance) return instance.error().message;
    auto devices = enumerate_devices(**instance);
    if (!devices) return devices.error().message;
    if (devices->empty()) return "no Vulkan device found (a GPU driver, or mesa-vulkan-drivers for lavapipe, provides one)";
    return std::nullopt;
}

}  // namespace tessera::vulkan

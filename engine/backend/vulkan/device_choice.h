// Which Vulkan device runs the model, and why. In order: an explicit choice (index or a
// piece of the name, from --device vulkan:N or a setting), then TESSERA_VK_DEVICE, then the
// default: a discrete GPU first, then integrated, virtual, and the CPU (lavapipe) last;
// among equals the one with the most device-local memory.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backend/vulkan/device_info.h"
#include "core/result.h"

namespace tessera::vulkan {

struct DeviceChoice {
    size_t position = 0;  // in the list given
    std::string reason;   // "discrete GPU, the fastest kind present", "TESSERA_VK_DEVICE=1"
};

// The default among `devices` (which must not be empty).
DeviceChoice default_device(const std::vector<DeviceInfo>& devices);

// `spec`: a device index ("1") or a case-insensitive piece of its name ("llvmpipe").
// Errors list the devices, so the message is enough to correct the choice.
Result<size_t> find_device(const std::vector<DeviceInfo>& devices, std::string_view spec);

// The full rule above. `explicit_spec` empty: none given.
Result<DeviceChoice> choose_device(const std::vector<DeviceInfo>& devices, std::string_view explicit_spec = {});

}  // namespace tessera::vulkan

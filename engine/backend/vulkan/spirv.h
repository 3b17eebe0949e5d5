// The SPIR-V modules compiled from shaders/*.comp at build time (shaders/embed_spirv.cmake
// generates the definitions). Names are the ones shaders/CMakeLists.txt gives: "rms_norm",
// "mul_mat_q8_0", ...
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tessera::vulkan {

// Empty when no module has that name.
std::span<const uint32_t> spirv(std::string_view name);
std::vector<std::string_view> spirv_names();

}  // namespace tessera::vulkan

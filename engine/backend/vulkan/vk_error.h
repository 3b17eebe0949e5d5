// Vulkan results as engine Errors: "creating the device: VK_ERROR_OUT_OF_DEVICE_MEMORY".
#pragma once

#include <vulkan/vulkan.h>

#include <string>
#include <string_view>

#include "core/result.h"

namespace tessera::vulkan {

const char* vk_result_name(VkResult result);

inline Error vk_error(std::string_view what, VkResult result) {
    return Error{std::string(what) + ": " + vk_result_name(result)};
}

// Returns a Status from a VkResult: success for VK_SUCCESS, the named error otherwise.
inline Status vk_check(VkResult result, std::string_view what) {
    if (result == VK_SUCCESS) return Status::success();
    return vk_error(what, result);
}

}  // namespace tessera::vulkan

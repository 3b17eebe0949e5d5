// The Vulkan instance, with the Khronos validation layer when asked for.
//
// Validation: Off; IfInstalled (tests: on when the layer is there, silently off when not);
// Required (TESSERA_VK_VALIDATION=1: an error naming the missing package otherwise).
// Messages of error severity are kept so a test can fail on them.
#pragma once

#include <vulkan/vulkan.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera::vulkan {

enum class Validation { Off, IfInstalled, Required };

// Validation::Required when TESSERA_VK_VALIDATION=1, `fallback` otherwise.
Validation validation_from_env(Validation fallback);

class Instance {
public:
    static Result<std::unique_ptr<Instance>> create(Validation validation);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    VkInstance handle() const { return instance_; }
    bool validation_enabled() const { return messenger_ != VK_NULL_HANDLE; }
    // Validation errors reported so far (each "[message id] text").
    std::vector<std::string> validation_errors() const;

private:
    Instance() = default;
    static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                     VkDebugUtilsMessageTypeFlagsEXT types,
                                                     const VkDebugUtilsMessengerCallbackDataEXT* data, void* self);

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    mutable std::mutex mutex_;
    std::vector<std::string> errors_;
};

bool validation_layer_installed();

}  // namespace tessera::vulkan

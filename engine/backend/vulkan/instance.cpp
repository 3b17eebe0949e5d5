#include "backend/vulkan/instance.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

}  // namespace

Validation validation_from_env(Validation fallback) {
    const char* env = std::getenv("TESSERA_VK_VALIDATION");
    return env != nullptr && std::strcmp(env, "1") == 0 ? Validation::Required : fallback;
}

bool validation_layer_installed() {
    uint32_t count = 0;
    if (vkEnumerateInstanceLayerProperties(&count, nullptr) != VK_SUCCESS) return false;
    std::vector<VkLayerProperties> layers(count);
    if (vkEnumerateInstanceLayerProperties(&count, layers.data()) != VK_SUCCESS) return false;
    for (const VkLayerProperties& l : layers)
        if (std::strcmp(l.layerName, kValidationLayer) == 0) return true;
    return false;
}

Result<std::unique_ptr<Instance>> Instance::create(Validation validation) {
    bool validate = false;
    if (validation != Validation::Off) {
        validate = validation_layer_installed();
        if (!validate && validation == Validation::Required)
            return Error{"Vulkan validation was asked for (TESSERA_VK_VALIDATION=1) but " + std::string(kValidationLayer) +
                         " is not installed (Debian: apt-get install vulkan-validationlayers)"};
    }

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "tessera";
    app.pEngineName = "tessera";
    app.apiVersion = VK_API_VERSION_1_1;  // Properties2/Features2, subgroup properties, 16-bit storage in core

    std::vector<const char*> layers, extensions;
    if (validate) {
        layers.push_back(kValidationLayer);
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);  // the validation layer provides it
    }
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();

    std::unique_ptr<Instance> self(new Instance());
    TESSERA_TRY(vk_check(vkCreateInstance(&info, nullptr, &self->instance_), "creating the Vulkan instance"));

    if (validate) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(self->instance_, "vkCreateDebugUtilsMessengerEXT"));
        if (create == nullptr) return Error{"the validation layer is installed but provides no debug messenger"};
        VkDebugUtilsMessengerCreateInfoEXT m{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
        m.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT;
        m.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
        m.pfnUserCallback = &Instance::on_message;
        m.pUserData = self.get();
        TESSERA_TRY(vk_check(create(self->instance_, &m, nullptr, &self->messenger_), "creating the validation messenger"));
    }
    return self;
}

Instance::~Instance() {
    if (messenger_ != VK_NULL_HANDLE) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy != nullptr) destroy(instance_, messenger_, nullptr);
    }
    if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

std::vector<std::string> Instance::validation_errors() const {
    std::lock_guard lock(mutex_);
    return errors_;
}

VKAPI_ATTR VkBool32 VKAPI_CALL Instance::on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                    VkDebugUtilsMessageTypeFlagsEXT /*types*/,
                                                    const VkDebugUtilsMessengerCallbackDataEXT* data, void* self) {
    const std::string text = std::string("[") + (data->pMessageIdName ? data->pMessageIdName : "?") + "] " +
                             (data->pMessage ? data->pMessage : "");
    // Warnings go to stderr for whoever is debugging; errors are also kept for tests.
    std::fprintf(stderr, "vulkan validation %s: %s\n",
                 severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT ? "error" : "warning", text.c_str());
    if (severity >= VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) {
        auto* instance = static_cast<Instance*>(self);
        std::lock_guard lock(instance->mutex_);
        instance->errors_.push_back(text);
    }
    return VK_FALSE;
}

}  // namespace tessera::vulkan

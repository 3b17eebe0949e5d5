#include "backend/vulkan/fault_injection.h"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace tessera::vulkan {
namespace {

struct Pending {
    VkResult result = VK_SUCCESS;
    int64_t countdown = 0;  // calls left until it fires; 0: none pending
};

std::mutex g_mutex;
Pending g_faults[2];
bool g_env_read = false;

Pending& slot(FaultSite site) { return g_faults[site == FaultSite::Submit ? 0 : 1]; }

// TESSERA_VK_FAULT, read once under g_mutex; malformed values are ignored (a test-only knob).
void read_env_locked() {
    if (g_env_read) return;
    g_env_read = true;
    const char* v = std::getenv("TESSERA_VK_FAULT");
    if (v == nullptr) return;
    const std::string text(v);
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return;
    const std::string site = text.substr(0, colon);
    const int64_t after = std::strtoll(text.c_str() + colon + 1, nullptr, 10);
    if (after <= 0) return;
    if (site == "submit") slot(FaultSite::Submit) = {VK_ERROR_DEVICE_LOST, after};
    if (site == "alloc") slot(FaultSite::Allocate) = {VK_ERROR_OUT_OF_DEVICE_MEMORY, after};
}

}  // namespace

void inject_fault(FaultSite site, VkResult result, int64_t after) {
    std::lock_guard lock(g_mutex);
    g_env_read = true;  // an explicit injection replaces the environment's
    slot(site) = {result, after};
}

void clear_faults() {
    std::lock_guard lock(g_mutex);
    g_env_read = true;
    g_faults[0] = g_faults[1] = {};
}

VkResult take_fault(FaultSite site) {
    std::lock_guard lock(g_mutex);
    read_env_locked();
    Pending& p = slot(site);
    if (p.countdown <= 0 || --p.countdown > 0) return VK_SUCCESS;
    return p.result;
}

}  // namespace tessera::vulkan

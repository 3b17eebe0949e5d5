// Test-only faults: make a queue submission return VK_ERROR_DEVICE_LOST or a memory
// allocation return VK_ERROR_OUT_OF_DEVICE_MEMORY, so the paths a real GPU takes when it
// resets or runs out of memory mid-generation can be exercised on lavapipe.
//
// In-process tests call inject_fault(); a whole program (the app, tessera-cli) reads
//   TESSERA_VK_FAULT=submit:N     the N-th queue submission from now fails with DEVICE_LOST
//   TESSERA_VK_FAULT=alloc:N      the N-th device memory allocation fails with OUT_OF_DEVICE_MEMORY
// once, when the first submission or allocation happens. Each fault fires once.
#pragma once

#include <vulkan/vulkan.h>

#include <cstdint>

namespace tessera::vulkan {

enum class FaultSite { Submit, Allocate };

// The `after`-th call at `site` from now (1: the next one) returns `result` instead of running.
void inject_fault(FaultSite site, VkResult result, int64_t after = 1);
void clear_faults();
// Called at each site before the real call: VK_SUCCESS, or the injected result when its turn came.
VkResult take_fault(FaultSite site);

}  // namespace tessera::vulkan

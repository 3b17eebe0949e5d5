// Buffers: device-local storage buffers for tensors, and host-visible staging buffers
// (persistently mapped) to move bytes in and out of them.
#pragma once

#include <vulkan/vulkan.h>

#include <cstddef>
#include <span>

#include "backend/vulkan/device.h"
#include "backend/vulkan/handle.h"
#include "core/result.h"

namespace tessera::vulkan {

enum class MemoryKind {
    DeviceLocal,  // tensors: fastest for the GPU, not mapped
    Upload,       // staging, host -> device: host-visible, coherent
    Download,     // staging, device -> host: host-visible, coherent, cached when possible
};

class Buffer {
public:
    // Errors name the size and the device limit it exceeds, so a caller can split the tensor.
    static Result<Buffer> create(const Device& device, uint64_t size, MemoryKind kind);
    Buffer(Buffer&&) noexcept = default;
    Buffer& operator=(Buffer&&) noexcept = default;
    ~Buffer() = default;  // freeing the memory also unmaps it

    VkBuffer handle() const { return buffer_.get(); }
    uint64_t size() const { return size_; }
    std::byte* mapped() const { return mapped_; }  // staging buffers only; nullptr otherwise

private:
    Buffer() = default;
    MemoryHandle memory_;  // declared first: destroyed after the buffer bound to it
    BufferHandle buffer_;
    uint64_t size_ = 0;
    std::byte* mapped_ = nullptr;
};

// Copies bytes into `dst` at `offset` through a staging buffer of at most `chunk` bytes,
// so a tensor streamed from a memory-mapped file never needs a second full copy in RAM.
Status upload(const Device& device, const Buffer& dst, std::span<const std::byte> bytes, uint64_t offset = 0,
              uint64_t chunk = 64ull << 20);
// Copies `out.size()` bytes of `src` from `offset` back into host memory.
Status download(const Device& device, const Buffer& src, std::span<std::byte> out, uint64_t offset = 0,
                uint64_t chunk = 64ull << 20);

}  // namespace tessera::vulkan

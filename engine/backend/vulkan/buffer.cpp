#include "backend/vulkan/buffer.h"

#include <algorithm>
#include <cstring>

#include "backend/vulkan/command_recorder.h"
#include "backend/vulkan/fault_injection.h"
#include "backend/vulkan/vk_error.h"

namespace tessera::vulkan {

Result<Buffer> Buffer::create(const Device& device, uint64_t size, MemoryKind kind) {
    const DeviceInfo& info = device.info();
    const Capabilities& caps = info.caps;
    if (size == 0) return Error{"a Vulkan buffer cannot be empty"};
    // Shaders read bytes through 32-bit words: a partial last word would be out of bounds
    // of the binding (and read as zero under robust access), so sizes round up to words.
    size = (size + 3) & ~uint64_t{3};
    if (caps.max_memory_allocation_size != 0 && size > caps.max_memory_allocation_size)
        return Error{"a buffer of " + format_bytes(size) + " is more than '" + info.name + "' allows in one allocation (" +
                     format_bytes(caps.max_memory_allocation_size) + "); the tensor must be split"};
    if (caps.max_buffer_size != 0 && size > caps.max_buffer_size)
        return Error{"a buffer of " + format_bytes(size) + " is more than '" + info.name + "' allows (" +
                     format_bytes(caps.max_buffer_size) + "); the tensor must be split"};
    // Shaders bind whole buffers, so a buffer is also limited to one binding's range.
    if (size > caps.max_storage_buffer_range)
        return Error{"a buffer of " + format_bytes(size) + " is more than one shader binding on '" + info.name +
                     "' can reach (maxStorageBufferRange " + format_bytes(caps.max_storage_buffer_range) +
                     "); the tensor must be split"};

    Buffer b;
    b.size_ = size;
    VkBufferCreateInfo create{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    create.size = size;
    create.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    create.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    VkBuffer buffer = VK_NULL_HANDLE;
    TESSERA_TRY(vk_check(vkCreateBuffer(device.handle(), &create, nullptr, &buffer), "creating a buffer"));
    b.buffer_ = BufferHandle(device.handle(), buffer);

    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(device.handle(), buffer, &req);
    VkMemoryPropertyFlags required = 0, preferred = 0;
    switch (kind) {
        case MemoryKind::DeviceLocal: preferred = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT; break;
        case MemoryKind::Upload: required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT; break;
        case MemoryKind::Download:
            required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
            preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT;  // reads from uncached memory are slow
            break;
    }
    auto type = device.memory_type(req.memoryTypeBits, required, preferred);
    if (!type) return type.error();

    VkMemoryAllocateInfo alloc{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    alloc.allocationSize = req.size;
    alloc.memoryTypeIndex = *type;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkResult allocated = take_fault(FaultSite::Allocate);
    if (allocated == VK_SUCCESS) allocated = vkAllocateMemory(device.handle(), &alloc, nullptr, &memory);
    TESSERA_TRY(vk_check(allocated, "allocating " + format_bytes(req.size) + " on '" + info.name + "'"));
    b.memory_ = MemoryHandle(device.handle(), memory);
    TESSERA_TRY(vk_check(vkBindBufferMemory(device.handle(), buffer, memory, 0), "binding buffer memory"));

    if (kind != MemoryKind::DeviceLocal) {
        void* mapped = nullptr;
        TESSERA_TRY(vk_check(vkMapMemory(device.handle(), memory, 0, VK_WHOLE_SIZE, 0, &mapped), "mapping a staging buffer"));
        b.mapped_ = static_cast<std::byte*>(mapped);
    }
    return b;
}

namespace {

Status check_range(const Buffer& buffer, uint64_t offset, uint64_t size, const char* what) {
    if (offset > buffer.size() || size > buffer.size() - offset)
        return Error{std::string(what) + " of " + std::to_string(size) + " bytes at offset " + std::to_string(offset) +
                     " runs past the end of a " + std::to_string(buffer.size()) + "-byte buffer"};
    return Status::success();
}

}  // namespace

Status upload(const Device& device, const Buffer& dst, std::span<const std::byte> bytes, uint64_t offset, uint64_t chunk) {
    if (bytes.empty()) return Status::success();
    TESSERA_TRY(check_range(dst, offset, bytes.size(), "an upload"));
    auto staging = Buffer::create(device, std::min<uint64_t>(chunk, bytes.size()), MemoryKind::Upload);
    if (!staging) return staging.error();
    auto rec = CommandRecorder::create(device);
    if (!rec) return rec.error();
    for (uint64_t done = 0; done < bytes.size();) {
        const uint64_t n = std::min<uint64_t>(staging->size(), bytes.size() - done);
        std::memcpy(staging->mapped(), bytes.data() + done, n);
        TESSERA_TRY(rec->begin());
        TESSERA_TRY(rec->copy(*staging, 0, dst, offset + done, n));
        TESSERA_TRY(rec->barrier());
        TESSERA_TRY(rec->submit_and_wait());  // the staging buffer is reused next round
        done += n;
    }
    return Status::success();
}

Status download(const Device& device, const Buffer& src, std::span<std::byte> out, uint64_t offset, uint64_t chunk) {
    if (out.empty()) return Status::success();
    TESSERA_TRY(check_range(src, offset, out.size(), "a download"));
    auto staging = Buffer::create(device, std::min<uint64_t>(chunk, out.size()), MemoryKind::Download);
    if (!staging) return staging.error();
    auto rec = CommandRecorder::create(device);
    if (!rec) return rec.error();
    for (uint64_t done = 0; done < out.size();) {
        const uint64_t n = std::min<uint64_t>(staging->size(), out.size() - done);
        TESSERA_TRY(rec->begin());
        TESSERA_TRY(rec->barrier());  // earlier shader writes to src, recorded by other command buffers
        TESSERA_TRY(rec->copy(src, offset + done, *staging, 0, n));
        TESSERA_TRY(rec->barrier());  // the copy, made visible to the host
        TESSERA_TRY(rec->submit_and_wait());
        std::memcpy(out.data() + done, staging->mapped(), n);
        done += n;
    }
    return Status::success();
}

}  // namespace tessera::vulkan

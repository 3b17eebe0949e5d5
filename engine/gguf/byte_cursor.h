// Bounds-checked little-endian reads from a byte span. Every read checks the bytes that
// remain first, so no value from the file is trusted before it is known to be inside it.
// A span may be only the first `readable` bytes of a longer file (a header fetched over the
// network): size() and remaining() then describe the whole file, reads stop at the prefix.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>

namespace tessera {

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader and writer assume a little-endian host");

class ByteCursor {
public:
    ByteCursor(const uint8_t* data, uint64_t size) : data_(data), size_(size), readable_(size) {}
    // The first `readable` bytes of a file of `size` bytes (readable <= size).
    ByteCursor(const uint8_t* data, uint64_t readable, uint64_t size)
        : data_(data), size_(size), readable_(readable < size ? readable : size) {}

    uint64_t offset() const { return pos_; }
    uint64_t size() const { return size_; }
    uint64_t remaining() const { return size_ - pos_; }
    // Bytes that can be read from here: remaining() unless only a prefix is in memory.
    uint64_t readable() const { return readable_ - pos_; }
    bool is_prefix() const { return readable_ < size_; }
    const uint8_t* here() const { return data_ + pos_; }

    // Reads a scalar; false (and nothing consumed) when fewer than sizeof(T) bytes remain.
    template <typename T>
    bool read(T& out) {
        static_assert(std::is_trivially_copyable_v<T>);
        if (readable() < sizeof(T)) return false;
        std::memcpy(&out, data_ + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }

    // Consumes n bytes; false when fewer remain.
    bool skip(uint64_t n) {
        if (readable() < n) return false;
        pos_ += n;
        return true;
    }

private:
    const uint8_t* data_;
    uint64_t size_;
    uint64_t readable_;
    uint64_t pos_ = 0;
};

}  // namespace tessera

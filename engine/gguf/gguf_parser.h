// Internal: turns a byte span into a validated GgufFile. Split across gguf_parser.cpp
// (header and metadata) and gguf_tensor_layout.cpp (tensor infos and data placement).
// Every count read from the file is checked against the bytes that remain before anything
// is allocated from it; every failure names the key or tensor and the byte offset.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "gguf/byte_cursor.h"
#include "gguf/gguf_file.h"

namespace tessera {

// Limits on lengths read from the file (above them the file is rejected, not truncated).
inline constexpr uint64_t kMaxKeyBytes = 64 * 1024;            // keys and tensor names
inline constexpr uint64_t kMaxStringBytes = 1024ull * 1024 * 1024;  // string values
inline constexpr uint32_t kMaxTensorDims = 4;
inline constexpr uint64_t kDefaultAlignment = 32;
// name length + 1-byte name + n_dims + one dim + type + offset
inline constexpr uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 8 + 4 + 8;
inline constexpr std::string_view kAlignmentKey = "general.alignment";

// Bytes of one scalar element, 0 for STRING/ARRAY and unknown ids.
uint64_t gguf_scalar_size(GgufValueType type);
bool gguf_value_type_known(uint32_t id);
bool is_valid_utf8(std::string_view s);
// 'name' in single quotes, for error messages.
std::string quoted(std::string_view name);

class GgufParser {
public:
    GgufParser(GgufFile& file, const uint8_t* bytes, uint64_t size)
        : file_(file), cur_(bytes, size) {}
    // Header only: the first `readable` bytes of a file of `size` bytes. Tensor data is placed
    // against `size` but never pointed at (GgufTensorInfo::data stays nullptr).
    GgufParser(GgufFile& file, const uint8_t* bytes, uint64_t readable, uint64_t size)
        : file_(file), cur_(bytes, readable, size), header_only_(true) {}
    Status run();
    // After a failed header-only run: nonzero when the failure was only that the prefix ended
    // before the header did; a prefix of at least this many bytes gets further.
    uint64_t more_bytes_needed() const { return more_needed_; }

private:
    // gguf_parser.cpp
    Status read_header(uint64_t& n_tensors, uint64_t& n_kv);
    Status read_metadata(uint64_t n_kv);
    Status read_name(std::string& out, const std::string& what);
    Status read_string(std::string& out, const std::string& what);
    Status read_value(const std::string& key, GgufValueType type, GgufValue& out);
    Status read_array(const std::string& key, GgufValue& out);
    Status read_alignment();
    // gguf_tensor_layout.cpp
    Status read_tensor_infos(uint64_t n_tensors);
    Status read_tensor_info(uint64_t index, GgufTensorInfo& info);
    Status place_tensors();

    // "the file ends inside <what> (offset X, file is N bytes)"; when only a prefix is in
    // memory, the prefix ended instead (prefix_ends).
    Error truncated(const std::string& what);
    Error truncated_at(const std::string& what, uint64_t offset);
    // Header only: the header needs the bytes up to `end` (past the prefix); nothing is
    // allocated for them until the caller reads them.
    Error prefix_ends(uint64_t end);
    // Header only: false (with prefix_ends) when `count` entries of at least `min_bytes`
    // each cannot fit in the prefix. Counts are checked against the whole file before, so
    // this is what keeps a count from reserving memory for bytes not read yet.
    Status in_prefix(uint64_t count, uint64_t min_bytes);

    GgufFile& file_;
    ByteCursor cur_;
    bool header_only_ = false;
    uint64_t more_needed_ = 0;
};

}  // namespace tessera

// A validated, memory-mapped GGUF file (versions 2 and 3).
//
// Invariants once open() succeeds:
//  1. Every key is unique, non-empty, valid UTF-8; every string and array lies inside the file.
//  2. Every tensor name is unique; its type is known; 1..4 dims, each >= 1; the row length is a
//     multiple of the type's block size; element and byte counts do not overflow.
//  3. Every tensor's data is aligned to `alignment`, lies inside the file, and overlaps no other.
// Nothing is allocated from a count in the file before the count is checked against the bytes
// that remain, so a hostile header cannot make the reader allocate more than the file justifies.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera {

enum class GgufValueType : uint32_t {
    UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6,
    BOOL = 7, STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};

std::string_view gguf_value_type_name(GgufValueType t);

// One metadata value. Arrays hold elements of a single scalar or string type.
struct GgufValue {
    GgufValueType type = GgufValueType::UINT8;
    GgufValueType array_type = GgufValueType::UINT8;  // for ARRAY
    std::variant<uint64_t, int64_t, double, bool, std::string,
                 std::vector<uint64_t>, std::vector<int64_t>, std::vector<double>,
                 std::vector<bool>, std::vector<std::string>> data;

    bool is_array() const { return type == GgufValueType::ARRAY; }
    size_t array_size() const;
};

struct GgufTensorInfo {
    std::string name;
    TensorType type;
    std::vector<int64_t> dims;   // ggml order: dims[0] is the row length (contiguous)
    uint64_t offset = 0;         // relative to the data section
    const uint8_t* data = nullptr;  // into the mapping
    uint64_t n_bytes = 0;

    int64_t n_elements() const;
    int64_t n_rows() const { return n_elements() / dims[0]; }
};

// "[2048, 32000]": tensor dims (ggml order) as error messages show them.
std::string dims_text(const std::vector<int64_t>& dims);

class MappedFile;
class GgufFile;

// What parse_header() made of the first bytes of a file: the header, or how many bytes it
// needs to get further (the prefix ended inside the metadata or the tensor infos).
struct GgufHeaderRead {
    std::unique_ptr<GgufFile> file;  // null while more bytes are needed
    uint64_t more_bytes_needed = 0;  // a prefix of at least this many bytes gets further
};

class GgufFile {
public:
    static Result<std::unique_ptr<GgufFile>> open(const std::string& path);
    // Parses bytes already in memory (the fuzzer and tests); the caller keeps them alive.
    static Result<std::unique_ptr<GgufFile>> parse(const uint8_t* bytes, size_t size,
                                                   std::string display_name = "<memory>");
    // Metadata and tensor infos from the first `prefix_size` bytes of a file of `file_size`
    // bytes (one not downloaded yet), with every check open() makes; tensor data is placed
    // against file_size but never read: each GgufTensorInfo::data is nullptr. Nothing is
    // allocated for bytes outside the prefix: a count or length reaching past it asks for
    // more instead. The caller keeps the bytes alive during the call only.
    static Result<GgufHeaderRead> parse_header(const uint8_t* bytes, size_t prefix_size, uint64_t file_size,
                                               std::string display_name = "<header>");
    ~GgufFile();
    GgufFile(const GgufFile&) = delete;
    GgufFile& operator=(const GgufFile&) = delete;

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    uint64_t alignment() const { return alignment_; }
    uint64_t file_size() const { return size_; }

    // Metadata in file order; find() returns nullptr when absent.
    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
    const GgufValue* find(std::string_view key) const;

    // Typed getters: an error names the key and what was found instead.
    // get_u64/get_i64 accept any integer type whose value fits; get_f64 any number.
    Result<std::string> get_string(std::string_view key) const;
    Result<uint64_t> get_u64(std::string_view key) const;
    Result<int64_t> get_i64(std::string_view key) const;
    Result<double> get_f64(std::string_view key) const;
    Result<bool> get_bool(std::string_view key) const;
    // A per-layer integer: a scalar (every layer the same) or an array of exactly n values.
    Result<std::vector<int64_t>> get_per_layer(std::string_view key, size_t n) const;
    Result<std::vector<std::string>> get_string_array(std::string_view key) const;
    Result<std::vector<double>> get_f64_array(std::string_view key) const;
    Result<std::vector<int64_t>> get_i64_array(std::string_view key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* tensor(std::string_view name) const;

private:
    GgufFile() = default;
    friend class GgufParser;

    std::string path_;
    std::unique_ptr<MappedFile> mapping_;
    const uint8_t* base_ = nullptr;
    uint64_t size_ = 0;
    uint32_t version_ = 0;
    uint64_t alignment_ = 32;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::map<std::string, size_t, std::less<>> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace tessera

#include "gguf/gguf_file.h"

#include <limits>

#include "gguf/gguf_parser.h"
#include "gguf/mapped_file.h"

namespace tessera {

std::string_view gguf_value_type_name(GgufValueType t) {
    switch (t) {
        case GgufValueType::UINT8: return "uint8";
        case GgufValueType::INT8: return "int8";
        case GgufValueType::UINT16: return "uint16";
        case GgufValueType::INT16: return "int16";
        case GgufValueType::UINT32: return "uint32";
        case GgufValueType::INT32: return "int32";
        case GgufValueType::FLOAT32: return "float32";
        case GgufValueType::BOOL: return "bool";
        case GgufValueType::STRING: return "string";
        case GgufValueType::ARRAY: return "array";
        case GgufValueType::UINT64: return "uint64";
        case GgufValueType::INT64: return "int64";
        case GgufValueType::FLOAT64: return "float64";
    }
    return "unknown";
}

size_t GgufValue::array_size() const {
    return std::visit(
        [](const auto& v) -> size_t {
            if constexpr (requires { v.size(); } && !std::is_same_v<std::decay_t<decltype(v)>, std::string>)
                return v.size();
            else
                return 0;
        },
        data);
}

int64_t GgufTensorInfo::n_elements() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;  // the reader checked that this does not overflow
    return n;
}

GgufFile::~GgufFile() = default;

Result<std::unique_ptr<GgufFile>> GgufFile::parse(const uint8_t* bytes, size_t size,
                                                  std::string display_name) {
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->path_ = std::move(display_name);
    file->base_ = bytes;
    file->size_ = size;
    GgufParser parser(*file, bytes, size);
    if (Status s = parser.run(); !s.ok()) return wrap_error(file->path_, s.error());
    return file;
}

Result<GgufHeaderRead> GgufFile::parse_header(const uint8_t* bytes, size_t prefix_size, uint64_t file_size,
                                              std::string display_name) {
    if (prefix_size > file_size)
        return Error{display_name + ": " + std::to_string(prefix_size) + " bytes read of a file said to be " +
                     std::to_string(file_size) + " bytes"};
    std::unique_ptr<GgufFile> file(new GgufFile());
    file->path_ = std::move(display_name);
    file->size_ = file_size;  // base_ stays null: no tensor data is reachable
    GgufParser parser(*file, bytes, prefix_size, file_size);
    if (Status s = parser.run(); !s.ok()) {
        if (parser.more_bytes_needed() > 0) return GgufHeaderRead{nullptr, parser.more_bytes_needed()};
        return wrap_error(file->path_, s.error());
    }
    return GgufHeaderRead{std::move(file), 0};
}

Result<std::unique_ptr<GgufFile>> GgufFile::open(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped.ok()) return mapped.error();  // already names the path and the OS error
    auto mapping = std::make_unique<MappedFile>(std::move(mapped).value());
    auto file = parse(mapping->data(), mapping->size(), path);
    if (!file.ok()) return file.error();
    file.value()->mapping_ = std::move(mapping);
    return file;
}

const GgufValue* GgufFile::find(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kv_[it->second].second;
}

const GgufTensorInfo* GgufFile::tensor(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

}  // namespace tessera

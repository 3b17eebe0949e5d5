#include "gguf/gguf_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "gguf/gguf_parser.h"
#include "gguf/gguf_value_encoder.h"

namespace tessera {

// Where serialized bytes go: memory (to_bytes) or a file (write).
class GgufWriter::Sink {
public:
    virtual ~Sink() = default;
    virtual Status put(const uint8_t* data, size_t n) = 0;
    // Bytes produced by a lazy tensor. The default stages them in a reused buffer.
    virtual Status put_generated(size_t n, const TensorFill& fill) {
        buffer_.resize(n);
        fill(buffer_.data());
        return put(buffer_.data(), n);
    }
    Status put_zeros(size_t n) {
        static constexpr uint8_t kZeros[256] = {};
        while (n > 0) {
            const size_t chunk = n < sizeof kZeros ? n : sizeof kZeros;
            TESSERA_TRY(put(kZeros, chunk));
            n -= chunk;
        }
        return {};
    }

private:
    std::vector<uint8_t> buffer_;
};

namespace {

constexpr uint32_t kGgufMagic = 0x46554747;
constexpr uint32_t kWriteVersion = 3;

class VectorSink final : public GgufWriter::Sink {
public:
    std::vector<uint8_t> bytes;
    Status put(const uint8_t* data, size_t n) override {
        bytes.insert(bytes.end(), data, data + n);
        return {};
    }
    Status put_generated(size_t n, const GgufWriter::TensorFill& fill) override {
        const size_t at = bytes.size();
        bytes.resize(at + n);
        fill(bytes.data() + at);
        return {};
    }
};

class FileSink final : public GgufWriter::Sink {
public:
    FileSink(std::FILE* f, const std::string& path) : file_(f), path_(path) {}
    Status put(const uint8_t* data, size_t n) override {
        if (n > 0 && std::fwrite(data, 1, n, file_) != n)
            return Error{"cannot write '" + path_ + "': " + std::strerror(errno)};
        return {};
    }

private:
    std::FILE* file_;
    const std::string& path_;
};

Status check_name(const std::string& name, const char* what) {
    if (name.empty()) return Error{std::string(what) + " is empty"};
    if (name.size() > kMaxKeyBytes)
        return Error{std::string(what) + " '" + name.substr(0, 64) + "...' is longer than 64 KiB"};
    if (!is_valid_utf8(name)) return Error{std::string(what) + " is not valid UTF-8"};
    return {};
}

GgufValue scalar(GgufValueType type, decltype(GgufValue::data) data) {
    GgufValue v;
    v.type = type;
    v.data = std::move(data);
    return v;
}

GgufValue array(GgufValueType elem, decltype(GgufValue::data) data) {
    GgufValue v;
    v.type = GgufValueType::ARRAY;
    v.array_type = elem;
    v.data = std::move(data);
    return v;
}

}  // namespace

void GgufWriter::set_value(const std::string& key, GgufValue v) {
    for (auto& [k, existing] : kv_)
        if (k == key) {  // keep the first position: metadata stays in insertion order
            existing = std::move(v);
            return;
        }
    kv_.emplace_back(key, std::move(v));
}

void GgufWriter::set_u32(const std::string& key, uint32_t v) { set_value(key, scalar(GgufValueType::UINT32, uint64_t{v})); }
void GgufWriter::set_i32(const std::string& key, int32_t v) { set_value(key, scalar(GgufValueType::INT32, int64_t{v})); }
void GgufWriter::set_u64(const std::string& key, uint64_t v) { set_value(key, scalar(GgufValueType::UINT64, v)); }
void GgufWriter::set_f32(const std::string& key, float v) { set_value(key, scalar(GgufValueType::FLOAT32, double{v})); }
void GgufWriter::set_bool(const std::string& key, bool v) { set_value(key, scalar(GgufValueType::BOOL, v)); }
void GgufWriter::set_string(const std::string& key, const std::string& v) {
    set_value(key, scalar(GgufValueType::STRING, v));
}
void GgufWriter::set_i32_array(const std::string& key, const std::vector<int32_t>& v) {
    set_value(key, array(GgufValueType::INT32, std::vector<int64_t>(v.begin(), v.end())));
}
void GgufWriter::set_f32_array(const std::string& key, const std::vector<float>& v) {
    set_value(key, array(GgufValueType::FLOAT32, std::vector<double>(v.begin(), v.end())));
}
void GgufWriter::set_string_array(const std::string& key, const std::vector<std::string>& v) {
    set_value(key, array(GgufValueType::STRING, v));
}

void GgufWriter::add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                            std::vector<uint8_t> data) {
    tensors_.push_back(PendingTensor{name, type, std::move(dims), std::move(data), {}});
}

void GgufWriter::add_tensor_f32(const std::string& name, std::vector<int64_t> dims,
                                const std::vector<float>& values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(float));
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    add_tensor(name, TensorType::F32, std::move(dims), std::move(bytes));
}

void GgufWriter::add_tensor_lazy(const std::string& name, TensorType type, std::vector<int64_t> dims,
                                 TensorFill fill) {
    tensors_.push_back(PendingTensor{name, type, std::move(dims), {}, std::move(fill)});
}

// Validates everything, then emits header, metadata, tensor infos and data in order.
Status GgufWriter::emit(Sink& sink) const {
    if (alignment_ == 0 || (alignment_ & (alignment_ - 1)) != 0 || alignment_ > UINT32_MAX)
        return Error{"alignment " + std::to_string(alignment_) + " is not a power of two that fits in uint32"};

    std::vector<uint8_t> head;
    append_u32(head, kGgufMagic);
    append_u32(head, kWriteVersion);
    append_u64(head, tensors_.size());
    const bool write_alignment = alignment_ != kDefaultAlignment;
    uint64_t n_kv = kv_.size();
    for (const auto& [key, value] : kv_) {
        if (key != kAlignmentKey) continue;
        if (value.type != GgufValueType::UINT32 || !std::holds_alternative<uint64_t>(value.data) ||
            std::get<uint64_t>(value.data) != alignment_)
            return Error{"key 'general.alignment' disagrees with the writer's alignment " +
                         std::to_string(alignment_) + "; pass the alignment to the constructor instead"};
        --n_kv;  // written from alignment_ below when needed
    }
    append_u64(head, n_kv + (write_alignment ? 1 : 0));
    if (write_alignment) {
        append_string(head, std::string(kAlignmentKey));
        TESSERA_TRY(append_value(head, std::string(kAlignmentKey),
                                 scalar(GgufValueType::UINT32, uint64_t{alignment_})));
    }
    for (const auto& [key, value] : kv_) {
        if (key == kAlignmentKey) continue;
        TESSERA_TRY(check_name(key, "metadata key"));
        append_string(head, key);
        TESSERA_TRY(append_value(head, key, value));
    }

    // Tensor infos; offsets are relative to the data section, each aligned.
    std::set<std::string, std::less<>> names;
    std::vector<uint64_t> sizes;
    uint64_t offset = 0;
    for (const auto& t : tensors_) {
        TESSERA_TRY(check_name(t.name, "tensor name"));
        const std::string what = "tensor '" + t.name + "'";
        if (!names.insert(t.name).second) return Error{"duplicate tensor name '" + t.name + "'"};
        if (t.dims.empty() || t.dims.size() > kMaxTensorDims)
            return Error{what + " has " + std::to_string(t.dims.size()) + " dimensions (1 to 4 allowed)"};
        const auto type_info = tensor_type_info(static_cast<uint32_t>(t.type));
        if (!type_info) return Error{what + " has unknown type id " + std::to_string(static_cast<uint32_t>(t.type))};
        int64_t elements = 1;
        for (int64_t d : t.dims) {
            if (d <= 0) return Error{what + " has a dimension of " + std::to_string(d) + "; each must be >= 1"};
            if (__builtin_mul_overflow(elements, d, &elements)) return Error{what + ": element count overflows"};
        }
        if (t.dims[0] % type_info->block_elems != 0)
            return Error{what + ": row length " + std::to_string(t.dims[0]) + " is not a multiple of the " +
                         std::string(type_info->name) + " block size " + std::to_string(type_info->block_elems)};
        uint64_t n_bytes = 0;
        if (__builtin_mul_overflow(static_cast<uint64_t>(elements / type_info->block_elems),
                                   static_cast<uint64_t>(type_info->block_bytes), &n_bytes))
            return Error{what + ": byte size overflows"};
        if (!t.fill && t.data.size() != n_bytes)
            return Error{what + ": data has " + std::to_string(t.data.size()) + " bytes, expected " +
                         std::to_string(n_bytes)};
        offset = (offset + alignment_ - 1) / alignment_ * alignment_;
        append_string(head, t.name);
        append_u32(head, static_cast<uint32_t>(t.dims.size()));
        for (int64_t d : t.dims) append_u64(head, static_cast<uint64_t>(d));
        append_u32(head, static_cast<uint32_t>(t.type));
        append_u64(head, offset);
        if (__builtin_add_overflow(offset, n_bytes, &offset)) return Error{"total tensor size overflows"};
        sizes.push_back(n_bytes);
    }
    TESSERA_TRY(sink.put(head.data(), head.size()));

    // Data section: padding to the alignment before each tensor, none after the last.
    uint64_t written = head.size();
    for (size_t i = 0; i < tensors_.size(); ++i) {
        const uint64_t padded = (written + alignment_ - 1) / alignment_ * alignment_;
        TESSERA_TRY(sink.put_zeros(static_cast<size_t>(padded - written)));
        if (stop_check_) TESSERA_TRY(stop_check_());
        const auto& t = tensors_[i];
        if (t.fill)
            TESSERA_TRY(sink.put_generated(static_cast<size_t>(sizes[i]), t.fill));
        else
            TESSERA_TRY(sink.put(t.data.data(), t.data.size()));
        written = padded + sizes[i];
    }
    return {};
}

Result<std::vector<uint8_t>> GgufWriter::to_bytes() const {
    VectorSink sink;
    TESSERA_TRY(emit(sink));
    return std::move(sink.bytes);
}

Status GgufWriter::write(const std::string& path) const {
    const std::string partial = path + ".partial";
    std::FILE* f = std::fopen(partial.c_str(), "wb");
    if (!f) return Error{"cannot create '" + partial + "': " + std::strerror(errno)};
    FileSink sink(f, partial);
    Status status = emit(sink);
    if (status.ok() && (std::fflush(f) != 0 || ::fsync(fileno(f)) != 0))
        status = Error{"cannot write '" + partial + "': " + std::strerror(errno)};
    if (std::fclose(f) != 0 && status.ok())
        status = Error{"cannot write '" + partial + "': " + std::strerror(errno)};
    if (status.ok() && std::rename(partial.c_str(), path.c_str()) != 0)
        status = Error{"cannot rename '" + partial + "' to '" + path + "': " + std::strerror(errno)};
    if (!status.ok()) std::remove(partial.c_str());
    return status;
}

}  // namespace tessera

// Writes GGUF version 3 files: metadata in insertion order, tensors aligned. Used by the
// tests to make synthetic models (so the core tests run without ../shared) and by conversion.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"

namespace tessera {

class GgufWriter {
public:
    explicit GgufWriter(uint64_t alignment = 32) : alignment_(alignment) {}

    void set_u32(const std::string& key, uint32_t v);
    void set_i32(const std::string& key, int32_t v);
    void set_u64(const std::string& key, uint64_t v);
    void set_f32(const std::string& key, float v);
    void set_bool(const std::string& key, bool v);
    void set_string(const std::string& key, const std::string& v);
    void set_i32_array(const std::string& key, const std::vector<int32_t>& v);
    void set_f32_array(const std::string& key, const std::vector<float>& v);
    void set_string_array(const std::string& key, const std::vector<std::string>& v);
    // Any value, for tests that need unusual types.
    void set_value(const std::string& key, GgufValue v);

    // dims in ggml order (dims[0] = row length). data must hold exactly the tensor's bytes.
    void add_tensor(const std::string& name, TensorType type, std::vector<int64_t> dims,
                    std::vector<uint8_t> data);
    void add_tensor_f32(const std::string& name, std::vector<int64_t> dims,
                        const std::vector<float>& values);
    // A tensor whose bytes are produced only while writing: `fill` must write exactly the
    // tensor's byte size to dst. write() streams tensor by tensor, so a model far larger
    // than memory can be written (peak memory is about the largest tensor).
    using TensorFill = std::function<void(uint8_t* dst)>;
    void add_tensor_lazy(const std::string& name, TensorType type, std::vector<int64_t> dims,
                         TensorFill fill);

    // Asked before each tensor's bytes are written: an error stops the write there (a fill
    // that failed, or a user who cancelled), instead of writing the rest of a large file.
    using StopCheck = std::function<Status()>;
    void set_stop_check(StopCheck check) { stop_check_ = std::move(check); }

    // Serialized file bytes.
    Result<std::vector<uint8_t>> to_bytes() const;
    // Writes to path + ".partial", then renames it over path, so a failed or interrupted
    // write never leaves a truncated file at `path`.
    Status write(const std::string& path) const;

    class Sink;  // internal (gguf_writer.cpp): where serialized bytes go

private:
    struct PendingTensor {
        std::string name;
        TensorType type;
        std::vector<int64_t> dims;
        std::vector<uint8_t> data;  // used when fill is empty
        TensorFill fill;
    };
    Status emit(Sink& sink) const;
    uint64_t alignment_;
    std::vector<std::pair<std::string, GgufValue>> kv_;
    std::vector<PendingTensor> tensors_;
    StopCheck stop_check_;
};

}  // namespace tessera

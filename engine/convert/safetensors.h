// Hugging Face safetensors files, memory-mapped: an 8-byte little-endian header length, a
// JSON header {name: {dtype, shape, data_offsets}}, then the tensor bytes. Every field is
// checked against the file before a tensor is handed out. A checkpoint folder is one
// model.safetensors or shards listed in model.safetensors.index.json.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "gguf/mapped_file.h"

namespace tessera {

enum class SafetensorsDtype { F32, F16, BF16 };

struct SafetensorsTensor {
    std::string name;
    SafetensorsDtype dtype = SafetensorsDtype::F32;
    std::vector<int64_t> shape;  // as written: [out, in] for a matrix
    std::span<const uint8_t> bytes;
    std::string file;  // which shard holds it, for messages

    int64_t elements() const;
    // Row `row` of a 2-D tensor (or the whole 1-D tensor when row is 0) as f32.
    void read_row(int64_t row, float* out) const;
};

class SafetensorsCheckpoint {
public:
    // folder holds model.safetensors, or model.safetensors.index.json and its shards.
    static Result<std::unique_ptr<SafetensorsCheckpoint>> open(const std::string& folder);
    // One file (used by open and by tests).
    Status add_file(const std::string& path);

    const SafetensorsTensor* find(const std::string& name) const;
    const std::map<std::string, SafetensorsTensor>& tensors() const { return tensors_; }
    uint64_t total_bytes() const;

private:
    std::vector<MappedFile> files_;
    std::map<std::string, SafetensorsTensor> tensors_;
};

}  // namespace tessera

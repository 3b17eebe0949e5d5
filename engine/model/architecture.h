// Architectures register here: one file each (arch_<name>.cpp) and one row in the table in
// architecture.cpp. An architecture turns GGUF metadata into a ModelConfig (hyperparameters
// and the per-layer block plan); tensor binding and the forward pass read only the plan.
#pragma once

#include <string_view>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "model/block_plan.h"

namespace tessera {

struct Architecture {
    std::string_view name;  // general.architecture
    Result<ModelConfig> (*read_config)(const GgufFile& file);
};

// nullptr when the architecture is not supported.
const Architecture* find_architecture(std::string_view name);
std::vector<std::string_view> supported_architectures();

// The hyperparameters and block plan of the file's general.architecture ("unsupported
// architecture X" when there is no reader for it). Reads metadata only: a header read
// without its weights (GgufFile::parse_header) is enough.
Result<ModelConfig> read_model_config(const GgufFile& file);

// Shared by the Llama-family readers: the keys every architecture has ("<arch>.embedding_length"
// and so on), validated (RELIABILITY M16). Per-layer keys are left to the caller.
Result<ModelConfig> read_common_config(const GgufFile& file, std::string_view arch);

// Caps that keep a hostile header from driving allocations.
inline constexpr int64_t kMaxLayers = 1024;
inline constexpr int64_t kMaxEmbedding = 1 << 20;
inline constexpr int64_t kMaxHeads = 4096;
inline constexpr int64_t kMaxVocab = 1 << 24;

}  // namespace tessera

// What the models page shows about a GGUF file before it is loaded for chat: the block plan,
// parameter count, quantization and the bytes its weights take. The file is validated by the
// same reader and tensor checks a load uses (Model::load, weights stay mapped and unread), so
// a file that passes here also loads; a bad one gets the error a load would give.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "model/block_plan.h"

namespace tessera {

class GgufFile;

struct ModelSummary {
    ModelConfig config;
    uint64_t file_size = 0;
    uint64_t weight_bytes = 0;  // every tensor as stored
    int64_t parameter_count = 0;
    std::string quantization;   // "Q4_K_M" from general.file_type, else the type holding most bytes
    int split_count = 1;        // parts of a split model (split.count); weights/parameters are this part's
};

Result<ModelSummary> read_model_summary(const std::string& path);

// The same facts from a header alone (GgufFile::parse_header: a file not downloaded yet):
// the block plan from the metadata, the vocabulary from token_embd.weight's shape (or the
// tokenizer's token list when a split model keeps that tensor in another part), the weights
// from the tensor infos. Tensor shapes are checked when the file is loaded, not here.
Result<ModelSummary> summarize_header(const GgufFile& header);

// "Q4_K_M", "F16": llama.cpp's name for general.file_type, or the tensor type with the most bytes.
std::string quantization_label(const GgufFile& file);

}  // namespace tessera

// GGUF -> GGUF with other tensor types: a plain type (q8_0, q4_0, ..., q6_k) with
// llama.cpp's rule that output.weight gets q6_K, a K-quant mix (q3_k_m, q4_k_m, q5_k_m),
// and a policy file whose rules override both for chosen tensors and layers, e.g. keep the
// embeddings and output at 6 bits as the Nemotron-253B MLX recipe does:
//
//   {"rules": [{"tensors": "token_embd.weight", "type": "q6_k"},
//              {"tensors": "blk.*.ffn_down.weight", "layers": [0, 3], "type": "q8_0"}]}
//
// Norms and rope_freqs stay f32. Streams tensor by tensor; multithreaded per tensor. With an
// importance matrix (`tessera-cli imatrix`, or llama.cpp's) the quantizers weight each column
// by how large the model's inputs to it are on calibration text.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "convert/convert.h"
#include "convert/importance_matrix.h"
#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera {

struct QuantizeRule {
    std::string tensors;  // glob: '*' matches any run of characters
    int64_t first_layer = -1, last_layer = -1;  // inclusive range for blk.N tensors; -1: any
    TensorType type = TensorType::Q8_0;
};

Result<std::vector<QuantizeRule>> parse_quantize_policy(std::string_view json_text);

struct QuantizeOptions {
    TensorType type = TensorType::Q8_0;
    std::string mix;  // "q4_k_m", ...; empty: plain `type`
    std::vector<QuantizeRule> rules;
    int n_threads = 0;
    std::function<void(const ConvertProgress&)> progress;
    // Set from any thread to stop: the run ends with an error saying so, and no output.
    const std::atomic<bool>* cancel = nullptr;
    // Importance-weighted quantization for the matrices that have an entry (the others are
    // quantized as without one); importance_file is recorded in the output's metadata.
    const ImportanceMatrix* importance = nullptr;
    std::string importance_file;
};

// The type each tensor of `in` would get (name -> type), for reports and tests.
Result<std::vector<std::pair<std::string, TensorType>>> plan_quantization(const std::string& in,
                                                                         const QuantizeOptions& options);
Status quantize_model(const std::string& in, const std::string& out, const QuantizeOptions& options);

}  // namespace tessera

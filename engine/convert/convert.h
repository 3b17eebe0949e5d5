// Hugging Face checkpoint folder -> GGUF, tensor by tensor (memory stays about one tensor,
// so a 100 GB checkpoint converts on a 24 GB machine), written to a temporary name and
// renamed at the end: a failed conversion leaves no partial output.
//
// The GGUF follows /work/shared/design/NAS-MODELS.md: per-layer head and width arrays, Q/K
// rows permuted for adjacent-pair RoPE, rope_freqs.weight for llama3 scaling, the
// ffn_linear extension for linear FFNs, and the tokenizer's keys.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera {

struct ConvertProgress {
    int64_t tensors_done = 0, tensors_total = 0;
    uint64_t bytes_done = 0, bytes_total = 0;  // source bytes
    std::string tensor;                        // the tensor being written
};

struct ConvertOptions {
    // Matrices: this type, or the mix's choices ("q4_k_m", ...); norms and rope_freqs stay f32.
    // nullopt: bf16 for a bf16 checkpoint, f16 otherwise (lossless or close to it).
    std::optional<TensorType> type;
    std::string mix;
    int n_threads = 0;  // 0: one per hardware thread
    std::function<void(const ConvertProgress&)> progress;
    // Set from any thread to stop: the run ends with an error saying so, and no output.
    const std::atomic<bool>* cancel = nullptr;
};

Status convert_hf_checkpoint(const std::string& folder, const std::string& out_path, const ConvertOptions& options);

}  // namespace tessera

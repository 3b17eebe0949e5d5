// "Will it fit": the memory a model needs before it is loaded, and where that memory is.
// Computed from the block plan and the tensor sizes in the GGUF header alone, so a 50 GB
// file is judged without reading its weights:
//   weights   the tensors as stored (quantized bytes; matrices stay in that form when loaded)
//   kv cache  f16 K and V for each GQA layer at its own KV-head count (ModelConfig::kv_bytes_per_token)
//   scratch   the f32 activations of one batch, the buffers the Vulkan backend allocates
// An estimate, not a promise: drivers and the process itself take a little more.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gguf/gguf_file.h"
#include "model/block_plan.h"

namespace tessera {

inline constexpr int64_t kEstimateBatch = 64;  // tokens per batch: the Vulkan backend's default

struct MemoryNeeds {
    uint64_t weights = 0;
    uint64_t kv_cache = 0;
    uint64_t scratch = 0;
    uint64_t total() const { return weights + kv_cache + scratch; }
};

// Bytes of every tensor in the file as stored.
uint64_t tensor_bytes(const GgufFile& file);
// f32 element counts of the scratch buffers for a batch of nb tokens, in the order the Vulkan
// backend allocates them: ids, rope cos/sin, x, h, q, k, v, attention output, gate, up, tmp,
// attention scores over n_ctx, logits, and the rounded input of a product. The backend
// allocates from this list, so the estimate and the allocation cannot drift apart.
std::vector<uint64_t> batch_scratch_floats(const ModelConfig& config, int64_t nb, int64_t n_ctx);
// Activations of a batch of min(n_batch, n_ctx) tokens, attention scores over n_ctx included.
uint64_t scratch_bytes(const ModelConfig& config, int64_t n_ctx, int64_t n_batch = kEstimateBatch);
MemoryNeeds estimate_memory(const ModelConfig& config, uint64_t weight_bytes, int64_t n_ctx,
                            int64_t n_batch = kEstimateBatch);

// One place a model can live: this machine's RAM or one GPU's device-local memory.
struct MemoryPool {
    std::string name;        // "RAM", "NVIDIA GeForce RTX 4090"
    bool gpu = false;
    uint64_t total = 0;      // what the pool has
    uint64_t available = 0;  // what is free for a new model now
};

enum class FitKind {
    Gpu,     // on one GPU, now
    Ram,     // in RAM (the CPU backend), now
    Split,   // only across RAM and GPUs together (partial offload)
    NotNow,  // the machine has enough, but not free now: other programs hold it
    TooBig,  // more than this whole machine has: a server (remote endpoint) is needed
};

struct FitVerdict {
    FitKind kind = FitKind::TooBig;
    std::string where;   // the pool for Gpu / Ram, empty otherwise
    std::string reason;  // a sentence for people: "needs 5.2 GiB; 'RTX 4090' has 21.8 GiB free"
};

// GPUs are preferred in the order given, then RAM, then all pools together.
FitVerdict judge_fit(uint64_t needed, const std::vector<MemoryPool>& pools);

// "1.50 GiB", "512 MiB", "800 B": sizes for people.
std::string human_bytes(uint64_t bytes);

}  // namespace tessera

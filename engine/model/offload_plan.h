// Partial offload: which layers go on the GPU when the whole model does not fit its budget.
//
// The rule (README.md says it too): every layer has a cost in device bytes
// (its weights, norms and KV cache) and a benefit, the work it does per token (multiply-adds
// of its matrices, of attention over the full context, and of its norms). Layers are taken
// in order of benefit per byte, largest first; equal ratios take the smaller layer first,
// then the lower index. The automatic plan walks that order and keeps every layer that
// still fits next to the always-GPU part (embedding, output, scratch); one that does not
// fit is left on the CPU and smaller ones after it may still be taken. An explicit count
// takes the first N of the same order. Empty layers (no-op attention and FFN) cost nothing,
// do nothing, and are counted by neither: they run wherever their neighbours run.
//
// NAS block plans make this matter: a linear-attention layer or a GQA layer with one KV
// head is cheap to keep on the GPU, a wide FFN is expensive.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera {

struct LayerCost {
    uint64_t bytes = 0;  // on the device: weights, norms, KV cache
    uint64_t work = 0;   // multiply-adds per token
    bool empty() const { return bytes == 0 && work == 0; }
};

struct OffloadPlan {
    std::vector<bool> on_gpu;     // per layer; empty layers are marked true and count for nothing
    uint64_t layer_bytes = 0;     // the GPU layers' bytes, next to the always-GPU part
    int64_t gpu_layers = 0;       // non-empty layers on the GPU
    int64_t counted_layers = 0;   // non-empty layers in all
    bool whole() const { return gpu_layers == counted_layers; }
};

// The non-empty layers, best benefit per byte first (the rule above).
std::vector<size_t> offload_order(const std::vector<LayerCost>& layers);

// fixed: bytes that are on the GPU whatever the split; budget: the bytes available.
// gpu_layers: nullopt for the automatic plan, or the count of non-empty layers wanted (more
// than there are means all). Errors read "needs X, Y available" when the fixed part, or the
// layers asked for, exceed the budget.
Result<OffloadPlan> plan_offload(uint64_t fixed, const std::vector<LayerCost>& layers, uint64_t budget,
                                 std::optional<int64_t> gpu_layers);

}  // namespace tessera

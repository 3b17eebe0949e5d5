#include "model/offload_plan.h"

#include <algorithm>

#include "model/memory_estimate.h"

namespace tessera {
namespace {
// Products of two 64-bit counts, exact (__extension__: GCC and Clang have it; pedantic ISO C++ does not).
__extension__ typedef unsigned __int128 Wide;
}  // namespace

std::vector<size_t> offload_order(const std::vector<LayerCost>& layers) {
    std::vector<size_t> order;
    for (size_t l = 0; l < layers.size(); ++l)
        if (!layers[l].empty()) order.push_back(l);
    // work_a / bytes_a > work_b / bytes_b, compared exactly by cross-multiplying; a layer
    // with work but no bytes has an infinite ratio and goes first.
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        const LayerCost &x = layers[a], &y = layers[b];
        const auto lhs = static_cast<Wide>(x.work) * y.bytes;
        const auto rhs = static_cast<Wide>(y.work) * x.bytes;
        if (lhs != rhs) return lhs > rhs;
        return x.bytes < y.bytes;  // stable: then the lower index
    });
    return order;
}

Result<OffloadPlan> plan_offload(uint64_t fixed, const std::vector<LayerCost>& layers, uint64_t budget,
                                 std::optional<int64_t> gpu_layers) {
    OffloadPlan plan;
    plan.on_gpu.assign(layers.size(), false);
    for (size_t l = 0; l < layers.size(); ++l) plan.on_gpu[l] = layers[l].empty();
    const std::vector<size_t> order = offload_order(layers);
    plan.counted_layers = static_cast<int64_t>(order.size());
    auto needs = [&](uint64_t bytes, const std::string& what) {
        return Error{"needs " + human_bytes(bytes) + " of GPU memory (" + what + "), " + human_bytes(budget) + " available"};
    };
    if (fixed > budget)
        return needs(fixed, "the embedding, output and scratch, with every layer on the CPU");

    if (gpu_layers) {
        const auto count = static_cast<size_t>(std::clamp<int64_t>(*gpu_layers, 0, plan.counted_layers));
        for (size_t i = 0; i < count; ++i) {
            plan.on_gpu[order[i]] = true;
            plan.layer_bytes += layers[order[i]].bytes;
        }
        plan.gpu_layers = static_cast<int64_t>(count);
        if (fixed + plan.layer_bytes > budget)
            return needs(fixed + plan.layer_bytes, std::to_string(count) + " of " + std::to_string(plan.counted_layers) +
                                                       " layers on the GPU; ask for fewer, or none");
        return plan;
    }
    for (size_t l : order) {
        if (fixed + plan.layer_bytes + layers[l].bytes > budget) continue;  // a smaller one may still fit
        plan.on_gpu[l] = true;
        plan.layer_bytes += layers[l].bytes;
        ++plan.gpu_layers;
    }
    return plan;
}

}  // namespace tessera

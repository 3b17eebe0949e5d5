#include "model/memory_estimate.h"

#include <algorithm>
#include <cstdio>

namespace tessera {

uint64_t tensor_bytes(const GgufFile& file) {
    uint64_t bytes = 0;
    for (const auto& t : file.tensors()) bytes += t.n_bytes;
    return bytes;
}

namespace {

int64_t max_query_dim(const ModelConfig& c) {
    int64_t q = c.n_head * c.head_dim;
    for (const LayerPlan& p : c.layers) q = std::max(q, p.n_head * c.head_dim);
    return q;
}

int64_t max_heads(const ModelConfig& c) {
    int64_t h = c.n_head;
    for (const LayerPlan& p : c.layers) h = std::max(h, p.n_head);
    return h;
}

}  // namespace

std::vector<uint64_t> batch_scratch_floats(const ModelConfig& c, int64_t nb, int64_t n_ctx) {
    const auto n = static_cast<uint64_t>(nb);
    const auto H = static_cast<uint64_t>(c.n_embd), qd = static_cast<uint64_t>(max_query_dim(c));
    const auto kv = static_cast<uint64_t>(std::max<int64_t>(c.max_kv_dim(), 1));
    const auto ffn = static_cast<uint64_t>(std::max<int64_t>(c.max_ffn_width(), 1));
    return {n, n * static_cast<uint64_t>(c.head_dim), n * H, n * H, n * qd, n * kv, n * kv, n * qd, n * ffn, n * ffn,
            n * H, n * static_cast<uint64_t>(max_heads(c)) * static_cast<uint64_t>(n_ctx), n * static_cast<uint64_t>(c.n_vocab),
            n * std::max({H, qd, ffn})};
}

uint64_t scratch_bytes(const ModelConfig& c, int64_t n_ctx, int64_t n_batch) {
    uint64_t bytes = 0;
    // An empty buffer is still allocated with one element.
    for (uint64_t n : batch_scratch_floats(c, std::max<int64_t>(std::min(n_batch, n_ctx), 1), n_ctx))
        bytes += std::max<uint64_t>(n, 1) * sizeof(float);
    return bytes;
}

MemoryNeeds estimate_memory(const ModelConfig& config, uint64_t weight_bytes, int64_t n_ctx, int64_t n_batch) {
    MemoryNeeds needs;
    needs.weights = weight_bytes;
    needs.kv_cache = static_cast<uint64_t>(config.kv_bytes_per_token()) * static_cast<uint64_t>(std::max<int64_t>(n_ctx, 0));
    needs.scratch = scratch_bytes(config, n_ctx, n_batch);
    return needs;
}

FitVerdict judge_fit(uint64_t needed, const std::vector<MemoryPool>& pools) {
    const std::string need = "Needs " + human_bytes(needed);
    for (const auto& p : pools)
        if (p.gpu && p.available >= needed)
            return {FitKind::Gpu, p.name, need + "; " + p.name + " has " + human_bytes(p.available) + " free"};
    for (const auto& p : pools)
        if (!p.gpu && p.available >= needed)
            return {FitKind::Ram, p.name, need + "; RAM has " + human_bytes(p.available) + " free"};
    uint64_t available = 0, total = 0;
    for (const auto& p : pools) {
        available += p.available;
        total += p.total;
    }
    if (available >= needed)
        return {FitKind::Split, "", need + ": more than any one device has free, but RAM and GPU memory together (" +
                                        human_bytes(available) + " free) hold it, with layers split between them"};
    if (total >= needed)
        return {FitKind::NotNow, "", need + " and only " + human_bytes(available) + " is free now (of " +
                                         human_bytes(total) + "): closing other programs may make room"};
    return {FitKind::TooBig, "", need + ", more than this machine has in all (" + human_bytes(total) +
                                     "): run it on a server and connect to it as a remote model"};
}

std::string human_bytes(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
    return buf;
}

}  // namespace tessera

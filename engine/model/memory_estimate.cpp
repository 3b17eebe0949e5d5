#include "model/memory_estimate.h"

#include <algorithm>
#include <cstdio>

namespace tessera {

uint64_t tensor_bytes(const GgufFile& file) {
    uint64_t bytes = 0;
    for (const auto& t : file.tensors()) bytes += t.n_bytes;
    return bytes;
}

uint64_t scratch_bytes(const ModelConfig& c, int64_t n_ctx, int64_t n_batch) {
    const auto nb = static_cast<uint64_t>(std::max<int64_t>(std::min(n_batch, n_ctx), 1));
    const auto H = static_cast<uint64_t>(c.n_embd), hd = static_cast<uint64_t>(c.head_dim);
    const uint64_t qd = static_cast<uint64_t>(c.n_head) * hd;  // n_head is the largest layer's
    const auto kv = static_cast<uint64_t>(c.max_kv_dim()), ffn = static_cast<uint64_t>(c.max_ffn_width());
    const auto scores = static_cast<uint64_t>(c.n_head) * static_cast<uint64_t>(n_ctx);
    // Per token, as the Vulkan backend allocates: ids, rope cos/sin, x, h, q, k, v, attention
    // output, gate, up, tmp, scores, logits, and the rounded input of a product.
    const uint64_t per_token = 1 + hd + H + H + qd + kv + kv + qd + ffn + ffn + H + scores +
                               static_cast<uint64_t>(c.n_vocab) + std::max({H, qd, ffn});
    return nb * per_token * sizeof(float);
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

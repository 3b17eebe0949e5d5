#include "backend/cpu/kv_cache.h"

#include <new>
#include <string>

namespace tessera::cpu {

Result<KvCache> KvCache::create(const ModelConfig& config, int64_t n_ctx, const std::vector<bool>& only) {
    if (n_ctx <= 0) return Error{"context length must be positive"};
    KvCache cache;
    cache.n_ctx_ = n_ctx;
    cache.layers_.resize(config.layers.size());
    for (size_t l = 0; l < config.layers.size(); ++l) {
        const LayerPlan& plan = config.layers[l];
        if (plan.attention != AttentionKind::Gqa || (!only.empty() && !only[l])) continue;
        Layer& layer = cache.layers_[l];
        layer.row = plan.n_head_kv * config.head_dim;
        const size_t n = static_cast<size_t>(layer.row * n_ctx);
        // Default-initialized arrays: large ones come from fresh mappings and stay
        // non-resident until the context actually reaches them.
        layer.k.reset(new (std::nothrow) uint16_t[n]);
        layer.v.reset(new (std::nothrow) uint16_t[n]);
        if (!layer.k || !layer.v)
            return Error{"cannot allocate the KV cache for " + std::to_string(n_ctx) + " tokens of context (" +
                         std::to_string(config.kv_bytes_per_token() * n_ctx >> 20) + " MiB)"};
        cache.bytes_ += 2 * n * sizeof(uint16_t);
    }
    return cache;
}

}  // namespace tessera::cpu

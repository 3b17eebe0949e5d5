// The CPU KV cache: K and V in f16, allocated per GQA layer at that layer's KV-head count.
// Linear and no-op attention layers own nothing.
//
// Invariants:
//  1. For a GQA layer l, k(l, p) and v(l, p) address n_head_kv(l) * head_dim values for every
//     position p < n_ctx; other layers have no storage and must not be addressed.
//  2. Positions [0, n_filled) hold the keys and values of the tokens evaluated so far;
//     the forward pass writes position p before any query at p reads it.
//  3. Memory is reserved, not touched, at creation: pages become resident as the context fills.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/result.h"
#include "model/block_plan.h"

namespace tessera::cpu {

class KvCache {
public:
    // only: the layers this cache serves (a split evaluator's CPU part); empty: every layer.
    static Result<KvCache> create(const ModelConfig& config, int64_t n_ctx, const std::vector<bool>& only = {});

    int64_t n_ctx() const { return n_ctx_; }
    int64_t n_filled() const { return n_filled_; }
    void set_filled(int64_t n) { n_filled_ = n; }
    int64_t row_size(size_t layer) const { return layers_[layer].row; }
    uint16_t* k(size_t layer, int64_t pos) { return layers_[layer].k.get() + pos * layers_[layer].row; }
    uint16_t* v(size_t layer, int64_t pos) { return layers_[layer].v.get() + pos * layers_[layer].row; }
    size_t bytes() const { return bytes_; }

private:
    struct Layer {
        int64_t row = 0;  // n_head_kv * head_dim values per position
        std::unique_ptr<uint16_t[]> k, v;
    };
    int64_t n_ctx_ = 0;
    int64_t n_filled_ = 0;
    size_t bytes_ = 0;
    std::vector<Layer> layers_;
};

}  // namespace tessera::cpu

// What a session needs from a backend (CPU now, Vulkan next): evaluate tokens at the end
// of the KV cache, forget a suffix of it, and say how large it is.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "sampling/candidates.h"

namespace tessera {

class Evaluator {
public:
    virtual ~Evaluator() = default;
    // Evaluates tokens at positions n_past() .. n_past()+n-1 and appends them to the KV cache.
    // For each index i in logit_rows (positions within `tokens`), writes n_vocab logits to
    // logits + j * n_vocab (j = order in logit_rows).
    virtual Status eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) = 0;
    virtual int64_t n_past() const = 0;
    // Forgets positions from n onward (n <= n_past()); the next eval continues at n.
    virtual void truncate(int64_t n) = 0;
    virtual int64_t n_ctx() const = 0;
    // Largest number of tokens computed together: callers that want to stay responsive
    // (cancellation between prefill chunks) feed at most this many per call.
    virtual int64_t n_batch() const = 0;
    // As eval() with one logit row, but returns that row's greedy choice (the first largest
    // logit) instead of its logits: a GPU backend then reads back one id, not n_vocab
    // floats. The default evaluates into `scratch` (n_vocab floats) and picks on the CPU.
    virtual Result<int32_t> eval_greedy(std::span<const int32_t> tokens, int64_t logit_row, std::span<float> scratch);
    // As eval() with one logit row, but gives only that row's k most likely tokens, in the
    // sampler's order (larger logit first, equal ones by id; sampling/candidates.h): a GPU
    // backend reads back k pairs, not n_vocab floats. The default evaluates into `scratch`
    // (n_vocab floats) and selects on the CPU.
    virtual Status eval_top_k(std::span<const int32_t> tokens, int64_t logit_row, int32_t k, std::vector<Candidate>& out,
                              std::span<float> scratch);
    // True once an eval failed in the device itself (the GPU lost, or out of its memory), not
    // because of its input: the caller should load the model again, the CPU backend does
    // not share the fault. A CPU evaluator never sets it.
    virtual bool device_failed() const { return false; }
};

}  // namespace tessera

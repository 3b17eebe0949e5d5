// The CPU forward pass over a model's block plan. No-op sub-blocks cost nothing; GQA layers
// read and append their own KV cache; a batch of tokens is processed as matrix-matrix
// products (prefill), one token as matrix-vector products (decode).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backend/cpu/kv_cache.h"
#include "backend/evaluator.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/ops.h"
#include "backend/cpu/thread_pool.h"
#include "core/result.h"
#include "model/model.h"

namespace tessera::cpu {

struct ForwardOptions {
    int64_t n_ctx = 4096;    // KV cache capacity in tokens
    int n_threads = 0;       // 0: one per hardware thread
    int64_t n_batch = 256;   // largest number of tokens computed together (scratch grows with it)
    std::optional<Isa> isa;  // default: best_isa()
    // The layers this evaluator runs through eval_layers() (the CPU part of a split model):
    // only they get a KV cache. Empty: every layer.
    std::vector<bool> layers;
};

// Sees named intermediate results, e.g. "blk.3.attn_out" (n_tokens x width, row-major), so a
// run can be dumped and compared with a reference layer by layer.
using TensorObserver = std::function<void(const std::string& name, const float* data, int64_t n_tokens, int64_t width)>;
// Sees the input of every matrix product: n_tokens rows of w.cols floats (gathering an
// importance matrix for quantization).
using MatrixInputObserver = std::function<void(const Matrix& w, const float* x, int64_t n_tokens)>;

class CpuForward final : public Evaluator {
public:
    static Result<std::unique_ptr<CpuForward>> create(const Model& model, const ForwardOptions& options);

    Status eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) override;
    // Runs layers [first, last) on the hidden state x (n rows of n_embd, updated in place) of
    // tokens at positions pos .. pos+n-1, writing those layers' KV cache: the CPU part of a
    // model split across devices. n is at most n_batch().
    Status eval_layers(size_t first, size_t last, float* x, int64_t n, int64_t pos);
    int64_t n_past() const override { return cache_.n_filled(); }
    void truncate(int64_t n) override;
    int64_t n_ctx() const override { return cache_.n_ctx(); }
    int64_t n_batch() const override { return n_batch_; }
    size_t kv_cache_bytes() const { return cache_.bytes(); }
    Isa isa() const { return isa_; }
    int n_threads() const { return pool_.size(); }
    void set_observer(TensorObserver observer) { observer_ = std::move(observer); }
    void set_matrix_input_observer(MatrixInputObserver observer) { input_observer_ = std::move(observer); }

private:
    CpuForward(const Model& model, KvCache cache, int n_threads, Isa isa, int64_t n_batch);
    Status eval_batch(std::span<const int32_t> tokens, int64_t pos, std::span<const int64_t> logit_rows, float* logits);
    // Layer l on x_ (n rows at positions pos..); cos_sin_ holds their rotations.
    void run_layer(size_t l, int64_t n, int64_t pos);

    // y[t][0..w.rows) = w * x[t] for t < n, x rows of w.cols floats.
    void linear(const Matrix& w, const float* x, int64_t n, float* y);
    // Several matrices applied to the same input (q/k/v, gate/up), one dispatch.
    void linear_multi(std::span<const Matrix* const> ws, const float* x, int64_t n, std::span<float* const> ys);
    void rms_norm_rows(const float* x, const std::vector<float>& weight, int64_t n, float* y);
    void attention(size_t layer, int64_t n, int64_t pos);
    void observe(const std::string& name, const float* data, int64_t n, int64_t width) const;

    const Model& model_;
    const ModelConfig& config_;
    KvCache cache_;
    ThreadPool pool_;
    Isa isa_;
    int64_t n_batch_;
    RopeFrequencies rope_;
    TensorObserver observer_;
    MatrixInputObserver input_observer_;
    std::vector<bool> held_;   // ForwardOptions::layers
    bool every_layer_ = true;  // false for a split model's CPU part: eval_layers() only

    // Scratch, sized for n_batch tokens.
    std::vector<float> x_, h_, q_, k_, v_, attn_, gate_, up_, tmp_, cos_sin_;
    std::vector<uint8_t> act_;
    std::vector<std::vector<float>> scores_;  // per thread: n_ctx scores, then one head of Q
};

}  // namespace tessera::cpu

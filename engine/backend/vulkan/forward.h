// The Vulkan forward pass over a model's block plan, the same computation as
// cpu::CpuForward: weights uploaded once, an f16 KV cache per GQA layer on the device, and
// each batch recorded into one command buffer with barriers only between dependent ops.
// No-op sub-blocks record nothing and own no buffers.
//
// When the model does not fit the device's budget, some layers run on the CPU backend's
// kernels (partial offload, model/offload_plan.h): the embedding, the output and the scratch
// stay on the GPU, and at each run of CPU layers the batch's hidden state is read back, the
// CPU layers update it, and it is written again. The host waits for each batch. A matrix
// larger than one binding range or allocation is split by rows into several buffers
// (Nemotron Ultra's FFN matrices exceed 4 GiB; lavapipe binds 128 MiB).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "backend/cpu/forward.h"
#include "backend/cpu/ops.h"
#include "backend/evaluator.h"
#include "backend/vulkan/buffer.h"
#include "backend/vulkan/context.h"
#include "core/progress.h"
#include "core/result.h"
#include "model/model.h"
#include "model/offload_plan.h"

namespace tessera::vulkan {

struct ForwardOptions {
    int64_t n_ctx = 4096;  // KV cache capacity in tokens
    int64_t n_batch = 64;  // most tokens recorded into one submission (scratch grows with it)
    // Largest buffer of one matrix slice; 0: the device's binding range and allocation limit.
    // Tests set a small one to split small models.
    uint64_t max_tensor_bytes = 0;
    // Bytes of the weight matrices uploaded out of their total, after each slice.
    ProgressCallback upload_progress;
    // Layers on the GPU, counted as model/offload_plan.h counts them (empty layers are not):
    // nullopt for as many as the budget holds, best benefit per byte first.
    std::optional<int64_t> gpu_layers;
    // Device bytes this model may use; 0: TESSERA_VK_BUDGET (bytes) when set, else the
    // device's budget. Tests make lavapipe split a small model with it.
    uint64_t budget_bytes = 0;
    int cpu_threads = 0;  // threads for the layers on the CPU; 0: one per hardware thread
};

class VulkanForward final : public Evaluator {
public:
    // Errors before uploading anything when even the always-GPU part (embedding, output,
    // scratch), or the layers asked for, exceed the budget ("needs X GiB of GPU memory (...),
    // Y GiB available").
    static Result<std::unique_ptr<VulkanForward>> create(const Model& model, Context& context,
                                                         const ForwardOptions& options);

    // As CpuForward::eval: tokens at positions n_past() .. n_past()+n-1; for each index in
    // logit_rows, n_vocab logits at logits + j * n_vocab.
    Status eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) override;
    // The greedy choice picked on the GPU (the argmax shader): 4 bytes read back per token.
    Result<int32_t> eval_greedy(std::span<const int32_t> tokens, int64_t logit_row, std::span<float> scratch) override;
    // The k most likely tokens selected on the GPU (the top_k shader): 8k bytes read back.
    Status eval_top_k(std::span<const int32_t> tokens, int64_t logit_row, int32_t k, std::vector<Candidate>& out,
                      std::span<float> scratch) override;
    int64_t n_past() const override { return n_past_; }
    void truncate(int64_t n) override;
    int64_t n_ctx() const override { return n_ctx_; }
    int64_t n_batch() const override { return n_batch_; }
    bool device_failed() const override { return device_failed_; }
    uint64_t device_bytes() const { return device_bytes_; }  // weights + KV cache + scratch
    const OffloadPlan& plan() const { return plan_; }        // which layers are on the GPU
    // Runs of consecutive CPU layers: each costs a read-back and a write of the hidden state.
    int64_t cpu_runs() const;

private:
    struct Slice {
        int64_t row0 = 0, rows = 0;
        Buffer buffer;
    };
    struct GpuMatrix {
        TensorType type = TensorType::F32;
        int64_t rows = 0, cols = 0;
        std::vector<Slice> slices;  // consecutive rows; none when the model has no such matrix
    };
    struct GpuLayer {
        std::optional<Buffer> attn_norm, ffn_norm, k_cache, v_cache;
        GpuMatrix q, k, v, o, gate, up, down, ffn_linear;
    };

    VulkanForward(const Model& model, Context& context, int64_t n_ctx, int64_t n_batch, uint64_t max_slice)
        : model_(model), ctx_(context), n_ctx_(n_ctx), n_batch_(n_batch), max_slice_(max_slice) {}
    Status upload_weights();
    Status allocate_scratch();
    // What comes back for each logit row: n_vocab logits, the greedy id, or the top k.
    struct Readback {
        float* logits = nullptr;     // n_vocab floats per logit row
        uint32_t* greedy = nullptr;  // one id per logit row
        Candidate* top = nullptr;    // top_k candidates per logit row, most likely first
        int32_t top_k = 0;
    };
    Status run(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, const Readback& out);
    Status eval_batch(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, const Readback& out);
    Status record_layer(CommandRecorder& rec, size_t l, int64_t n, int64_t pos);
    // Runs layers [first, last) on the CPU: submits what is recorded, reads the hidden state
    // back, updates it there, writes it again and begins recording anew.
    Status run_on_cpu(CommandRecorder& rec, size_t first, size_t last, int64_t n, int64_t pos);
    size_t cpu_run_end(size_t first) const;  // one past the CPU run that starts at `first`
    struct Product {
        const GpuMatrix& w;
        const Buffer& y;
    };
    // y = W x for each product over the same n rows of x. x is first rounded as the CPU
    // rounds activations for each weight's dot type (8-bit grids, f16, bf16), once per type.
    Status linear(CommandRecorder& rec, const Buffer& x, int64_t n, std::initializer_list<Product> products);
    Result<GpuMatrix> upload_matrix(const Matrix& m);
    Result<Buffer> upload_floats(const std::vector<float>& v);

    const Model& model_;
    Context& ctx_;
    int64_t n_ctx_, n_batch_;
    uint64_t max_slice_;  // bytes of the largest matrix slice
    ProgressCounter uploaded_{nullptr, 0};  // weight matrix bytes, for ForwardOptions::upload_progress
    int64_t n_past_ = 0;
    uint64_t device_bytes_ = 0;
    bool device_failed_ = false;
    OffloadPlan plan_;
    std::unique_ptr<cpu::CpuForward> cpu_;  // the layers off the GPU; null when all are on it
    std::vector<float> host_x_;             // the hidden state while CPU layers run
    std::optional<cpu::RopeFrequencies> rope_;

    GpuMatrix embd_, output_;  // output_ has no buffer when tied: the embedding serves
    std::optional<Buffer> output_norm_;
    std::vector<GpuLayer> layers_;
    // Scratch for n_batch tokens.
    std::optional<Buffer> ids_, cos_sin_, x_, h_, q_, k_, v_, attn_, gate_, up_, tmp_, scores_, logits_;
    std::optional<Buffer> xq_;  // the input of a product, rounded to the weights' dot type
};

// Bytes VulkanForward needs on the device for the whole of `model` (weights, KV cache,
// scratch): what model/memory_estimate.h promises, to the byte.
uint64_t vulkan_forward_bytes(const Model& model, const ForwardOptions& options);
// The part that is on the GPU whatever the split: embedding, output and its norm, scratch.
uint64_t vulkan_fixed_bytes(const Model& model, const ForwardOptions& options);
// Each layer's device bytes (weights, norms, KV cache) and work per token, for the plan.
std::vector<LayerCost> vulkan_layer_costs(const Model& model, const ForwardOptions& options);
// The budget create() plans against: options.budget_bytes, TESSERA_VK_BUDGET, or the device's.
Result<uint64_t> vulkan_budget(const DeviceInfo& info, const ForwardOptions& options);

}  // namespace tessera::vulkan

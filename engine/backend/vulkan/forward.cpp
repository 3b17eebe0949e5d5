#include "backend/vulkan/forward.h"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string>

#include "model/memory_estimate.h"

namespace tessera::vulkan {
namespace {

constexpr uint64_t kF32 = sizeof(float);

bool does_nothing(const LayerPlan& p) { return p.attention == AttentionKind::None && p.ffn == FfnKind::None; }

uint64_t matrix_bytes(const Matrix& m) { return m.present() ? (m.row_bytes * static_cast<uint64_t>(m.rows) + 3) & ~uint64_t{3} : 0; }

// What upload_weights uploads as matrices (the progress total): whole rows, unpadded, of
// the layers placed on the GPU.
uint64_t weight_upload_bytes(const Model& model, const std::vector<bool>& on_gpu) {
    auto bytes = [](const Matrix& m) { return m.present() ? m.row_bytes * static_cast<uint64_t>(m.rows) : 0; };
    uint64_t total = bytes(model.token_embd()) + (model.tied_output() ? 0 : bytes(model.output()));
    for (size_t l = 0; l < model.layers().size(); ++l) {
        if (!on_gpu[l]) continue;
        const LayerWeights& w = model.layers()[l];
        for (const Matrix* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ffn_linear})
            total += bytes(*m);
    }
    return total;
}

}  // namespace

uint64_t vulkan_fixed_bytes(const Model& model, const ForwardOptions& options) {
    const ModelConfig& c = model.config();
    uint64_t bytes = matrix_bytes(model.token_embd()) + (model.tied_output() ? 0 : matrix_bytes(model.output())) +
                     static_cast<uint64_t>(c.n_embd) * kF32;
    for (uint64_t n : batch_scratch_floats(c, std::min(options.n_batch, options.n_ctx), options.n_ctx)) bytes += std::max<uint64_t>(n, 1) * kF32;
    return bytes;
}

std::vector<LayerCost> vulkan_layer_costs(const Model& model, const ForwardOptions& options) {
    const ModelConfig& c = model.config();
    std::vector<LayerCost> costs(model.layers().size());
    for (size_t l = 0; l < costs.size(); ++l) {
        const LayerWeights& w = model.layers()[l];
        const LayerPlan& plan = c.layers[l];
        LayerCost& cost = costs[l];
        for (const Matrix* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ffn_linear}) {
            cost.bytes += matrix_bytes(*m);
            if (m->present()) cost.work += static_cast<uint64_t>(m->rows) * static_cast<uint64_t>(m->cols);
        }
        cost.bytes += (w.attn_norm.size() + w.ffn_norm.size()) * kF32;
        cost.work += w.attn_norm.size() + w.ffn_norm.size();
        if (plan.attention == AttentionKind::Gqa) {
            const auto ctx = static_cast<uint64_t>(options.n_ctx), hd = static_cast<uint64_t>(c.head_dim);
            cost.bytes += 2 * 2 * ctx * static_cast<uint64_t>(plan.n_head_kv) * hd;
            cost.work += 2 * ctx * static_cast<uint64_t>(plan.n_head) * hd;  // scores, then the weighted sum of V
        }
    }
    return costs;
}

uint64_t vulkan_forward_bytes(const Model& model, const ForwardOptions& options) {
    uint64_t bytes = vulkan_fixed_bytes(model, options);
    for (const LayerCost& cost : vulkan_layer_costs(model, options)) bytes += cost.bytes;
    return bytes;
}

Result<uint64_t> vulkan_budget(const DeviceInfo& info, const ForwardOptions& options) {
    if (options.budget_bytes > 0) return options.budget_bytes;
    if (const char* env = std::getenv("TESSERA_VK_BUDGET"); env != nullptr && *env != '\0') {
        char* end = nullptr;
        const unsigned long long bytes = std::strtoull(env, &end, 10);
        if (*end != '\0' || bytes == 0)
            return Error{"TESSERA_VK_BUDGET='" + std::string(env) + "' is not a positive number of bytes"};
        return static_cast<uint64_t>(bytes);
    }
    return info.device_local_budget();
}

Result<std::unique_ptr<VulkanForward>> VulkanForward::create(const Model& model, Context& context, const ForwardOptions& options) {
    if (options.n_ctx <= 0) return Error{"context length must be positive"};
    if (options.n_batch <= 0) return Error{"batch size must be positive"};
    const ModelConfig& c = model.config();
    if (c.head_dim % 2 != 0) return Error{"head_dim " + std::to_string(c.head_dim) + " is odd; the Vulkan backend needs it even"};

    const DeviceInfo& info = context.device().info();
    auto budget = vulkan_budget(info, options);
    if (!budget) return budget.error();
    const uint64_t fixed = vulkan_fixed_bytes(model, options);
    auto plan = plan_offload(fixed, vulkan_layer_costs(model, options), *budget, options.gpu_layers);
    if (!plan)
        return Error{"with a context of " + std::to_string(options.n_ctx) + " tokens the model " + plan.error().message +
                     " on '" + info.name + "'"};

    uint64_t max_slice = std::min(info.caps.max_storage_buffer_range, info.caps.max_memory_allocation_size ? info.caps.max_memory_allocation_size : UINT64_MAX);
    if (options.max_tensor_bytes > 0) max_slice = std::min(max_slice, options.max_tensor_bytes);
    std::unique_ptr<VulkanForward> self(
        new VulkanForward(model, context, options.n_ctx, std::min(options.n_batch, options.n_ctx), max_slice));
    self->rope_ = cpu::rope_frequencies(c.rope_dim, c.rope_base, model.rope_freqs());
    self->device_bytes_ = fixed + plan->layer_bytes;
    self->plan_ = std::move(plan.value());
    if (!self->plan_.whole()) {
        cpu::ForwardOptions o;
        o.n_ctx = options.n_ctx;
        o.n_batch = self->n_batch_;
        o.n_threads = options.cpu_threads;
        o.layers.resize(c.layers.size());
        for (size_t l = 0; l < c.layers.size(); ++l) o.layers[l] = !self->plan_.on_gpu[l] || does_nothing(c.layers[l]);  // empty ones join a CPU run
        auto cpu = cpu::CpuForward::create(model, o);
        if (!cpu) return wrap_error("the layers on the CPU", cpu.error());
        self->cpu_ = std::move(cpu.value());
        self->host_x_.resize(static_cast<size_t>(self->n_batch_ * c.n_embd));
    }
    self->uploaded_ = ProgressCounter(options.upload_progress, weight_upload_bytes(model, self->plan_.on_gpu));
    TESSERA_TRY(self->upload_weights());
    TESSERA_TRY(self->allocate_scratch());
    return self;
}

Result<VulkanForward::GpuMatrix> VulkanForward::upload_matrix(const Matrix& m) {
    GpuMatrix g;
    if (!m.present()) return g;
    if (!op_supports(Op::MulMat, m.type))
        return Error{"tensor '" + m.name + "' is " + std::string(tensor_type_info(m.type).name) +
                     ", which the Vulkan backend cannot multiply yet"};
    g.type = m.type;
    g.rows = m.rows;
    g.cols = m.cols;
    if (m.row_bytes > max_slice_)
        return Error{"a row of tensor '" + m.name + "' (" + format_bytes(m.row_bytes) + ") exceeds the largest buffer the device binds (" +
                     format_bytes(max_slice_) + ")"};
    // Whole rows per slice, so every slice is an ordinary matrix for mul_mat and get_rows.
    const auto rows_per_slice = static_cast<int64_t>(max_slice_ / m.row_bytes);
    for (int64_t row0 = 0; row0 < m.rows; row0 += rows_per_slice) {
        const int64_t rows = std::min(rows_per_slice, m.rows - row0);
        const uint64_t size = m.row_bytes * static_cast<uint64_t>(rows);
        auto buffer = Buffer::create(ctx_.device(), size, MemoryKind::DeviceLocal);
        if (!buffer) return wrap_error("tensor '" + m.name + "'", buffer.error());
        // Streamed from the memory-mapped file through a bounded staging buffer.
        TESSERA_TRY(upload(ctx_.device(), *buffer, std::as_bytes(std::span(m.data + row0 * static_cast<int64_t>(m.row_bytes), size))));
        g.slices.push_back({row0, rows, std::move(buffer.value())});
        uploaded_.add(size);
    }
    return g;
}

Result<Buffer> VulkanForward::upload_floats(const std::vector<float>& v) {
    auto buffer = Buffer::create(ctx_.device(), v.size() * kF32, MemoryKind::DeviceLocal);
    if (!buffer) return buffer.error();
    TESSERA_TRY(upload(ctx_.device(), *buffer, std::as_bytes(std::span(v))));
    return std::move(buffer.value());
}

Status VulkanForward::upload_weights() {
    const ModelConfig& c = model_.config();
    auto assign = [](GpuMatrix& dst, Result<GpuMatrix> src) -> Status {
        if (!src) return src.error();
        dst = std::move(src.value());
        return Status::success();
    };
    if (!op_supports(Op::GetRows, model_.token_embd().type))
        return Error{"the token embedding is " + std::string(tensor_type_info(model_.token_embd().type).name) +
                     ", which the Vulkan backend cannot read yet"};
    TESSERA_TRY(assign(embd_, upload_matrix(model_.token_embd())));
    if (!model_.tied_output()) TESSERA_TRY(assign(output_, upload_matrix(model_.output())));
    auto norm = upload_floats(model_.output_norm());
    if (!norm) return norm.error();
    output_norm_ = std::move(norm.value());

    layers_.resize(c.layers.size());
    for (size_t l = 0; l < c.layers.size(); ++l) {
        if (!plan_.on_gpu[l]) continue;  // the CPU part reads it from the mapped file
        const LayerWeights& w = model_.layers()[l];
        GpuLayer& g = layers_[l];
        TESSERA_TRY(assign(g.q, upload_matrix(w.attn_q)));
        TESSERA_TRY(assign(g.k, upload_matrix(w.attn_k)));
        TESSERA_TRY(assign(g.v, upload_matrix(w.attn_v)));
        TESSERA_TRY(assign(g.o, upload_matrix(w.attn_output)));
        TESSERA_TRY(assign(g.gate, upload_matrix(w.ffn_gate)));
        TESSERA_TRY(assign(g.up, upload_matrix(w.ffn_up)));
        TESSERA_TRY(assign(g.down, upload_matrix(w.ffn_down)));
        TESSERA_TRY(assign(g.ffn_linear, upload_matrix(w.ffn_linear)));
        for (auto [src, dst] : {std::pair{&w.attn_norm, &g.attn_norm}, std::pair{&w.ffn_norm, &g.ffn_norm}}) {
            if (src->empty()) continue;
            auto b = upload_floats(*src);
            if (!b) return b.error();
            *dst = std::move(b.value());
        }
        if (c.layers[l].attention == AttentionKind::Gqa) {
            const uint64_t cache = static_cast<uint64_t>(n_ctx_ * c.layers[l].n_head_kv * c.head_dim) * 2;
            for (auto* dst : {&g.k_cache, &g.v_cache}) {
                auto b = Buffer::create(ctx_.device(), cache, MemoryKind::DeviceLocal);
                if (!b) return wrap_error("the KV cache of layer " + std::to_string(l), b.error());
                *dst = std::move(b.value());
            }
        }
    }
    return Status::success();
}

Status VulkanForward::allocate_scratch() {
    std::optional<Buffer>* slots[] = {&ids_, &cos_sin_, &x_, &h_, &q_, &k_, &v_, &attn_, &gate_, &up_, &tmp_, &scores_, &logits_, &xq_};
    const auto sizes = batch_scratch_floats(model_.config(), n_batch_, n_ctx_);
    for (size_t i = 0; i < sizes.size(); ++i) {
        auto b = Buffer::create(ctx_.device(), std::max<uint64_t>(sizes[i], 1) * kF32, MemoryKind::DeviceLocal);
        if (!b) return wrap_error("scratch for a batch of " + std::to_string(n_batch_) + " tokens", b.error());
        *slots[i] = std::move(b.value());
    }
    return Status::success();
}

void VulkanForward::truncate(int64_t n) {
    n_past_ = std::clamp<int64_t>(n, 0, n_past_);
    if (cpu_) cpu_->truncate(n_past_);
}

Status VulkanForward::eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) {
    return run(tokens, logit_rows, {.logits = logits});
}

Result<int32_t> VulkanForward::eval_greedy(std::span<const int32_t> tokens, int64_t logit_row, std::span<float>) {
    uint32_t id = 0;
    TESSERA_TRY(run(tokens, std::span(&logit_row, 1), {.greedy = &id}));
    return static_cast<int32_t>(id);
}

Status VulkanForward::eval_top_k(std::span<const int32_t> tokens, int64_t logit_row, int32_t k, std::vector<Candidate>& out,
                                 std::span<float> scratch) {
    // The pairs come back through the attention scores' scratch (free once the layers ran);
    // a k too large for it, or for the vocabulary, is selected on the CPU instead.
    if (k <= 0 || k >= model_.config().n_vocab || 2 * static_cast<uint64_t>(k) * sizeof(uint32_t) > scores_->size())
        return Evaluator::eval_top_k(tokens, logit_row, k, out, scratch);
    out.resize(static_cast<size_t>(k));
    return run(tokens, std::span(&logit_row, 1), {.top = out.data(), .top_k = k});
}

Status VulkanForward::run(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, const Readback& out) {
    const ModelConfig& c = model_.config();
    const auto n = static_cast<int64_t>(tokens.size());
    if (n == 0) return Error{"no tokens to evaluate"};
    if (n_past_ + n > n_ctx_)
        return Error{"context is full: " + std::to_string(n_past_) + " + " + std::to_string(n) +
                     " tokens exceed the context length of " + std::to_string(n_ctx_)};
    for (int32_t t : tokens)
        if (t < 0 || t >= c.n_vocab)
            return Error{"token id " + std::to_string(t) + " is outside the vocabulary (0.." + std::to_string(c.n_vocab - 1) + ")"};
    for (int64_t r : logit_rows)
        if (r < 0 || r >= n) return Error{"logit row " + std::to_string(r) + " is outside the batch"};
    if (ctx_.device().lost())
        return Error{"the GPU '" + ctx_.device().info().name + "' was lost (VK_ERROR_DEVICE_LOST) and this model with it: "
                     "load it again, or on the CPU (--device cpu) if it keeps happening"};

    for (int64_t start = 0; start < n; start += n_batch_) {
        const int64_t count = std::min(n_batch_, n - start);
        // Logit rows in this chunk, rebased; their outputs keep their place in `logits`.
        std::vector<int64_t> rows(logit_rows.size(), -1);
        for (size_t j = 0; j < logit_rows.size(); ++j)
            if (logit_rows[j] >= start && logit_rows[j] < start + count) rows[j] = logit_rows[j] - start;
        // Input was checked above: what fails now failed in the device (lost, out of memory).
        if (Status s = eval_batch(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)), rows, out); !s) {
            device_failed_ = true;
            return wrap_error("the GPU failed during generation", s.error());
        }
    }
    return Status::success();
}

Status VulkanForward::linear(CommandRecorder& rec, const Buffer& x, int64_t n, std::initializer_list<Product> products) {
    Kernels& k = ctx_.kernels();
    auto dot_of = [](const Product& p) { return tensor_type_info(p.w.type).dot_type; };
    std::vector<TensorType> done;
    for (const Product& first : products) {
        const TensorType dot = dot_of(first);
        if (std::find(done.begin(), done.end(), dot) != done.end()) continue;
        const Buffer* input = &x;
        if (dot != TensorType::F32) {
            if (!done.empty()) TESSERA_TRY(rec.barrier());  // earlier products finish reading xq_
            TESSERA_TRY(k.quantize_act(rec, dot, x, *xq_, n * first.w.cols));
            TESSERA_TRY(rec.barrier());
            input = &*xq_;
        }
        done.push_back(dot);
        for (const Product& p : products)
            if (dot_of(p) == dot)
                for (const Slice& s : p.w.slices)
                    TESSERA_TRY(k.mul_mat(rec, p.w.type, s.buffer, *input, p.y, s.rows, p.w.cols, n, s.row0, p.w.rows));
    }
    return Status::success();
}

Status VulkanForward::record_layer(CommandRecorder& rec, size_t l, int64_t n, int64_t pos) {
    const ModelConfig& c = model_.config();
    const LayerPlan& plan = c.layers[l];
    const GpuLayer& g = layers_[l];
    Kernels& k = ctx_.kernels();
    const int64_t H = c.n_embd, hd = c.head_dim;

    if (plan.attention == AttentionKind::Gqa) {
        const int64_t kv_dim = plan.n_head_kv * hd;
        TESSERA_TRY(k.rms_norm(rec, *x_, *g.attn_norm, *h_, H, n, c.rms_eps));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *h_, n, {{g.q, *q_}, {g.k, *k_}, {g.v, *v_}}));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.rope(rec, *q_, *cos_sin_, plan.n_head, hd, n));
        TESSERA_TRY(k.rope(rec, *k_, *cos_sin_, plan.n_head_kv, hd, n));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.kv_store(rec, *k_, *g.k_cache, kv_dim, pos, n, n_ctx_));
        TESSERA_TRY(k.kv_store(rec, *v_, *g.v_cache, kv_dim, pos, n, n_ctx_));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.attention(rec, *q_, *g.k_cache, *g.v_cache, *scores_, *attn_, {hd, plan.n_head, plan.n_head_kv, n_ctx_, pos, n}));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *attn_, n, {{g.o, *tmp_}}));
    } else if (plan.attention == AttentionKind::Linear) {
        TESSERA_TRY(k.rms_norm(rec, *x_, *g.attn_norm, *h_, H, n, c.rms_eps));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *h_, n, {{g.o, *tmp_}}));
    }
    if (plan.attention != AttentionKind::None) {
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.add(rec, *x_, *tmp_, n * H));
        TESSERA_TRY(rec.barrier());
    }

    if (plan.ffn == FfnKind::SwiGlu) {
        TESSERA_TRY(k.rms_norm(rec, *x_, *g.ffn_norm, *h_, H, n, c.rms_eps));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *h_, n, {{g.gate, *gate_}, {g.up, *up_}}));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.swiglu(rec, *gate_, *up_, n * plan.ffn_width));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *gate_, n, {{g.down, *tmp_}}));
    } else if (plan.ffn == FfnKind::Linear) {
        TESSERA_TRY(k.rms_norm(rec, *x_, *g.ffn_norm, *h_, H, n, c.rms_eps));
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(linear(rec, *h_, n, {{g.ffn_linear, *tmp_}}));
    }
    if (plan.ffn != FfnKind::None) {
        TESSERA_TRY(rec.barrier());
        TESSERA_TRY(k.add(rec, *x_, *tmp_, n * H));
        TESSERA_TRY(rec.barrier());
    }
    return Status::success();
}

size_t VulkanForward::cpu_run_end(size_t first) const {
    // One crossing for the whole run of CPU layers, empty layers in it included.
    const std::vector<LayerPlan>& layers = model_.config().layers;
    size_t end = first + 1;
    while (end < layers.size() && (!plan_.on_gpu[end] || does_nothing(layers[end]))) ++end;
    return end;
}

int64_t VulkanForward::cpu_runs() const {
    int64_t runs = 0;
    for (size_t l = 0; l < plan_.on_gpu.size(); l = plan_.on_gpu[l] ? l + 1 : cpu_run_end(l))
        if (!plan_.on_gpu[l]) ++runs;
    return runs;
}

Status VulkanForward::run_on_cpu(CommandRecorder& rec, size_t first, size_t last, int64_t n, int64_t pos) {
    const Device& dev = ctx_.device();
    const auto floats = static_cast<size_t>(n * model_.config().n_embd);
    TESSERA_TRY(rec.submit_and_wait());
    TESSERA_TRY(download(dev, *x_, std::as_writable_bytes(std::span(host_x_.data(), floats))));
    TESSERA_TRY(cpu_->eval_layers(first, last, host_x_.data(), n, pos));
    TESSERA_TRY(upload(dev, *x_, std::as_bytes(std::span(host_x_.data(), floats))));
    return rec.begin();
}

Status VulkanForward::eval_batch(std::span<const int32_t> tokens, std::span<const int64_t> rows, const Readback& out) {
    const ModelConfig& c = model_.config();
    const auto n = static_cast<int64_t>(tokens.size());
    const int64_t H = c.n_embd, hd = c.head_dim, pos = n_past_;
    const Device& dev = ctx_.device();

    std::vector<float> cos_sin(static_cast<size_t>(n * hd), 0.0f);
    for (int64_t t = 0; t < n; ++t) cpu::rope_cos_sin(*rope_, pos + t, cos_sin.data() + t * hd);
    TESSERA_TRY(upload(dev, *ids_, std::as_bytes(tokens)));
    TESSERA_TRY(upload(dev, *cos_sin_, std::as_bytes(std::span(cos_sin))));

    auto rec = CommandRecorder::create(dev);
    if (!rec) return rec.error();
    TESSERA_TRY(rec->begin());
    for (const Slice& s : embd_.slices)
        TESSERA_TRY(ctx_.kernels().get_rows(*rec, embd_.type, s.buffer, s.rows, H, *ids_, n, *x_, s.row0));
    TESSERA_TRY(rec->barrier());
    for (size_t l = 0; l < c.layers.size();) {
        if (plan_.on_gpu[l]) {
            TESSERA_TRY(record_layer(*rec, l, n, pos));
            ++l;
            continue;
        }
        const size_t end = cpu_run_end(l);
        TESSERA_TRY(run_on_cpu(*rec, l, end, n, pos));
        l = end;
    }

    // Final norm and the output matrix for the rows asked for, n_batch rows per submission.
    std::vector<size_t> wanted;
    for (size_t j = 0; j < rows.size(); ++j)
        if (rows[j] >= 0) wanted.push_back(j);
    const GpuMatrix& output = model_.tied_output() ? embd_ : output_;
    // Only the rows asked for, and none when the GPU picks the tokens itself.
    std::vector<float> host(out.greedy || out.top ? 0 : std::min(wanted.size(), static_cast<size_t>(n_batch_)) * static_cast<size_t>(c.n_vocab));
    for (size_t first = 0; first < wanted.size(); first += static_cast<size_t>(n_batch_)) {
        const size_t count = std::min(wanted.size() - first, static_cast<size_t>(n_batch_));
        if (first > 0) TESSERA_TRY(rec->begin());
        for (size_t j = 0; j < count; ++j)
            TESSERA_TRY(rec->copy(*x_, static_cast<uint64_t>(rows[wanted[first + j]] * H) * kF32, *tmp_,
                                  j * static_cast<uint64_t>(H) * kF32, static_cast<uint64_t>(H) * kF32));
        TESSERA_TRY(rec->barrier());
        TESSERA_TRY(ctx_.kernels().rms_norm(*rec, *tmp_, *output_norm_, *h_, H, static_cast<int64_t>(count), c.rms_eps));
        TESSERA_TRY(rec->barrier());
        TESSERA_TRY(linear(*rec, *h_, static_cast<int64_t>(count), {{output, *logits_}}));
        if (out.top) {
            TESSERA_TRY(rec->barrier());
            TESSERA_TRY(ctx_.kernels().top_k(*rec, *logits_, *scores_, c.n_vocab, static_cast<int64_t>(count), out.top_k));
            TESSERA_TRY(rec->submit_and_wait());
            const auto k = static_cast<size_t>(out.top_k);
            std::vector<uint32_t> pairs(2 * k * count);
            TESSERA_TRY(download(dev, *scores_, std::as_writable_bytes(std::span(pairs))));
            for (size_t j = 0; j < count; ++j)
                for (size_t i = 0; i < k; ++i) {
                    const uint32_t* pair = pairs.data() + 2 * (j * k + i);
                    out.top[wanted[first + j] * k + i] = {static_cast<int32_t>(pair[0]), std::bit_cast<float>(pair[1]), 0.0f};
                }
            continue;
        }
        if (out.greedy) {
            // The token ids were consumed by the embedding lookup: ids_ now takes the choices.
            TESSERA_TRY(rec->barrier());
            TESSERA_TRY(ctx_.kernels().argmax(*rec, *logits_, *ids_, c.n_vocab, static_cast<int64_t>(count)));
            TESSERA_TRY(rec->submit_and_wait());
            std::vector<uint32_t> chosen(count);
            TESSERA_TRY(download(dev, *ids_, std::as_writable_bytes(std::span(chosen))));
            for (size_t j = 0; j < count; ++j) out.greedy[wanted[first + j]] = chosen[j];
            continue;
        }
        TESSERA_TRY(rec->submit_and_wait());
        TESSERA_TRY(download(dev, *logits_, std::as_writable_bytes(std::span(host.data(), count * static_cast<size_t>(c.n_vocab)))));
        for (size_t j = 0; j < count; ++j)
            std::memcpy(out.logits + wanted[first + j] * static_cast<size_t>(c.n_vocab), host.data() + j * static_cast<size_t>(c.n_vocab),
                        static_cast<size_t>(c.n_vocab) * sizeof(float));
    }
    if (rec->recording()) TESSERA_TRY(rec->submit_and_wait());  // no logits asked for
    n_past_ = pos + n;
    return Status::success();
}

}  // namespace tessera::vulkan

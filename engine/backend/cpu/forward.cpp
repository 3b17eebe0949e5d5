#include "backend/cpu/forward.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "backend/cpu/attention_kernels.h"
#include "backend/cpu/ops.h"
#include "quant/quantize.h"

namespace tessera::cpu {
namespace {

// Rows handed to one thread are a multiple of this (the kernels tile rows by up to 16).
constexpr int64_t kRowAlign = 16;

int default_threads() {
    const unsigned hw = std::thread::hardware_concurrency();
    return hw == 0 ? 1 : static_cast<int>(std::min(hw, 64u));
}

}  // namespace

Result<std::unique_ptr<CpuForward>> CpuForward::create(const Model& model, const ForwardOptions& options) {
    const ModelConfig& c = model.config();
    if (options.n_ctx <= 0) return Error{"context length must be positive"};
    if (options.n_batch <= 0) return Error{"batch size must be positive"};
    auto cache = KvCache::create(c, options.n_ctx, options.layers);
    if (!cache) return cache.error();
    const int threads = options.n_threads > 0 ? options.n_threads : default_threads();
    const Isa isa = options.isa.value_or(best_isa());
    std::unique_ptr<CpuForward> self(
        new CpuForward(model, std::move(cache.value()), threads, isa, std::min(options.n_batch, options.n_ctx)));
    self->held_ = options.layers;
    self->every_layer_ = std::find(options.layers.begin(), options.layers.end(), false) == options.layers.end();
    return self;
}

CpuForward::CpuForward(const Model& model, KvCache cache, int n_threads, Isa isa, int64_t n_batch)
    : model_(model), config_(model.config()), cache_(std::move(cache)), pool_(n_threads), isa_(isa), n_batch_(n_batch),
      rope_(rope_frequencies(model.config().rope_dim, model.config().rope_base, model.rope_freqs())) {
    const ModelConfig& c = config_;
    const auto nb = static_cast<size_t>(n_batch);
    const auto H = static_cast<size_t>(c.n_embd);
    const auto q_dim = static_cast<size_t>(c.n_head * c.head_dim);
    const auto kv_dim = static_cast<size_t>(c.max_kv_dim());
    const auto ffn = static_cast<size_t>(c.max_ffn_width());
    x_.resize(nb * H);
    h_.resize(nb * H);
    tmp_.resize(nb * H);
    q_.resize(nb * q_dim);
    attn_.resize(nb * q_dim);
    k_.resize(nb * kv_dim);
    v_.resize(nb * kv_dim);
    gate_.resize(nb * ffn);
    up_.resize(nb * ffn);
    cos_sin_.resize(nb * static_cast<size_t>(c.head_dim));
    // Converted activations: the largest input row of any matrix in its own dot type (f32 for
    // f32 weights, about 1.1 bytes per value for 8-bit activations).
    size_t act_row = 0;
    auto fit = [&](const Matrix& m) {
        if (m.present()) act_row = std::max(act_row, row_bytes(tensor_type_info(tensor_type_info(m.type).dot_type), m.cols));
    };
    fit(model.output());
    for (const LayerWeights& w : model.layers())
        for (const Matrix* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ffn_linear})
            fit(*m);
    act_.resize(nb * act_row + 64);
    scores_.assign(static_cast<size_t>(pool_.size()), std::vector<float>(static_cast<size_t>(cache_.n_ctx() + c.head_dim)));

}

void CpuForward::truncate(int64_t n) { cache_.set_filled(std::clamp<int64_t>(n, 0, cache_.n_filled())); }

void CpuForward::observe(const std::string& name, const float* data, int64_t n, int64_t width) const {
    if (observer_) observer_(name, data, n, width);
}

Status CpuForward::eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) {
    const auto n = static_cast<int64_t>(tokens.size());
    if (n == 0) return Error{"no tokens to evaluate"};
    if (!every_layer_) return Error{"this CPU evaluator holds only some layers' KV cache: use eval_layers"};
    if (cache_.n_filled() + n > cache_.n_ctx())
        return Error{"context is full: " + std::to_string(cache_.n_filled()) + " + " + std::to_string(n) +
                     " tokens exceed the context length of " + std::to_string(cache_.n_ctx())};
    for (int32_t t : tokens)
        if (t < 0 || t >= config_.n_vocab)
            return Error{"token id " + std::to_string(t) + " is outside the vocabulary (0.." + std::to_string(config_.n_vocab - 1) + ")"};
    for (int64_t r : logit_rows)
        if (r < 0 || r >= n) return Error{"logit row " + std::to_string(r) + " is outside the batch"};

    if (n <= n_batch_) return eval_batch(tokens, cache_.n_filled(), logit_rows, logits);  // the common case: no copy

    for (int64_t start = 0; start < n; start += n_batch_) {
        const int64_t count = std::min(n_batch_, n - start);
        // The logit rows that fall in this chunk, rebased, and where their output goes.
        std::vector<int64_t> rows;
        std::vector<size_t> slots;
        for (size_t j = 0; j < logit_rows.size(); ++j)
            if (logit_rows[j] >= start && logit_rows[j] < start + count) {
                rows.push_back(logit_rows[j] - start);
                slots.push_back(j);
            }
        std::vector<float> chunk_logits(rows.size() * static_cast<size_t>(config_.n_vocab));
        TESSERA_TRY(eval_batch(tokens.subspan(static_cast<size_t>(start), static_cast<size_t>(count)),
                               cache_.n_filled(), rows, chunk_logits.data()));
        for (size_t j = 0; j < rows.size(); ++j)
            std::copy_n(chunk_logits.data() + j * static_cast<size_t>(config_.n_vocab), config_.n_vocab,
                        logits + slots[j] * static_cast<size_t>(config_.n_vocab));
    }
    return {};
}

Status CpuForward::eval_batch(std::span<const int32_t> tokens, int64_t pos, std::span<const int64_t> logit_rows, float* logits) {
    const ModelConfig& c = config_;
    const auto n = static_cast<int64_t>(tokens.size());
    const int64_t H = c.n_embd, hd = c.head_dim;

    const Matrix& embd = model_.token_embd();
    for (int64_t t = 0; t < n; ++t)
        dequantize_row(embd.type, embd.row(tokens[static_cast<size_t>(t)]), x_.data() + t * H, H);
    observe("inp_embd", x_.data(), n, H);

    for (int64_t t = 0; t < n; ++t) rope_cos_sin(rope_, pos + t, cos_sin_.data() + t * hd);

    for (size_t l = 0; l < c.layers.size(); ++l) run_layer(l, n, pos);
    cache_.set_filled(pos + n);

    if (logit_rows.empty()) return {};
    // Final norm and the output matrix, only for the rows whose logits were asked for.
    const auto n_out = static_cast<int64_t>(logit_rows.size());
    for (int64_t j = 0; j < n_out; ++j)
        rms_norm(x_.data() + logit_rows[static_cast<size_t>(j)] * H, model_.output_norm().data(), H, c.rms_eps,
                 h_.data() + j * H);
    observe("result_norm", h_.data(), n_out, H);
    linear(model_.output(), h_.data(), n_out, logits);
    return {};
}

Status CpuForward::eval_layers(size_t first, size_t last, float* x, int64_t n, int64_t pos) {
    const int64_t H = config_.n_embd, hd = config_.head_dim;
    if (n <= 0 || n > n_batch_) return Error{"eval_layers: " + std::to_string(n) + " rows; 1 to " + std::to_string(n_batch_) + " fit"};
    if (last > config_.layers.size() || first > last) return Error{"eval_layers: no layers " + std::to_string(first) + ".." + std::to_string(last)};
    if (pos < 0 || pos + n > cache_.n_ctx()) return Error{"eval_layers: positions past the context"};
    for (size_t l = first; l < last; ++l)
        if (!held_.empty() && !held_[l]) return Error{"eval_layers: layer " + std::to_string(l) + " is not held by this evaluator"};
    std::copy_n(x, n * H, x_.data());
    for (int64_t t = 0; t < n; ++t) rope_cos_sin(rope_, pos + t, cos_sin_.data() + t * hd);
    for (size_t l = first; l < last; ++l) run_layer(l, n, pos);
    std::copy_n(x_.data(), n * H, x);
    cache_.set_filled(pos + n);
    return {};
}

void CpuForward::run_layer(size_t l, int64_t n, int64_t pos) {
    const ModelConfig& c = config_;
    const int64_t H = c.n_embd, hd = c.head_dim;
    const LayerPlan& plan = c.layers[l];
    const LayerWeights& w = model_.layers()[l];
    // Names for the observer, built only when one listens (this loop runs per token).
    auto blk = [&](const char* what) { return observer_ ? "blk." + std::to_string(l) + "." + what : std::string(); };

    if (plan.attention == AttentionKind::Gqa) {
        rms_norm_rows(x_.data(), w.attn_norm, n, h_.data());
        const Matrix* ws[] = {&w.attn_q, &w.attn_k, &w.attn_v};
        float* ys[] = {q_.data(), k_.data(), v_.data()};
        linear_multi(ws, h_.data(), n, ys);
        const int64_t q_dim = plan.n_head * hd, kv_dim = plan.n_head_kv * hd;
        for (int64_t t = 0; t < n; ++t) {
            rope_row(q_.data() + t * q_dim, plan.n_head, hd, cos_sin_.data() + t * hd);
            rope_row(k_.data() + t * kv_dim, plan.n_head_kv, hd, cos_sin_.data() + t * hd);
        }
        attention(l, n, pos);
        linear(w.attn_output, attn_.data(), n, tmp_.data());
    } else if (plan.attention == AttentionKind::Linear) {
        rms_norm_rows(x_.data(), w.attn_norm, n, h_.data());
        linear(w.attn_output, h_.data(), n, tmp_.data());
    }
    if (plan.attention != AttentionKind::None) {
        observe(blk("attn_out"), tmp_.data(), n, H);
        add_inplace(x_.data(), tmp_.data(), n * H);
    }

    if (plan.ffn == FfnKind::SwiGlu) {
        const int64_t I = plan.ffn_width;
        rms_norm_rows(x_.data(), w.ffn_norm, n, h_.data());
        const Matrix* ws[] = {&w.ffn_gate, &w.ffn_up};
        float* ys[] = {gate_.data(), up_.data()};
        linear_multi(ws, h_.data(), n, ys);
        pool_.run([&](int ith, int nth) {
            int64_t begin, end;
            ThreadPool::split(n * I, ith, nth, 64, begin, end);
            if (begin < end) silu_mul(gate_.data() + begin, up_.data() + begin, end - begin);
        });
        linear(w.ffn_down, gate_.data(), n, tmp_.data());
    } else if (plan.ffn == FfnKind::Linear) {
        rms_norm_rows(x_.data(), w.ffn_norm, n, h_.data());
        linear(w.ffn_linear, h_.data(), n, tmp_.data());
    }
    if (plan.ffn != FfnKind::None) {
        observe(blk("ffn_out"), tmp_.data(), n, H);
        add_inplace(x_.data(), tmp_.data(), n * H);
    }
    observe(blk("l_out"), x_.data(), n, H);
}

void CpuForward::rms_norm_rows(const float* x, const std::vector<float>& weight, int64_t n, float* y) {
    const int64_t H = config_.n_embd;
    if (n == 1) {
        rms_norm(x, weight.data(), H, config_.rms_eps, y);
        return;
    }
    pool_.run([&](int ith, int nth) {
        int64_t begin, end;
        ThreadPool::split(n, ith, nth, 1, begin, end);
        for (int64_t t = begin; t < end; ++t) rms_norm(x + t * H, weight.data(), H, config_.rms_eps, y + t * H);
    });
}

void CpuForward::linear(const Matrix& w, const float* x, int64_t n, float* y) {
    const Matrix* ws[] = {&w};
    float* ys[] = {y};
    linear_multi(ws, x, n, ys);
}

void CpuForward::linear_multi(std::span<const Matrix* const> ws, const float* x, int64_t n, std::span<float* const> ys) {
    const int64_t k = ws[0]->cols;
    const TensorType dot_type = tensor_type_info(ws[0]->type).dot_type;
    for (const Matrix* w : ws)
        if (tensor_type_info(w->type).dot_type != dot_type) {  // mixed types: one pass per matrix
            for (size_t i = 0; i < ws.size(); ++i) linear(*ws[i], x, n, ys[i]);
            return;
        }
    if (input_observer_)
        for (const Matrix* w : ws) input_observer_(*w, x, n);
    const size_t x_row_bytes = row_bytes(tensor_type_info(dot_type), k);
    uint8_t* act = act_.data();
    if (n == 1) {
        convert_activations(isa_, dot_type, x, k, 1, act);
    } else {
        pool_.run([&](int ith, int nth) {
            int64_t begin, end;
            ThreadPool::split(n, ith, nth, 1, begin, end);
            if (begin < end) convert_activations(isa_, dot_type, x + begin * k, k, end - begin, act + begin * x_row_bytes);
        });
    }
    pool_.run([&](int ith, int nth) {
        for (size_t i = 0; i < ws.size(); ++i) {
            const Matrix& w = *ws[i];
            int64_t begin, end;
            ThreadPool::split(w.rows, ith, nth, kRowAlign, begin, end);
            if (begin < end)
                matmul(isa_, w.type, w.data, w.row_bytes, k, act, x_row_bytes, n, ys[i], w.rows, begin, end);
        }
    });
}

void CpuForward::attention(size_t layer, int64_t n, int64_t pos) {
    const LayerPlan& plan = config_.layers[layer];
    const int64_t hd = config_.head_dim;
    const int64_t n_head = plan.n_head, n_kv = plan.n_head_kv, group = n_head / n_kv;
    const int64_t kv_dim = n_kv * hd, q_dim = n_head * hd;
    const AttentionKernels& kern = attention_kernels(isa_);

    for (int64_t t = 0; t < n; ++t) {
        kern.to_f16(k_.data() + t * kv_dim, cache_.k(layer, pos + t), kv_dim);
        kern.to_f16(v_.data() + t * kv_dim, cache_.v(layer, pos + t), kv_dim);
    }
    // Q and the attention weights are rounded to f16 before meeting the f16 cache: the
    // precision of an f16 attention datapath, as in the reference implementation.
    const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
    pool_.run([&](int ith, int nth) {
        float* scores = scores_[static_cast<size_t>(ith)].data();
        float* q = scores + cache_.n_ctx();
        int64_t begin, end;
        ThreadPool::split(n * n_head, ith, nth, 1, begin, end);
        for (int64_t task = begin; task < end; ++task) {
            const int64_t t = task / n_head, h = task % n_head, j = h / group;
            const int64_t n_keys = pos + t + 1;  // causal: this token and everything before it
            kern.round_f16(q_.data() + t * q_dim + h * hd, q, hd);
            for (int64_t s = 0; s < n_keys; ++s) scores[s] = kern.dot_f16(cache_.k(layer, s) + j * hd, q, hd) * scale;
            softmax(scores, n_keys);
            kern.round_f16(scores, scores, n_keys);
            float* out = attn_.data() + t * q_dim + h * hd;
            std::fill_n(out, hd, 0.0f);
            for (int64_t s = 0; s < n_keys; ++s) kern.axpy_f16(scores[s], cache_.v(layer, s) + j * hd, out, hd);
        }
    });
}

}  // namespace tessera::cpu

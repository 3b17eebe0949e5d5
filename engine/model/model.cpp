#include "model/model.h"

#include <cmath>
#include <map>
#include <string>

#include "model/architecture.h"
#include "quant/quantize.h"

namespace tessera {
namespace {

// Looks up tensors and checks their shapes against the hyperparameters (RELIABILITY M15).
class TensorBinder {
public:
    explicit TensorBinder(const GgufFile& file) : file_(file) {}

    // rows < 0: any number of rows (reported back through the Matrix).
    Result<Matrix> matrix(const std::string& name, int64_t cols, int64_t rows) const {
        const GgufTensorInfo* t = file_.tensor(name);
        if (!t) return Error{"required tensor '" + name + "' is missing"};
        if (t->dims.size() != 2 || t->dims[0] != cols || (rows >= 0 && t->dims[1] != rows))
            return Error{"tensor '" + name + "' has shape " + dims_text(t->dims) + ", expected [" +
                         std::to_string(cols) + ", " + (rows >= 0 ? std::to_string(rows) : "n") + "]"};
        const auto& info = tensor_type_info(t->type);
        if (info.type == TensorType::Q8_K || info.type == TensorType::Q8_1)
            return Error{"tensor '" + name + "' has type " + std::string(info.name) + ", which is not a weight type"};
        Matrix m;
        m.name = name;
        m.type = t->type;
        m.data = t->data;
        m.cols = t->dims[0];
        m.rows = t->dims[1];
        m.row_bytes = row_bytes(info, m.cols);
        return m;
    }

    Result<std::vector<float>> vector(const std::string& name, int64_t n) const {
        const GgufTensorInfo* t = file_.tensor(name);
        if (!t) return Error{"required tensor '" + name + "' is missing"};
        if (t->n_elements() != n || t->dims[0] != n)
            return Error{"tensor '" + name + "' has shape " + dims_text(t->dims) + ", expected [" +
                         std::to_string(n) + "]"};
        std::vector<float> values(static_cast<size_t>(n));
        dequantize_row(t->type, t->data, values.data(), n);
        return values;
    }

private:
    const GgufFile& file_;
};

}  // namespace

Result<std::unique_ptr<Model>> Model::load(const std::string& path) {
    auto file = GgufFile::open(path);
    if (!file) return file.error();
    auto model = from_gguf(std::move(file.value()));
    if (!model) return wrap_error(path, model.error());
    return model;
}

Result<std::unique_ptr<Model>> Model::from_gguf(std::unique_ptr<GgufFile> file) {
    auto config = read_model_config(*file);
    if (!config) return config.error();

    std::unique_ptr<Model> model(new Model());
    model->file_ = std::move(file);
    model->config_ = std::move(config.value());
    TESSERA_TRY(model->bind_tensors());
    return model;
}

Status Model::bind_tensors() {
    TensorBinder bind(*file_);
    ModelConfig& c = config_;
    const int64_t H = c.n_embd, hd = c.head_dim;

    auto embd = bind.matrix("token_embd.weight", H, -1);
    if (!embd) return embd.error();
    token_embd_ = *embd;
    c.n_vocab = token_embd_.rows;
    if (c.n_vocab <= 0 || c.n_vocab > kMaxVocab) return Error{"vocabulary size " + std::to_string(c.n_vocab) + " is out of range"};
    if (file_->find(c.architecture + ".vocab_size")) {
        auto v = file_->get_i64(c.architecture + ".vocab_size");
        if (v && *v != c.n_vocab)
            return Error{"key '" + c.architecture + ".vocab_size' is " + std::to_string(*v) +
                         " but token_embd.weight has " + std::to_string(c.n_vocab) + " rows"};
    }

    auto norm = bind.vector("output_norm.weight", H);
    if (!norm) return norm.error();
    output_norm_ = std::move(norm.value());
    if (file_->tensor("output.weight")) {
        auto out = bind.matrix("output.weight", H, c.n_vocab);
        if (!out) return out.error();
        output_ = *out;
    } else {
        output_ = token_embd_;  // tied embeddings
        tied_output_ = true;
    }
    if (file_->tensor("rope_freqs.weight")) {
        auto freqs = bind.vector("rope_freqs.weight", c.rope_dim / 2);
        if (!freqs) return freqs.error();
        for (float f : *freqs)
            if (!(f > 0.0f) || !std::isfinite(f)) return Error{"tensor 'rope_freqs.weight' holds a non-positive or non-finite divisor"};
        rope_freqs_ = std::move(freqs.value());
    }

    layers_.resize(c.layers.size());
    for (size_t i = 0; i < c.layers.size(); ++i) {
        LayerPlan& plan = c.layers[i];
        LayerWeights& w = layers_[i];
        const std::string blk = "blk." + std::to_string(i) + ".";
        auto take = [](auto result, auto& into) -> Status {
            if (!result) return result.error();
            into = std::move(result.value());
            return {};
        };
        if (plan.attention != AttentionKind::None) TESSERA_TRY(take(bind.vector(blk + "attn_norm.weight", H), w.attn_norm));
        if (plan.attention == AttentionKind::Gqa) {
            const int64_t q_dim = plan.n_head * hd, kv_dim = plan.n_head_kv * hd;
            TESSERA_TRY(take(bind.matrix(blk + "attn_q.weight", H, q_dim), w.attn_q));
            TESSERA_TRY(take(bind.matrix(blk + "attn_k.weight", H, kv_dim), w.attn_k));
            TESSERA_TRY(take(bind.matrix(blk + "attn_v.weight", H, kv_dim), w.attn_v));
            TESSERA_TRY(take(bind.matrix(blk + "attn_output.weight", q_dim, H), w.attn_output));
        } else if (plan.attention == AttentionKind::Linear) {
            TESSERA_TRY(take(bind.matrix(blk + "attn_output.weight", H, H), w.attn_output));
        }
        if (plan.ffn != FfnKind::None) TESSERA_TRY(take(bind.vector(blk + "ffn_norm.weight", H), w.ffn_norm));
        if (plan.ffn == FfnKind::SwiGlu) {
            // The width comes from the tensors; metadata must agree.
            TESSERA_TRY(take(bind.matrix(blk + "ffn_gate.weight", H, plan.ffn_width), w.ffn_gate));
            TESSERA_TRY(take(bind.matrix(blk + "ffn_up.weight", H, plan.ffn_width), w.ffn_up));
            TESSERA_TRY(take(bind.matrix(blk + "ffn_down.weight", plan.ffn_width, H), w.ffn_down));
        } else if (plan.ffn == FfnKind::Linear) {
            TESSERA_TRY(take(bind.matrix(blk + "ffn_linear.weight", H, H), w.ffn_linear));
        }
    }
    return {};
}

int64_t Model::parameter_count() const {
    int64_t total = 0;
    for (const auto& t : file_->tensors()) total += t.n_elements();
    return total;
}

std::string Model::tensor_type_summary() const {
    std::map<std::string, int> counts;
    for (const auto& t : file_->tensors()) ++counts[std::string(tensor_type_info(t.type).name)];
    std::string s;
    for (const auto& [name, n] : counts) s += (s.empty() ? "" : ", ") + name + " x " + std::to_string(n);
    return s;
}

}  // namespace tessera

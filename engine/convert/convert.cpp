#include "convert/convert.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "convert/hf_config.h"
#include "core/text_file.h"
#include "convert/hf_tokenizer.h"
#include "convert/output_file.h"
#include "convert/row_ranges.h"
#include "convert/safetensors.h"
#include "gguf/gguf_writer.h"
#include "quant/quant_mix.h"
#include "quant/quantize.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

// One GGUF tensor and where its rows come from.
struct PlannedTensor {
    std::string name;
    const SafetensorsTensor* source = nullptr;
    int64_t rows = 1, cols = 0;
    int64_t permute_heads = 0;  // > 0: Q/K rows reordered for adjacent-pair RoPE
    std::vector<float> values;  // computed tensors (rope_freqs) instead of a source
    TensorType type = TensorType::F32;
};

// HF rotates (i, i + hd/2) within a head; GGUF rotates (2i, 2i+1). Row (h, i, j) of the
// output is row (h, j, i) of the input, with i < hd/2 and j in {0, 1}.
int64_t permuted_source_row(int64_t row, int64_t heads, int64_t rows) {
    const int64_t head_rows = rows / heads, half = head_rows / 2;
    const int64_t h = row / head_rows, r = row % head_rows;
    const int64_t i = r / 2, j = r % 2;
    return h * head_rows + j * half + i;
}

class Planner {
public:
    Planner(const SafetensorsCheckpoint& ckpt, const HfConfig& config) : ckpt_(ckpt), config_(config) {}

    // Adds `hf_name` as `gguf_name`, checking its shape ([rows, cols], or [cols] when rows is 0).
    Status add(const std::string& hf_name, const std::string& gguf_name, int64_t rows, int64_t cols,
               int64_t permute_heads = 0) {
        const SafetensorsTensor* t = ckpt_.find(hf_name);
        if (!t) return Error{"tensor '" + hf_name + "' is missing from the checkpoint (config.json needs it)"};
        const std::vector<int64_t> expected = rows == 0 ? std::vector<int64_t>{cols} : std::vector<int64_t>{rows, cols};
        if (t->shape != expected)
            return Error{"tensor '" + hf_name + "' has shape " + shape_text(t->shape) + " but config.json implies " +
                         shape_text(expected) + " (" + t->file + ")"};
        used_.push_back(hf_name);
        plan_.push_back({gguf_name, t, rows == 0 ? 1 : rows, cols, permute_heads, {}, TensorType::F32});
        return {};
    }
    void add_values(const std::string& gguf_name, std::vector<float> values) {
        const auto n = static_cast<int64_t>(values.size());
        plan_.push_back({gguf_name, nullptr, 1, n, 0, std::move(values), TensorType::F32});
    }
    bool has(const std::string& hf_name) const { return ckpt_.find(hf_name) != nullptr; }

    // Every checkpoint tensor must have found a place: anything else is a model this
    // converter does not understand, and dropping it silently would give wrong output.
    Status check_all_used() const {
        std::vector<std::string> unused;
        for (const auto& [name, t] : ckpt_.tensors())
            if (std::find(used_.begin(), used_.end(), name) == used_.end() &&
                name.find("rotary_emb.inv_freq") == std::string::npos)
                unused.push_back(name);
        if (unused.empty()) return {};
        std::string list;
        for (size_t i = 0; i < unused.size() && i < 3; ++i) list += (i ? ", " : "") + unused[i];
        return Error{std::to_string(unused.size()) + " checkpoint tensor(s) do not fit the layer plan of config.json (" +
                     list + (unused.size() > 3 ? ", ..." : "") + ")"};
    }
    std::vector<PlannedTensor>& plan() { return plan_; }

private:
    static std::string shape_text(const std::vector<int64_t>& s) {
        std::string out = "[";
        for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
        return out + "]";
    }
    const SafetensorsCheckpoint& ckpt_;
    const HfConfig& config_;
    std::vector<std::string> used_;
    std::vector<PlannedTensor> plan_;
};

Status plan_tensors(Planner& p, const HfConfig& c) {
    const int64_t H = c.n_embd, hd = c.head_dim;
    TESSERA_TRY(p.add("model.embed_tokens.weight", "token_embd.weight", c.n_vocab, H));
    for (size_t i = 0; i < c.layers.size(); ++i) {
        const HfLayer& l = c.layers[i];
        const std::string hf = "model.layers." + std::to_string(i) + ".";
        const std::string gg = "blk." + std::to_string(i) + ".";
        if (l.attention != AttentionKind::None)
            TESSERA_TRY(p.add(hf + "input_layernorm.weight", gg + "attn_norm.weight", 0, H));
        if (l.attention == AttentionKind::Gqa) {
            TESSERA_TRY(p.add(hf + "self_attn.q_proj.weight", gg + "attn_q.weight", c.n_head * hd, H, c.n_head));
            TESSERA_TRY(p.add(hf + "self_attn.k_proj.weight", gg + "attn_k.weight", l.n_head_kv * hd, H, l.n_head_kv));
            TESSERA_TRY(p.add(hf + "self_attn.v_proj.weight", gg + "attn_v.weight", l.n_head_kv * hd, H));
            TESSERA_TRY(p.add(hf + "self_attn.o_proj.weight", gg + "attn_output.weight", H, c.n_head * hd));
        } else if (l.attention == AttentionKind::Linear) {
            TESSERA_TRY(p.add(hf + "self_attn.linear_attn.weight", gg + "attn_output.weight", H, H));
        }
        if (l.ffn != FfnKind::None)
            TESSERA_TRY(p.add(hf + "post_attention_layernorm.weight", gg + "ffn_norm.weight", 0, H));
        if (l.ffn == FfnKind::SwiGlu) {
            TESSERA_TRY(p.add(hf + "mlp.gate_proj.weight", gg + "ffn_gate.weight", l.ffn_width, H));
            TESSERA_TRY(p.add(hf + "mlp.up_proj.weight", gg + "ffn_up.weight", l.ffn_width, H));
            TESSERA_TRY(p.add(hf + "mlp.down_proj.weight", gg + "ffn_down.weight", H, l.ffn_width));
        } else if (l.ffn == FfnKind::Linear) {
            TESSERA_TRY(p.add(hf + "mlp.linear_mlp.weight", gg + "ffn_linear.weight", H, H));
        }
    }
    TESSERA_TRY(p.add("model.norm.weight", "output_norm.weight", 0, H));
    // A tied model may still carry a copy of lm_head; it is the embedding, so it is not written.
    if (!c.tied_embeddings || p.has("lm_head.weight")) {
        if (c.tied_embeddings) {
            TESSERA_TRY(p.add("lm_head.weight", "", c.n_vocab, H));
            p.plan().pop_back();
        } else {
            TESSERA_TRY(p.add("lm_head.weight", "output.weight", c.n_vocab, H));
        }
    }
    if (c.llama3_rope) p.add_values("rope_freqs.weight", llama3_rope_divisors(c.rope_theta, hd, *c.llama3_rope));
    return p.check_all_used();
}

void write_metadata(GgufWriter& w, const HfConfig& c, const std::string& name, TensorType type, const std::string& mix) {
    const std::string a = c.architecture + ".";
    w.set_string("general.architecture", c.architecture);
    w.set_string("general.name", name);
    w.set_u32("general.file_type", file_type_id(type, mix));
    if (!mix.empty() || tensor_type_info(type).block_elems > 1) w.set_u32("general.quantization_version", 2);
    w.set_u32(a + "block_count", static_cast<uint32_t>(c.layers.size()));
    w.set_u32(a + "context_length", static_cast<uint32_t>(c.n_ctx));
    w.set_u32(a + "embedding_length", static_cast<uint32_t>(c.n_embd));
    std::vector<int32_t> widths, heads, heads_kv;
    for (const HfLayer& l : c.layers) {
        widths.push_back(l.ffn == FfnKind::SwiGlu ? static_cast<int32_t>(l.ffn_width) : 0);
        heads.push_back(l.attention == AttentionKind::None ? 0 : static_cast<int32_t>(c.n_head));
        heads_kv.push_back(l.attention == AttentionKind::Gqa ? static_cast<int32_t>(l.n_head_kv) : 0);
    }
    w.set_i32_array(a + "feed_forward_length", widths);
    w.set_i32_array(a + "attention.head_count", heads);
    w.set_i32_array(a + "attention.head_count_kv", heads_kv);
    w.set_u32(a + "attention.key_length", static_cast<uint32_t>(c.head_dim));
    w.set_u32(a + "attention.value_length", static_cast<uint32_t>(c.head_dim));
    w.set_u32(a + "rope.dimension_count", static_cast<uint32_t>(c.head_dim));
    w.set_f32(a + "rope.freq_base", static_cast<float>(c.rope_theta));
    w.set_f32(a + "attention.layer_norm_rms_epsilon", static_cast<float>(c.rms_eps));
    w.set_u32(a + "vocab_size", static_cast<uint32_t>(c.n_vocab));
}

// Converts rows [begin, end) of t into dst (row-major, the tensor's type).
Status convert_rows(const PlannedTensor& t, int64_t begin, int64_t end, uint8_t* dst) {
    const size_t row_size = quantized_size(t.type, t.cols);
    std::vector<float> row(static_cast<size_t>(t.cols));
    for (int64_t r = begin; r < end; ++r) {
        if (t.source) {
            const int64_t src = t.permute_heads > 0 ? permuted_source_row(r, t.permute_heads, t.rows) : r;
            t.source->read_row(src, row.data());
        } else {
            std::copy(t.values.begin(), t.values.end(), row.begin());
        }
        TESSERA_TRY(quantize_row(t.type, row.data(), dst + static_cast<size_t>(r) * row_size, t.cols));
    }
    return {};
}

}  // namespace

Status convert_hf_checkpoint(const std::string& folder, const std::string& out_path, const ConvertOptions& options) {
    auto config_text = read_text_file(fs::path(folder) / "config.json");
    if (!config_text) return config_text.error();
    auto config = parse_hf_config(*config_text);
    if (!config) return config.error();
    auto ckpt = SafetensorsCheckpoint::open(folder);
    if (!ckpt) return ckpt.error();
    auto tokenizer = read_hf_tokenizer(folder, *config);
    if (!tokenizer) return tokenizer.error();

    Planner planner(**ckpt, *config);
    TESSERA_TRY(plan_tensors(planner, *config));
    std::vector<PlannedTensor>& plan = planner.plan();

    // Types: 1-D tensors f32; matrices the requested type (or the mix's), with llama.cpp's
    // fallback where a row does not fill whole blocks.
    bool bf16_source = false;
    for (const auto& t : plan) bf16_source |= t.source && t.source->dtype == SafetensorsDtype::BF16;
    const TensorType base = options.type.value_or(bf16_source ? TensorType::BF16 : TensorType::F16);
    MixCounters counters;
    for (const auto& t : plan) {
        counters.n_attn_v += t.name.find("attn_v.weight") != std::string::npos;
        counters.n_ffn_down += t.name.find("ffn_down") != std::string::npos;
    }
    for (auto& t : plan) {
        if (t.rows == 1 || t.name == "rope_freqs.weight") continue;
        t.type = tensor_type_for(t.name, t.cols, base, options.mix, config->tied_embeddings, counters);
    }

    GgufWriter writer;
    write_metadata(writer, *config, fs::path(folder).filename().string(), base, options.mix);
    tokenizer->write_to(writer);

    ConvertProgress progress;
    progress.tensors_total = static_cast<int64_t>(plan.size());
    for (const auto& t : plan) progress.bytes_total += t.source ? t.source->bytes.size() : 0;
    const int n_threads = default_threads(options.n_threads);
    Status failure;
    for (const PlannedTensor& t : plan) {
        writer.add_tensor_lazy(t.name, t.type, {t.cols, t.rows}, [&, tp = &t](uint8_t* dst) {
            progress.tensor = tp->name;
            if (options.progress) options.progress(progress);
            Status s = for_row_ranges(tp->rows, n_threads,
                                      [&](int64_t begin, int64_t end) { return convert_rows(*tp, begin, end, dst); });
            if (!s && failure) failure = s;
            ++progress.tensors_done;
            progress.bytes_done += tp->source ? tp->source->bytes.size() : 0;
            if (options.progress) options.progress(progress);
        });
    }
    writer.set_stop_check(stop_on_failure_or_cancel(failure, options.cancel));
    return write_gguf_output(writer, out_path, failure);
}

}  // namespace tessera

#include "synthetic_hf.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/half.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// GGUF tensor name -> Hugging Face name ("" for tensors HF does not store).
std::string hf_name(const std::string& gguf, const SyntheticSpec& spec) {
    if (gguf == "token_embd.weight") return "model.embed_tokens.weight";
    if (gguf == "output_norm.weight") return "model.norm.weight";
    if (gguf == "output.weight") return "lm_head.weight";
    if (gguf.rfind("blk.", 0) != 0) return "";
    const size_t dot = gguf.find('.', 4);
    const std::string layer = gguf.substr(4, dot - 4), part = gguf.substr(dot + 1);
    const std::string prefix = "model.layers." + layer + ".";
    const bool linear_attn = spec.layers[std::stoul(layer)].attention == AttentionKind::Linear;
    static const std::pair<const char*, const char*> kParts[] = {
        {"attn_norm.weight", "input_layernorm.weight"},       {"attn_q.weight", "self_attn.q_proj.weight"},
        {"attn_k.weight", "self_attn.k_proj.weight"},          {"attn_v.weight", "self_attn.v_proj.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"}, {"ffn_gate.weight", "mlp.gate_proj.weight"},
        {"ffn_up.weight", "mlp.up_proj.weight"},               {"ffn_down.weight", "mlp.down_proj.weight"},
        {"ffn_linear.weight", "mlp.linear_mlp.weight"},
    };
    if (part == "attn_output.weight") return prefix + (linear_attn ? "self_attn.linear_attn.weight" : "self_attn.o_proj.weight");
    for (const auto& [g, h] : kParts)
        if (part == g) return prefix + h;
    return "";
}

// Q and K rows are stored in HF order (RoPE on (i, i + hd/2)); the synthetic GGUF rows are
// in GGUF order (adjacent pairs). HF row (h, j, i) is GGUF row (h, i, j), the inverse of
// the converter's permutation, so converting this checkpoint gives back the GGUF model.
int64_t gguf_row_of_hf_row(int64_t row, int64_t heads, int64_t rows) {
    const int64_t head_rows = rows / heads, half = head_rows / 2;
    const int64_t h = row / head_rows, r = row % head_rows;
    const int64_t j = r / half, i = r % half;
    return h * head_rows + i * 2 + j;
}

// Heads of a Q or K matrix (its rows are permuted), 0 for every other tensor.
int64_t rope_heads(const std::string& gguf, const SyntheticSpec& spec) {
    const bool q = gguf.find(".attn_q.") != std::string::npos, k = gguf.find(".attn_k.") != std::string::npos;
    if (!q && !k) return 0;
    const auto layer = std::stoul(gguf.substr(4, gguf.find('.', 4) - 4));
    return q ? spec.n_head : spec.layers[layer].n_head_kv;
}

json config_json(const SyntheticSpec& spec) {
    json blocks = json::array();
    for (const SyntheticLayer& l : spec.layers) {
        json attn = {{"no_op", l.attention == AttentionKind::None},
                     {"replace_with_linear", l.attention == AttentionKind::Linear},
                     {"n_heads_in_group", l.attention == AttentionKind::Gqa ? json(spec.n_head / l.n_head_kv) : json()}};
        // ffn_mult that gives back exactly this width: 2 * (1.5 W / H) * H / 3 = W.
        json ffn = {{"no_op", l.ffn == FfnKind::None},
                    {"replace_with_linear", l.ffn == FfnKind::Linear},
                    {"ffn_mult", l.ffn == FfnKind::SwiGlu ? json(1.5 * static_cast<double>(l.ffn_width) /
                                                                 static_cast<double>(spec.n_embd))
                                                          : json()}};
        blocks.push_back({{"attention", attn}, {"ffn", ffn}});
    }
    json c = {{"architectures", {"DeciLMForCausalLM"}}, {"model_type", "nemotron-nas"},
              {"hidden_size", spec.n_embd},             {"num_attention_heads", spec.n_head},
              {"num_hidden_layers", spec.layers.size()}, {"vocab_size", spec.n_vocab},
              {"max_position_embeddings", spec.n_ctx},  {"rope_theta", spec.rope_base},
              {"rms_norm_eps", spec.rms_eps},           {"tie_word_embeddings", spec.tied_output},
              {"torch_dtype", "bfloat16"},              {"block_configs", blocks}};
    if (spec.head_dim > 0) c["head_dim"] = spec.head_dim;
    if (spec.rope_freqs)
        c["rope_scaling"] = {{"rope_type", "llama3"}, {"factor", 8.0}, {"low_freq_factor", 1.0},
                             {"high_freq_factor", 4.0}, {"original_max_position_embeddings", 8192}};
    return c;
}

Result<int64_t> tokenizer_vocab_size(const fs::path& tokenizer_json) {
    std::ifstream in(tokenizer_json);
    if (!in) return Error{"cannot read " + tokenizer_json.string()};
    json t;
    try {
        t = json::parse(in);
    } catch (const json::exception& e) {
        return Error{tokenizer_json.string() + ": " + e.what()};
    }
    int64_t n = 0;
    for (const auto& [text, id] : t["model"]["vocab"].items()) n = std::max(n, id.get<int64_t>() + 1);
    for (const auto& added : t.value("added_tokens", json::array())) n = std::max(n, added["id"].get<int64_t>() + 1);
    return n;
}

}  // namespace

Status write_synthetic_hf_checkpoint(SyntheticSpec spec, const std::string& dir, const std::string& tokenizer_dir) {
    auto n_vocab = tokenizer_vocab_size(fs::path(tokenizer_dir) / "tokenizer.json");
    if (!n_vocab) return n_vocab.error();
    spec.n_vocab = *n_vocab;
    spec.tokenizer_from.clear();
    // DeciLM configs give FFN widths as ffn_mult, which always lands on a multiple of 256;
    // widths in between (nas-bench-1b has 4480) are rounded up to one it can express.
    for (SyntheticLayer& l : spec.layers)
        if (l.ffn == FfnKind::SwiGlu) l.ffn_width = (l.ffn_width + 255) / 256 * 256;
    spec.type = TensorType::F32;
    spec.mix.clear();
    auto file = build_synthetic_file(spec);
    if (!file) return file.error();

    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error{"cannot create " + dir + ": " + ec.message()};
    for (const char* name : {"tokenizer.json", "tokenizer_config.json"})
        if (fs::exists(fs::path(tokenizer_dir) / name))
            fs::copy_file(fs::path(tokenizer_dir) / name, fs::path(dir) / name, fs::copy_options::overwrite_existing);
    std::ofstream(fs::path(dir) / "config.json") << config_json(spec).dump(2);

    // Header first (offsets are known from the shapes), then the bf16 bytes row by row.
    std::vector<std::pair<std::string, const SyntheticTensor*>> tensors;
    json header = json::object();
    uint64_t offset = 0;
    for (const SyntheticTensor& t : file->tensors) {
        const std::string name = hf_name(t.name, spec);
        if (name.empty()) continue;
        json shape = json::array();
        uint64_t elements = 1;
        for (auto it = t.dims.rbegin(); it != t.dims.rend(); ++it) {
            shape.push_back(*it);
            elements *= static_cast<uint64_t>(*it);
        }
        header[name] = {{"dtype", "BF16"}, {"shape", shape}, {"data_offsets", {offset, offset + 2 * elements}}};
        offset += 2 * elements;
        tensors.emplace_back(name, &t);
    }
    std::string header_text = header.dump();
    header_text.append((8 - header_text.size() % 8) % 8, ' ');
    std::ofstream out(fs::path(dir) / "model.safetensors", std::ios::binary);
    const uint64_t header_len = header_text.size();
    out.write(reinterpret_cast<const char*>(&header_len), 8);
    out.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (const auto& [name, t] : tensors) {
        const int64_t cols = t->dims[0];
        const int64_t rows = t->dims.size() > 1 ? t->dims[1] : 1;
        const int64_t heads = rope_heads(t->name, spec);
        std::vector<float> row(static_cast<size_t>(cols));
        std::vector<uint16_t> bf16(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
            t->rows(heads > 0 ? gguf_row_of_hf_row(r, heads, rows) : r, row.data(), cols);
            for (int64_t i = 0; i < cols; ++i) bf16[static_cast<size_t>(i)] = f32_to_bf16(row[static_cast<size_t>(i)]);
            out.write(reinterpret_cast<const char*>(bf16.data()), static_cast<std::streamsize>(2 * cols));
        }
    }
    if (!out) return Error{"writing " + dir + "/model.safetensors failed (disk full?)"};
    return {};
}

Status write_tiny_bpe_tokenizer(const std::string& dir, int n) {
    nlohmann::json vocab = nlohmann::json::object();
    for (int i = 0; i < n; ++i) vocab[std::string(1, static_cast<char>('!' + i))] = i;
    const nlohmann::json tok = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}},
                                {"pre_tokenizer", {{"type", "ByteLevel"}}},
                                {"added_tokens", nlohmann::json::array()}};
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::ofstream out(fs::path(dir) / "tokenizer.json");
    out << tok.dump();
    if (!out) return Error{"cannot write " + (fs::path(dir) / "tokenizer.json").string()};
    return {};
}

}  // namespace tessera

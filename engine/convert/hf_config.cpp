#include "convert/hf_config.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace tessera {
namespace {

using nlohmann::json;

Error config_error(const std::string& what) { return Error{"config.json: " + what}; }

bool is_set(const json& j, const char* key) {
    if (!j.contains(key)) return false;
    const json& v = j[key];
    return !(v.is_null() || (v.is_boolean() && !v.get<bool>()));
}

Result<int64_t> positive_int(const json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_integer() || j[key].get<int64_t>() <= 0)
        return config_error(std::string("'") + key + "' must be a positive whole number");
    return j[key].get<int64_t>();
}

// Fields of a block config (or the top level) whose behaviour this engine does not compute.
Status reject_unsupported(const json& j, std::initializer_list<const char*> keys, const std::string& where) {
    for (const char* key : keys)
        if (is_set(j, key))
            return config_error(where + " sets '" + key +
                                "', which Tessera does not implement; the model cannot be converted faithfully");
    return {};
}

Result<HfLayer> parse_block(const json& block, size_t index, int64_t n_head, int64_t n_embd) {
    const std::string where = "block_configs[" + std::to_string(index) + "]";
    if (!block.is_object() || !block.contains("attention") || !block.contains("ffn"))
        return config_error(where + " needs 'attention' and 'ffn'");
    const json& attn = block["attention"];
    const json& ffn = block["ffn"];
    TESSERA_TRY(reject_unsupported(attn, {"window_length", "num_sink_tokens", "sparsify", "unshifted_sink",
                                          "use_prefill_window_in_sink_attention", "mamba", "llama4"},
                                   where + ".attention"));
    TESSERA_TRY(reject_unsupported(ffn, {"sparsify", "moe"}, where + ".ffn"));
    TESSERA_TRY(reject_unsupported(block, {"parallel_blocks"}, where));

    HfLayer layer;
    if (is_set(attn, "no_op")) {
        layer.attention = AttentionKind::None;
    } else if (is_set(attn, "replace_with_linear")) {
        layer.attention = AttentionKind::Linear;
    } else {
        if (!attn.contains("n_heads_in_group") || !attn["n_heads_in_group"].is_number_integer())
            return config_error(where + ".attention needs n_heads_in_group (or no_op / replace_with_linear)");
        const int64_t g = attn["n_heads_in_group"].get<int64_t>();
        if (g <= 0 || n_head % g != 0)
            return config_error(where + ".attention.n_heads_in_group " + std::to_string(g) + " does not divide " +
                                std::to_string(n_head) + " heads");
        layer.attention = AttentionKind::Gqa;
        layer.n_head_kv = n_head / g;
    }
    if (is_set(ffn, "no_op")) {
        layer.ffn = FfnKind::None;
    } else if (is_set(ffn, "replace_with_linear")) {
        layer.ffn = FfnKind::Linear;
    } else {
        if (!ffn.contains("ffn_mult") || !ffn["ffn_mult"].is_number() || ffn["ffn_mult"].get<double>() <= 0)
            return config_error(where + ".ffn needs a positive ffn_mult (or no_op / replace_with_linear)");
        layer.ffn = FfnKind::SwiGlu;
        layer.ffn_width = ffn_width_from_mult(ffn["ffn_mult"].get<double>(), n_embd);
    }
    return layer;
}

Status parse_rope_scaling(const json& j, HfConfig& c) {
    if (!j.contains("rope_scaling") || j["rope_scaling"].is_null()) return {};
    const json& s = j["rope_scaling"];
    const std::string type = s.value("rope_type", s.value("type", std::string()));
    if (type == "llama3") {
        Llama3RopeScaling r;
        r.factor = s.value("factor", r.factor);
        r.low_freq_factor = s.value("low_freq_factor", r.low_freq_factor);
        r.high_freq_factor = s.value("high_freq_factor", r.high_freq_factor);
        r.original_context = s.value("original_max_position_embeddings", r.original_context);
        if (!(r.factor > 0 && r.high_freq_factor > r.low_freq_factor && r.original_context > 0))
            return config_error("rope_scaling has values llama3 scaling cannot use");
        c.llama3_rope = r;
        return {};
    }
    // Dynamic NTK (DeciLM-7B) changes nothing within the trained context, which is what runs.
    if (type == "dynamic") return {};
    return config_error("rope_scaling type '" + type + "' is not supported (llama3 and dynamic are)");
}

}  // namespace

int64_t ffn_width_from_mult(double ffn_mult, int64_t n_embd) {
    const auto width = static_cast<int64_t>(2.0 * ffn_mult * static_cast<double>(n_embd) / 3.0);
    return (width + 255) / 256 * 256;
}

Result<HfConfig> parse_hf_config(std::string_view json_text) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception& e) {
        return config_error(std::string("not valid JSON (") + e.what() + ")");
    }
    if (!j.is_object()) return config_error("not a JSON object");
    std::string arch;
    if (j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty() &&
        j["architectures"][0].is_string())
        arch = j["architectures"][0].get<std::string>();
    if (arch != "DeciLMForCausalLM" && arch != "LlamaForCausalLM")
        return config_error("architecture '" + arch +
                            "' is not supported (DeciLMForCausalLM and LlamaForCausalLM are; Nemotron-H comes later)");
    TESSERA_TRY(reject_unsupported(j, {"attention_bias", "mlp_bias", "sliding_window", "num_experts",
                                       "num_local_experts", "mamba_num_heads"},
                                   "the model"));

    HfConfig c;
    auto h = positive_int(j, "hidden_size");
    auto nh = positive_int(j, "num_attention_heads");
    auto nl = positive_int(j, "num_hidden_layers");
    auto nv = positive_int(j, "vocab_size");
    if (!h) return h.error();
    if (!nh) return nh.error();
    if (!nl) return nl.error();
    if (!nv) return nv.error();
    c.n_embd = *h;
    c.n_head = *nh;
    c.n_vocab = *nv;
    c.head_dim = j.contains("head_dim") && j["head_dim"].is_number_integer() ? j["head_dim"].get<int64_t>()
                                                                               : c.n_embd / c.n_head;
    if (c.head_dim <= 0 || c.head_dim % 2 != 0) return config_error("the head size must be even and positive");
    c.n_ctx = j.value("max_position_embeddings", int64_t{4096});
    c.rope_theta = j.value("rope_theta", 10000.0);
    c.rms_eps = j.value("rms_norm_eps", 1e-5);
    c.tied_embeddings = j.value("tie_word_embeddings", false);
    TESSERA_TRY(parse_rope_scaling(j, c));
    if (j.contains("bos_token_id") && j["bos_token_id"].is_number_integer()) c.bos_id = j["bos_token_id"].get<int64_t>();
    if (j.contains("eos_token_id")) {
        const json& e = j["eos_token_id"];
        if (e.is_number_integer()) c.eos_ids.push_back(e.get<int64_t>());
        if (e.is_array())
            for (const auto& id : e)
                if (id.is_number_integer()) c.eos_ids.push_back(id.get<int64_t>());
    }

    if (arch == "DeciLMForCausalLM" && j.contains("block_configs")) {
        c.architecture = "deci";
        if (!j["block_configs"].is_array() || j["block_configs"].size() != static_cast<size_t>(*nl))
            return config_error("block_configs must list one block per layer (" + std::to_string(*nl) + ")");
        for (size_t i = 0; i < j["block_configs"].size(); ++i) {
            auto layer = parse_block(j["block_configs"][i], i, c.n_head, c.n_embd);
            if (!layer) return layer.error();
            c.layers.push_back(*layer);
        }
        return c;
    }

    // Uniform layers: LlamaForCausalLM, or DeciLM-7B with a KV-head count per layer.
    c.architecture = arch == "DeciLMForCausalLM" ? "deci" : "llama";
    auto width = positive_int(j, "intermediate_size");
    if (!width) return width.error();
    std::vector<int64_t> kv(static_cast<size_t>(*nl), j.value("num_key_value_heads", c.n_head));
    if (j.contains("num_key_value_heads_per_layer")) {
        const json& per = j["num_key_value_heads_per_layer"];
        if (!per.is_array() || per.size() != kv.size())
            return config_error("num_key_value_heads_per_layer must list one count per layer");
        for (size_t i = 0; i < kv.size(); ++i) kv[i] = per[i].is_number_integer() ? per[i].get<int64_t>() : 0;
    }
    for (size_t i = 0; i < kv.size(); ++i) {
        if (kv[i] <= 0 || c.n_head % kv[i] != 0)
            return config_error("layer " + std::to_string(i) + ": " + std::to_string(kv[i]) +
                                " KV heads do not divide " + std::to_string(c.n_head) + " heads");
        c.layers.push_back({AttentionKind::Gqa, kv[i], FfnKind::SwiGlu, *width});
    }
    return c;
}

}  // namespace tessera

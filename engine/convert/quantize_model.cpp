#include "convert/quantize_model.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "convert/output_file.h"
#include "convert/row_ranges.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "quant/quant_mix.h"
#include "quant/quantize.h"

namespace tessera {
namespace {

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative '*' matching with backtracking to the last star.
    size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

// N of "blk.N.<...>", or -1.
int64_t layer_of(const std::string& name) {
    if (name.rfind("blk.", 0) != 0) return -1;
    int64_t n = 0;
    size_t i = 4;
    if (i >= name.size() || name[i] < '0' || name[i] > '9') return -1;
    for (; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i) n = n * 10 + (name[i] - '0');
    return n;
}

// A per-layer key's value for layer 0 (scalar keys hold it for every layer); 0 if absent.
int64_t first_layer_value(const GgufFile& file, const std::string& key) {
    if (auto array = file.get_i64_array(key); array && !array->empty()) return array->front();
    if (auto scalar = file.get_i64(key)) return *scalar;
    return 0;
}

bool is_quantizable(const GgufTensorInfo& t) {
    return t.dims.size() == 2 && t.name.find("_norm") == std::string::npos && t.name != "rope_freqs.weight";
}

TensorType choose_type(const GgufTensorInfo& t, const QuantizeOptions& o, bool tied, MixCounters& counters) {
    const int64_t layer = layer_of(t.name);
    for (const QuantizeRule& r : o.rules)
        if (glob_match(r.tensors, t.name) &&
            (r.first_layer < 0 || (layer >= r.first_layer && layer <= r.last_layer)))
            return fallback_type(r.type, t.dims[0]);
    return tensor_type_for(t.name, t.dims[0], o.type, o.mix, tied, counters);
}

}  // namespace

Result<std::vector<QuantizeRule>> parse_quantize_policy(std::string_view json_text) {
    using nlohmann::json;
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception& e) {
        return Error{std::string("policy: not valid JSON (") + e.what() + ")"};
    }
    if (!j.is_object() || !j.contains("rules") || !j["rules"].is_array())
        return Error{"policy: expected {\"rules\": [{\"tensors\": PATTERN, \"type\": TYPE, \"layers\": [FIRST, LAST]}]}"};
    std::vector<QuantizeRule> rules;
    for (size_t i = 0; i < j["rules"].size(); ++i) {
        const json& r = j["rules"][i];
        const std::string where = "policy rule " + std::to_string(i + 1) + ": ";
        if (!r.is_object() || !r.contains("tensors") || !r["tensors"].is_string() || !r.contains("type") ||
            !r["type"].is_string())
            return Error{where + "needs \"tensors\" (a name pattern) and \"type\""};
        QuantizeRule rule;
        rule.tensors = r["tensors"].get<std::string>();
        std::string mix;
        if (Status s = parse_type_name(r["type"].get<std::string>(), rule.type, mix); !s) return wrap_error(where, s.error());
        if (!mix.empty()) return Error{where + "a rule takes a tensor type (q6_k, q8_0, ...), not the mix " + mix};
        if (r.contains("layers")) {
            const json& l = r["layers"];
            if (!l.is_array() || l.size() != 2 || !l[0].is_number_unsigned() || !l[1].is_number_unsigned() ||
                l[0].get<int64_t>() > l[1].get<int64_t>())
                return Error{where + "\"layers\" must be [FIRST, LAST] with FIRST <= LAST"};
            rule.first_layer = l[0].get<int64_t>();
            rule.last_layer = l[1].get<int64_t>();
        }
        rules.push_back(std::move(rule));
    }
    return rules;
}

namespace {

std::vector<std::pair<std::string, TensorType>> plan_for(const GgufFile& file, const QuantizeOptions& options) {
    const bool tied = file.tensor("output.weight") == nullptr;
    MixCounters counters;
    for (const auto& t : file.tensors()) {
        counters.n_attn_v += t.name.find("attn_v.weight") != std::string::npos;
        counters.n_ffn_down += t.name.find("ffn_down") != std::string::npos;
    }
    // llama.cpp's n_gqa(): query heads per KV head of the first layer (0 when it has no KV heads).
    auto arch = file.get_string("general.architecture");
    const int64_t heads = arch ? first_layer_value(file, *arch + ".attention.head_count") : 0;
    const int64_t heads_kv = arch ? first_layer_value(file, *arch + ".attention.head_count_kv") : 0;
    if (heads_kv > 0) counters.n_gqa = static_cast<int>(heads / heads_kv);
    std::vector<std::pair<std::string, TensorType>> plan;
    for (const auto& t : file.tensors())
        plan.emplace_back(t.name, is_quantizable(t) ? choose_type(t, options, tied, counters) : t.type);
    return plan;
}

}  // namespace

Result<std::vector<std::pair<std::string, TensorType>>> plan_quantization(const std::string& in,
                                                                         const QuantizeOptions& options) {
    auto file = GgufFile::open(in);
    if (!file) return file.error();
    return plan_for(**file, options);
}

Status quantize_model(const std::string& in, const std::string& out, const QuantizeOptions& options) {
    auto opened = GgufFile::open(in);
    if (!opened) return opened.error();
    const GgufFile& file = **opened;
    const auto plan = plan_for(file, options);
    // Per tensor, its importance weights when it has an entry and a weighted quantizer;
    // checked before anything is written, so a matrix for another model stops the run early.
    std::vector<std::optional<std::vector<float>>> importance(file.tensors().size());
    if (options.importance)
        for (size_t i = 0; i < file.tensors().size(); ++i) {
            const GgufTensorInfo& t = file.tensors()[i];
            if (plan[i].second == t.type || !has_weighted_quantizer(plan[i].second)) continue;
            auto w = options.importance->weights_for(t.name, t.dims[0]);
            if (!w) return w.error();
            importance[i] = std::move(w.value());
        }

    GgufWriter writer(file.alignment());
    for (const auto& [key, value] : file.metadata())
        if (key != "general.file_type" && key != "general.quantization_version") writer.set_value(key, value);
    writer.set_u32("general.file_type", file_type_id(options.type, options.mix));
    writer.set_u32("general.quantization_version", 2);
    if (options.importance) {  // as llama.cpp records it
        if (!options.importance_file.empty()) writer.set_string("quantize.imatrix.file", options.importance_file);
        if (!options.importance->datasets.empty())
            writer.set_string("quantize.imatrix.dataset", options.importance->datasets.front());
        writer.set_i32("quantize.imatrix.entries_count", static_cast<int32_t>(options.importance->entries.size()));
        writer.set_i32("quantize.imatrix.chunks_count", static_cast<int32_t>(options.importance->chunk_count));
    }

    ConvertProgress progress;
    progress.tensors_total = static_cast<int64_t>(file.tensors().size());
    for (const auto& t : file.tensors()) progress.bytes_total += t.n_bytes;
    const int n_threads = default_threads(options.n_threads);
    Status failure;
    for (size_t i = 0; i < file.tensors().size(); ++i) {
        const GgufTensorInfo* t = &file.tensors()[i];
        const TensorType type = plan[i].second;
        const float* weights = importance[i] ? importance[i]->data() : nullptr;
        writer.add_tensor_lazy(t->name, type, t->dims, [&, t, type, weights](uint8_t* dst) {
            progress.tensor = t->name;
            if (options.progress) options.progress(progress);
            if (type == t->type) {
                std::copy_n(t->data, t->n_bytes, dst);  // unchanged: the bytes as they are
            } else {
                const int64_t cols = t->dims[0];
                const TensorTypeInfo& src_info = tensor_type_info(t->type);
                const size_t src_row = row_bytes(src_info, cols), dst_row = quantized_size(type, cols);
                Status s = for_row_ranges(t->n_rows(), n_threads, [&](int64_t begin, int64_t end) -> Status {
                    std::vector<float> row(static_cast<size_t>(cols));
                    for (int64_t r = begin; r < end; ++r) {
                        dequantize_row(t->type, t->data + static_cast<size_t>(r) * src_row, row.data(), cols);
                        TESSERA_TRY(quantize_row_weighted(type, row.data(), dst + static_cast<size_t>(r) * dst_row, cols,
                                                          weights));
                    }
                    return {};
                });
                if (!s && failure) failure = s;
            }
            ++progress.tensors_done;
            progress.bytes_done += t->n_bytes;
            if (options.progress) options.progress(progress);
        });
    }
    writer.set_stop_check(stop_on_failure_or_cancel(failure, options.cancel));
    return write_gguf_output(writer, out, failure);
}

}  // namespace tessera

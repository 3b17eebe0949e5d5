#include "synthetic_model.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <numbers>
#include <thread>
#include <type_traits>

#include "core/half.h"
#include "gguf/gguf_writer.h"
#include "model/rope_scaling.h"
#include "quant/quantize.h"
#include "synthetic_random.h"
#include "synthetic_vocab.h"

namespace tessera {

// ---------------------------------------------------------------------------------------------
// SyntheticFile editing

SyntheticValue* SyntheticFile::find_key(const std::string& key) {
    for (auto& [k, v] : metadata)
        if (k == key) return &v;
    return nullptr;
}

SyntheticTensor* SyntheticFile::find_tensor(const std::string& name) {
    for (auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

bool SyntheticFile::erase_key(const std::string& key) {
    return std::erase_if(metadata, [&](const auto& kv) { return kv.first == key; }) > 0;
}

bool SyntheticFile::erase_tensor(const std::string& name) {
    return std::erase_if(tensors, [&](const auto& t) { return t.name == name; }) > 0;
}

void SyntheticFile::set_key(const std::string& key, SyntheticValue value) {
    if (SyntheticValue* existing = find_key(key)) *existing = std::move(value);
    else metadata.emplace_back(key, std::move(value));
}

// ---------------------------------------------------------------------------------------------
// Spec validation

Status validate_spec(const SyntheticSpec& spec) {
    if (spec.n_embd <= 0 || spec.n_head <= 0) return Error{"n_embd and n_head must be positive"};
    if (spec.head_dim < 0) return Error{"head_dim must not be negative"};
    if (spec.head_dim == 0 && spec.n_embd % spec.n_head != 0)
        return Error{"n_embd " + std::to_string(spec.n_embd) + " is not a multiple of n_head " + std::to_string(spec.n_head)};
    if (spec.resolved_head_dim() % 2 != 0) return Error{"the head size must be even for RoPE"};
    if (spec.n_vocab <= 0 && spec.tokenizer_from.empty()) return Error{"n_vocab must be positive"};
    if (spec.n_ctx <= 0) return Error{"the context length must be positive"};
    if (!(spec.rms_eps > 0.0f) || !(spec.rope_base > 1.0f)) return Error{"rms_eps must be positive and rope_theta above 1"};
    if (spec.layers.empty()) return Error{"the model needs at least one layer"};
    if (spec.architecture != "deci" && spec.architecture != "llama")
        return Error{"architecture must be 'deci' or 'llama', not '" + spec.architecture + "'"};
    if (!spec.mix.empty())
        if (auto base = mix_default_type(spec.mix); !base) return base.error();

    for (size_t i = 0; i < spec.layers.size(); ++i) {
        const SyntheticLayer& l = spec.layers[i];
        const std::string where = "layer " + std::to_string(i) + ": ";
        if (l.attention == AttentionKind::Gqa && (l.n_head_kv <= 0 || spec.n_head % l.n_head_kv != 0))
            return Error{where + "n_head " + std::to_string(spec.n_head) + " is not a multiple of kv " + std::to_string(l.n_head_kv)};
        if (l.ffn == FfnKind::SwiGlu && l.ffn_width <= 0) return Error{where + "a SwiGLU FFN needs a positive width"};
        if (spec.architecture == "llama" && (l.attention != AttentionKind::Gqa || l.ffn != FfnKind::SwiGlu))
            return Error{where + "architecture 'llama' holds only GQA attention + SwiGLU layers"};
    }
    return {};
}

// ---------------------------------------------------------------------------------------------
// The plan: metadata and tensors of a spec

namespace {

// std ~ 1/sqrt(fan_in) keeps every matrix product O(1), so activations stay bounded through
// many layers and the logits are O(1) whether or not the output is tied.
RowGenerator matrix_rows(uint64_t seed, const std::string& name) {
    const uint64_t ts = synthetic::tensor_seed(seed, name);
    return [ts](int64_t row, float* out, int64_t n) {
        synthetic::RowRandom rng(ts, row);
        const double scale = 1.0 / std::sqrt(static_cast<double>(n));
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(scale * rng.normal());
    };
}

// Norm weights near 1 but not 1, so a test that forgot a norm sees it.
RowGenerator norm_rows(uint64_t seed, const std::string& name) {
    const uint64_t ts = synthetic::tensor_seed(seed, name);
    return [ts](int64_t row, float* out, int64_t n) {
        synthetic::RowRandom rng(ts, row);
        for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(1.0 + 0.1 * rng.normal());
    };
}

// llama3 RoPE scaling as convert_hf_to_gguf.py writes it: a divisor per frequency.
RowGenerator llama3_rope_rows(double base, int64_t head_dim) {
    return [divisors = llama3_rope_divisors(base, head_dim)](int64_t, float* out, int64_t n) {
        std::copy_n(divisors.begin(), n, out);
    };
}

// Scalar when every layer agrees and the spec asks for scalars; an i32 array otherwise
// (what gguf-py writes for a list of ints).
SyntheticValue per_layer_value(const std::vector<int32_t>& values, bool scalars) {
    const bool uniform = std::all_of(values.begin(), values.end(), [&](int32_t v) { return v == values.front(); });
    if (scalars && uniform) return static_cast<uint32_t>(values.front());
    return values;
}

bool is_matrix_weight(const SyntheticTensor& t) {
    return t.dims.size() == 2 && t.name.find("_norm.") == std::string::npos && t.name != "rope_freqs.weight";
}

}  // namespace

Result<SyntheticFile> build_synthetic_file(const SyntheticSpec& spec_in) {
    SyntheticSpec spec = spec_in;
    SyntheticFile file;

    // The tokenizer first: a copied vocabulary decides n_vocab.
    SyntheticFile vocab;
    if (!spec.tokenizer_from.empty()) {
        auto n = copy_vocab(vocab, spec.tokenizer_from);
        if (!n) return n.error();
        spec.n_vocab = *n;
    } else if (spec.n_vocab > 0) {
        add_builtin_vocab(vocab, spec.n_vocab);
    }
    TESSERA_TRY(validate_spec(spec));

    const std::string& arch = spec.architecture;
    const std::string p = arch + ".";
    const int64_t H = spec.n_embd, hd = spec.resolved_head_dim(), nh = spec.n_head;
    const size_t n_layer = spec.layers.size();

    std::vector<int32_t> heads, heads_kv, widths;
    for (const auto& l : spec.layers) {
        heads.push_back(l.attention == AttentionKind::None ? 0 : static_cast<int32_t>(nh));
        heads_kv.push_back(l.attention == AttentionKind::Gqa ? static_cast<int32_t>(l.n_head_kv) : 0);
        widths.push_back(l.ffn == FfnKind::SwiGlu ? static_cast<int32_t>(l.ffn_width) : 0);
    }

    file.set_key("general.architecture", arch);
    file.set_key("general.name", spec.name);
    file.set_key("general.file_type", file_type_id(spec.type, spec.mix));
    if (spec.type != TensorType::F32 && spec.type != TensorType::F16 && spec.type != TensorType::BF16)
        file.set_key("general.quantization_version", uint32_t{2});
    file.set_key(p + "block_count", static_cast<uint32_t>(n_layer));
    file.set_key(p + "context_length", static_cast<uint32_t>(spec.n_ctx));
    file.set_key(p + "embedding_length", static_cast<uint32_t>(H));
    file.set_key(p + "feed_forward_length", per_layer_value(widths, spec.per_layer_scalars));
    file.set_key(p + "attention.head_count", per_layer_value(heads, spec.per_layer_scalars));
    file.set_key(p + "attention.head_count_kv", per_layer_value(heads_kv, spec.per_layer_scalars));
    file.set_key(p + "attention.key_length", static_cast<uint32_t>(hd));
    file.set_key(p + "attention.value_length", static_cast<uint32_t>(hd));
    file.set_key(p + "rope.dimension_count", static_cast<uint32_t>(hd));
    file.set_key(p + "rope.freq_base", spec.rope_base);
    file.set_key(p + "attention.layer_norm_rms_epsilon", spec.rms_eps);
    file.set_key(p + "vocab_size", static_cast<uint32_t>(spec.n_vocab));
    for (auto& kv : vocab.metadata) file.metadata.push_back(std::move(kv));

    auto matrix = [&](const std::string& name, int64_t cols, int64_t rows) {
        file.tensors.push_back({name, spec.type, {cols, rows}, matrix_rows(spec.seed, name)});
    };
    auto norm = [&](const std::string& name) {
        file.tensors.push_back({name, TensorType::F32, {H}, norm_rows(spec.seed, name)});
    };

    matrix("token_embd.weight", H, spec.n_vocab);
    if (spec.rope_freqs)
        file.tensors.push_back({"rope_freqs.weight", TensorType::F32, {hd / 2}, llama3_rope_rows(spec.rope_base, hd)});
    for (size_t i = 0; i < n_layer; ++i) {
        const SyntheticLayer& l = spec.layers[i];
        const std::string blk = "blk." + std::to_string(i) + ".";
        if (l.attention != AttentionKind::None) norm(blk + "attn_norm.weight");
        if (l.attention == AttentionKind::Gqa) {
            matrix(blk + "attn_q.weight", H, nh * hd);
            matrix(blk + "attn_k.weight", H, l.n_head_kv * hd);
            matrix(blk + "attn_v.weight", H, l.n_head_kv * hd);
            matrix(blk + "attn_output.weight", nh * hd, H);
        } else if (l.attention == AttentionKind::Linear) {
            matrix(blk + "attn_output.weight", H, H);
        }
        if (l.ffn != FfnKind::None) norm(blk + "ffn_norm.weight");
        if (l.ffn == FfnKind::SwiGlu) {
            matrix(blk + "ffn_gate.weight", H, l.ffn_width);
            matrix(blk + "ffn_up.weight", H, l.ffn_width);
            matrix(blk + "ffn_down.weight", l.ffn_width, H);
        } else if (l.ffn == FfnKind::Linear) {
            matrix(blk + "ffn_linear.weight", H, H);
        }
    }
    norm("output_norm.weight");
    if (!spec.tied_output) matrix("output.weight", H, spec.n_vocab);

    // Types per tensor: the mix's rules, then llama.cpp's fallback for short rows.
    MixCounters counters;
    for (const auto& t : file.tensors) {
        counters.n_attn_v += t.name.find("attn_v.weight") != std::string::npos;
        counters.n_ffn_down += t.name.find("ffn_down") != std::string::npos;
    }
    for (auto& t : file.tensors) {
        if (!is_matrix_weight(t)) continue;
        if (!spec.mix.empty()) t.type = mix_tensor_type(spec.mix, t.name, t.dims[0], spec.tied_output, counters);
        t.type = fallback_type(t.type, t.dims[0]);
    }
    return file;
}

// ---------------------------------------------------------------------------------------------
// Writing

namespace {

int64_t row_count(const SyntheticTensor& t) {
    int64_t rows = 1;
    for (size_t i = 1; i < t.dims.size(); ++i) rows *= t.dims[i];
    return rows;
}

Status encode_row(TensorType type, const float* src, uint8_t* dst, int64_t n) {
    switch (type) {
        case TensorType::F32:
            std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
            return {};
        case TensorType::F16:
        case TensorType::BF16:
            for (int64_t i = 0; i < n; ++i) {
                const uint16_t h = type == TensorType::F16 ? f32_to_f16(src[i]) : f32_to_bf16(src[i]);
                std::memcpy(dst + 2 * i, &h, 2);
            }
            return {};
        default:
            return quantize_row(type, src, dst, n);
    }
}

// Generates and encodes all rows of t into dst, rows shared out to n_threads threads.
Status fill_tensor(const SyntheticTensor& t, uint8_t* dst, int n_threads) {
    const int64_t n = t.dims[0], rows = row_count(t);
    const size_t rb = row_bytes(tensor_type_info(t.type), n);
    constexpr int64_t kChunk = 16;  // rows taken at a time
    std::atomic<int64_t> next{0};
    std::mutex error_mutex;
    Status first_error;

    auto work = [&] {
        std::vector<float> buf(static_cast<size_t>(n));
        for (;;) {
            const int64_t begin = next.fetch_add(kChunk);
            if (begin >= rows) return;
            for (int64_t r = begin; r < std::min(rows, begin + kChunk); ++r) {
                t.rows(r, buf.data(), n);
                Status s = encode_row(t.type, buf.data(), dst + static_cast<size_t>(r) * rb, n);
                if (!s) {
                    std::lock_guard lock(error_mutex);
                    if (first_error) first_error = s;
                    next.store(rows);
                    return;
                }
            }
        }
    };
    const int64_t elements = n * rows;
    const int threads = elements < (int64_t{1} << 16) ? 1 : std::max(1, n_threads);
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
    if (!first_error) return wrap_error("tensor '" + t.name + "'", first_error.error());
    return {};
}

void add_metadata(GgufWriter& writer, const std::string& key, const SyntheticValue& value) {
    std::visit(
        [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, uint32_t>) writer.set_u32(key, v);
            else if constexpr (std::is_same_v<V, int32_t>) writer.set_i32(key, v);
            else if constexpr (std::is_same_v<V, float>) writer.set_f32(key, v);
            else if constexpr (std::is_same_v<V, bool>) writer.set_bool(key, v);
            else if constexpr (std::is_same_v<V, std::string>) writer.set_string(key, v);
            else if constexpr (std::is_same_v<V, std::vector<int32_t>>) writer.set_i32_array(key, v);
            else if constexpr (std::is_same_v<V, std::vector<float>>) writer.set_f32_array(key, v);
            else if constexpr (std::is_same_v<V, std::vector<std::string>>) writer.set_string_array(key, v);
            else writer.set_value(key, v);
        },
        value);
}

}  // namespace

Status write_synthetic_file(const SyntheticFile& file, const std::string& path, const SyntheticWriteOptions& options) {
    const int n_threads = options.n_threads > 0 ? options.n_threads
                                                : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    uint64_t bytes_total = 0;
    for (const auto& t : file.tensors) {
        if (t.dims.empty() || t.dims[0] % tensor_type_info(t.type).block_elems != 0)
            return Error{"tensor '" + t.name + "': row length is not a multiple of the " +
                         std::string(tensor_type_info(t.type).name) + " block size"};
        if (t.type != TensorType::F32 && t.type != TensorType::F16 && t.type != TensorType::BF16 && !can_quantize(t.type))
            return Error{"tensor '" + t.name + "': cannot write type " + std::string(tensor_type_info(t.type).name)};
        bytes_total += row_bytes(tensor_type_info(t.type), t.dims[0]) * static_cast<uint64_t>(row_count(t));
    }

    GgufWriter writer;
    for (const auto& [key, value] : file.metadata) add_metadata(writer, key, value);

    // The writer calls the fills in file order while it streams; errors are kept for after.
    Status fill_error;
    uint64_t bytes_done = 0;
    for (size_t i = 0; i < file.tensors.size(); ++i) {
        const SyntheticTensor* t = &file.tensors[i];
        writer.add_tensor_lazy(t->name, t->type, t->dims, [&, t, i](uint8_t* dst) {
            if (!fill_error) return;
            fill_error = fill_tensor(*t, dst, n_threads);
            bytes_done += row_bytes(tensor_type_info(t->type), t->dims[0]) * static_cast<uint64_t>(row_count(*t));
            if (options.progress) options.progress({i, file.tensors.size(), t, bytes_done, bytes_total});
        });
    }
    Status written = writer.write(path);
    if (!fill_error) return wrap_error("writing '" + path + "'", fill_error.error());
    if (!written) return written;
    return {};
}

Status write_synthetic_model(const SyntheticSpec& spec, const std::string& path, const SyntheticWriteOptions& options) {
    auto file = build_synthetic_file(spec);
    if (!file) return file.error();
    if (options.edit) options.edit(*file);
    return write_synthetic_file(*file, path, options);
}

}  // namespace tessera

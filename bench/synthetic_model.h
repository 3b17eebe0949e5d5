// Synthetic NAS models: GGUF files with deterministic random weights and any per-layer block
// plan (GQA with its own KV heads, linear or no-op attention; SwiGLU of its own width, linear
// or no-op FFN), for tests that must run without downloaded models and for benchmarks that
// mimic the real Nemotron-NAS shapes. The file follows /work/shared/design/NAS-MODELS.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "gguf/gguf_file.h"
#include "model/block_plan.h"
#include "quant/quant_mix.h"
#include "quant/tensor_type.h"

namespace tessera {

struct SyntheticLayer {
    AttentionKind attention = AttentionKind::Gqa;
    int64_t n_head_kv = 0;  // GQA only
    FfnKind ffn = FfnKind::SwiGlu;
    int64_t ffn_width = 0;  // SwiGLU only
};

struct SyntheticSpec {
    std::string architecture = "deci";  // or "llama" (then every layer must be GQA + SwiGLU)
    std::string name = "synthetic";
    int64_t n_embd = 0, n_head = 0;
    int64_t head_dim = 0;  // 0: n_embd / n_head
    int64_t n_vocab = 32000, n_ctx = 4096;
    float rope_base = 500000.0f, rms_eps = 1e-5f;
    std::vector<SyntheticLayer> layers;
    bool tied_output = false;        // no output.weight
    bool rope_freqs = false;         // rope_freqs.weight with llama3 divisors (factor 8, low 1, high 4, ctx 8192)
    bool per_layer_scalars = false;  // scalar keys where every layer has the same value
    uint64_t seed = 1;
    TensorType type = TensorType::F32;  // matrices; norms and rope_freqs stay f32
    std::string mix;                    // "", "q3_k_m", "q4_k_m", "q5_k_m": llama.cpp's per-tensor rules
    std::string tokenizer_from;         // GGUF whose tokenizer.* keys are copied; empty: built-in vocab

    int64_t resolved_head_dim() const { return head_dim > 0 ? head_dim : n_embd / n_head; }
};

// The JSON of /work/shared/bench/nas-bench-1b.json: name, seed, n_embd, n_head, ctx,
// rope_theta, layers [{attn: gqa|noop|linear, kv, ff (0: no-op), ffn: "linear"}], plus
// optional n_vocab, head_dim, rms_eps, architecture, tied_output, rope_freqs.
Result<SyntheticSpec> spec_from_json(const std::string& json_text);

// Checks the spec for shapes the format cannot express (wrong head counts, a llama layer that
// is not GQA + SwiGLU, ...). write_synthetic_model calls it.
Status validate_spec(const SyntheticSpec& spec);

// Produces row `row` (n floats) of a tensor; called from several threads at once.
using RowGenerator = std::function<void(int64_t row, float* out, int64_t n)>;

struct SyntheticTensor {
    std::string name;
    TensorType type = TensorType::F32;
    std::vector<int64_t> dims;  // ggml order: dims[0] = row length
    RowGenerator rows;          // values before quantization
};

// A metadata value in the types llama.cpp's gguf-py writes (scalars u32, per-layer arrays i32).
using SyntheticValue = std::variant<uint32_t, int32_t, float, bool, std::string, std::vector<int32_t>,
                                    std::vector<float>, std::vector<std::string>, GgufValue>;

// Everything the file will hold, before any bytes are produced. Tests edit it (drop a tensor,
// change a key) to make deliberately broken files.
struct SyntheticFile {
    std::vector<std::pair<std::string, SyntheticValue>> metadata;
    std::vector<SyntheticTensor> tensors;

    SyntheticValue* find_key(const std::string& key);
    SyntheticTensor* find_tensor(const std::string& name);
    bool erase_key(const std::string& key);
    bool erase_tensor(const std::string& name);
    void set_key(const std::string& key, SyntheticValue value);  // replaces or appends
};

struct SyntheticProgress {
    size_t tensor_index = 0, tensor_count = 0;
    const SyntheticTensor* tensor = nullptr;
    uint64_t bytes_done = 0, bytes_total = 0;  // after this tensor
};

struct SyntheticWriteOptions {
    int n_threads = 0;  // 0: one per hardware thread
    std::function<void(const SyntheticProgress&)> progress;
    std::function<void(SyntheticFile&)> edit;  // runs after the plan is built, before writing
};

// The metadata and tensors of a spec, not yet written.
Result<SyntheticFile> build_synthetic_file(const SyntheticSpec& spec);

// Writes the file tensor by tensor: memory stays about the size of the largest tensor.
Status write_synthetic_file(const SyntheticFile& file, const std::string& path,
                            const SyntheticWriteOptions& options = {});

Status write_synthetic_model(const SyntheticSpec& spec, const std::string& path,
                             const SyntheticWriteOptions& options = {});

}  // namespace tessera

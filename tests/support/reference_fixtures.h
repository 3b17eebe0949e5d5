// The reference logits in ../shared/fixtures/reference (see fixtures/README.md): listing,
// reading, the README's comparison measures and greedy decoding, shared by the CPU and the
// Vulkan conformance tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backend/evaluator.h"
#include "model/model.h"
#include "sampling/sampler.h"
#include "support/fixtures.h"

namespace tessera::test {

struct Reference {
    std::string name;  // e.g. "nas-256-q4_k_m"
    std::filesystem::path json_path;
};

inline std::vector<Reference> list_references() {
    std::vector<Reference> refs;
    const auto dir = fixtures_dir() / "reference";
    if (!std::filesystem::is_directory(dir)) return refs;
    for (const auto& entry : std::filesystem::directory_iterator(dir))
        if (entry.path().extension() == ".json") refs.push_back({entry.path().stem().string(), entry.path()});
    std::sort(refs.begin(), refs.end(), [](const Reference& a, const Reference& b) { return a.name < b.name; });
    return refs;
}

// gtest parameter names: the reference name with '_' for anything not alphanumeric.
inline std::string reference_test_name(const ::testing::TestParamInfo<Reference>& info) {
    std::string name = info.param.name;
    for (char& ch : name)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    return name;
}

inline std::vector<float> read_f32(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

// One reference: the prompt, the rows whose logits are stored, those logits, greedy ids.
struct ReferenceData {
    std::string model_path;
    std::vector<int32_t> prompt, greedy;
    std::vector<int64_t> rows;
    std::vector<float> logits;
};

inline ReferenceData read_reference(const Reference& ref) {
    std::ifstream json_file(ref.json_path);
    const auto meta = nlohmann::json::parse(json_file);
    ReferenceData d;
    d.model_path = fixture("models/" + meta.at("model").get<std::string>());
    d.prompt = meta.at("prompt_ids").get<std::vector<int32_t>>();
    d.rows = meta.at("logit_rows").get<std::vector<int64_t>>();
    d.greedy = meta.at("greedy_ids").get<std::vector<int32_t>>();
    d.logits = read_f32(ref.json_path.parent_path() / meta.at("logits_file").get<std::string>());
    return d;
}

inline bool has_only_float_matrices(const Model& model) {
    for (const auto& t : model.file().tensors())
        if (t.type != TensorType::F32 && t.type != TensorType::F16 && t.type != TensorType::BF16) return false;
    return true;
}

// References this engine does not reproduce within the README's tolerance, and why. For these
// the CPU test still prints the comparison with llama.cpp, and checks the engine instead against
// the float64 reference forward pass (tests/support/reference_forward.cpp) on the same file,
// whose weights our dequantizer reads exactly as llama.cpp's quantizer wrote them
// (tests/engine/quant_llama_reference_test.cpp).
inline const std::map<std::string, std::string>& known_divergences() {
    static const std::map<std::string, std::string> known = {
        {"nas-256-q4_0",
         "llama.cpp's q4_0 logits sit 0.73 RMS/std from its own f32 logits while q5_0 sits 0.15 and the weights' "
         "quantization error predicts ~0.3 (ours: 0.29); row 0 (BOS alone) already differs, so its q4_0 matmul "
         "path (repacked/KleidiAI-style activation quantization) is not the block-wise q8_0 dot product"},
        {"nas-256-q4_1", "as q4_0: llama.cpp 0.77 from its f32 logits, ours 0.27, the weights predict ~0.3"},
        {"nas-256-bf16",
         "max |diff| 0.019-0.025 whether activations are rounded to bf16 (llama.cpp's x86 path) or kept in f32; "
         "RMS/std 0.0045, top-1 100%: the reference's bf16 datapath is not identified yet"},
    };
    return known;
}

struct Comparison {
    double max_diff = 0.0, rms_ratio = 0.0, top1 = 0.0;
};

// The README's measures: max |diff|, RMS(diff) / std(want), top-1 agreement over the rows.
inline Comparison compare(const std::vector<float>& got, const std::vector<double>& want, size_t n_rows, int64_t n_vocab) {
    double sq_diff = 0.0, sum = 0.0, sq = 0.0;
    size_t top1_same = 0;
    Comparison c;
    for (size_t r = 0; r < n_rows; ++r) {
        const size_t base = r * static_cast<size_t>(n_vocab);
        int64_t best_got = 0, best_want = 0;
        for (int64_t i = 0; i < n_vocab; ++i) {
            const double g = got[base + static_cast<size_t>(i)], w = want[base + static_cast<size_t>(i)];
            const double d = g - w;
            c.max_diff = std::max(c.max_diff, std::abs(d));
            sq_diff += d * d;
            sum += w;
            sq += w * w;
            if (g > got[base + static_cast<size_t>(best_got)]) best_got = i;
            if (w > want[base + static_cast<size_t>(best_want)]) best_want = i;
        }
        top1_same += best_got == best_want;
    }
    const double count = static_cast<double>(n_rows) * static_cast<double>(n_vocab);
    c.rms_ratio = std::sqrt(sq_diff / count) / std::sqrt(sq / count - (sum / count) * (sum / count));
    c.top1 = static_cast<double>(top1_same) / static_cast<double>(n_rows);
    return c;
}

inline Comparison compare(const std::vector<float>& got, const std::vector<float>& want, size_t n_rows, int64_t n_vocab) {
    return compare(got, std::vector<double>(want.begin(), want.end()), n_rows, n_vocab);
}

// RMS(got - want) / RMS(want): the "relative RMS" between two backends' logits.
inline double relative_rms(const std::vector<float>& got, const std::vector<float>& want) {
    double num = 0.0, den = 0.0;
    for (size_t i = 0; i < got.size(); ++i) {
        num += (double(got[i]) - want[i]) * (double(got[i]) - want[i]);
        den += double(want[i]) * want[i];
    }
    return std::sqrt(num / std::max(den, 1e-30));
}

// Evaluates the prompt (logits of `rows` into `logits`), then decodes greedily one token at
// a time from the last row: n_greedy tokens, all of the reference's when 0. Errors are test
// failures.
inline std::vector<int32_t> eval_and_decode(Evaluator& forward, const ReferenceData& ref, int64_t n_vocab,
                                            std::vector<float>& logits, size_t n_greedy = 0) {
    if (n_greedy == 0 || n_greedy > ref.greedy.size()) n_greedy = ref.greedy.size();
    logits.assign(ref.rows.size() * static_cast<size_t>(n_vocab), 0.0f);
    std::vector<int32_t> generated;
    auto status = forward.eval(ref.prompt, ref.rows, logits.data());
    EXPECT_TRUE(status.ok()) << status.error().message;
    if (!status.ok()) return generated;
    std::vector<float> last(logits.end() - n_vocab, logits.end());
    const int64_t zero = 0;
    for (size_t i = 0; i < n_greedy; ++i) {
        generated.push_back(argmax(last.data(), n_vocab));
        if (i + 1 == n_greedy) break;
        auto s = forward.eval(std::span(&generated.back(), 1), std::span(&zero, 1), last.data());
        EXPECT_TRUE(s.ok()) << s.error().message;
        if (!s.ok()) break;
    }
    return generated;
}

inline size_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
    size_t n = 0;
    while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
    return n;
}

}  // namespace tessera::test

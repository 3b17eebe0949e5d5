// tessera-cli quantize's engine against llama.cpp's quantizer: the nas-256 fixtures were
// quantized by llama.cpp from nas-256-f32. Plain types must give the same types and bytes,
// tensor by tensor; the K-quant mixes no worse a round-trip error per tensor. KL divergence
// against f32 on the fixture prompt is printed per type. Policy files override types.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "convert/quantize_model.h"
#include "gguf/gguf_file.h"
#include "quant/quant_mix.h"
#include "quant/quantize.h"
#include "support/cpu_logits.h"
#include "support/fixtures.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class Quantize : public ::testing::Test {
protected:
    void SetUp() override {
        TESSERA_REQUIRE_FIXTURES();
        dir_ = fs::temp_directory_path() / ("tessera-quantize-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string quantize(const std::string& type_name) {
        QuantizeOptions options;
        EXPECT_TRUE(parse_type_name(type_name, options.type, options.mix));
        const std::string out = (dir_ / (type_name + ".gguf")).string();
        const Status s = quantize_model(test::fixture("models/nas-256-f32.gguf"), out, options);
        EXPECT_TRUE(s) << s.error().message;
        return out;
    }
    fs::path dir_;
};

std::unique_ptr<GgufFile> open(const std::string& path) {
    auto f = GgufFile::open(path);
    EXPECT_TRUE(f) << f.error().message;
    return f ? std::move(*f) : nullptr;
}

std::vector<float> dequantized(const GgufTensorInfo& t) {
    std::vector<float> v(static_cast<size_t>(t.n_elements()));
    const size_t row = row_bytes(tensor_type_info(t.type), t.dims[0]);
    for (int64_t r = 0; r < t.n_rows(); ++r)
        dequantize_row(t.type, t.data + static_cast<size_t>(r) * row, v.data() + r * t.dims[0], t.dims[0]);
    return v;
}

double rms_error(const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0;
    for (size_t i = 0; i < a.size(); ++i) sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    return std::sqrt(sum / static_cast<double>(a.size()));
}

TEST_F(Quantize, PlainTypesEqualLlamaCppByteForByte) {
    for (const char* type : {"q8_0", "q4_0", "q4_1", "q5_0"}) {
        auto ours = open(quantize(type));
        auto theirs = open(test::fixture(std::string("models/nas-256-") + type + ".gguf"));
        ASSERT_TRUE(ours && theirs);
        ASSERT_EQ(ours->tensors().size(), theirs->tensors().size());
        int identical = 0;
        for (const auto& t : theirs->tensors()) {
            const GgufTensorInfo* o = ours->tensor(t.name);
            ASSERT_NE(o, nullptr) << t.name;
            EXPECT_EQ(o->type, t.type) << type << " " << t.name;
            if (o->type == t.type && o->n_bytes == t.n_bytes && std::equal(t.data, t.data + t.n_bytes, o->data))
                ++identical;
            else
                ADD_FAILURE() << type << ": " << t.name << " differs from llama.cpp's bytes";
        }
        std::cout << "[          ] " << type << ": " << identical << "/" << theirs->tensors().size()
                  << " tensors byte-identical to llama.cpp\n";
    }
}

TEST_F(Quantize, KQuantMixesAreNoWorseThanLlamaCppPerTensor) {
    auto f32 = open(test::fixture("models/nas-256-f32.gguf"));
    ASSERT_TRUE(f32);
    for (const char* type : {"q6_k", "q5_k_m", "q4_k_m", "q3_k_m", "q2_k"}) {
        auto ours = open(quantize(type));
        auto theirs = open(test::fixture(std::string("models/nas-256-") + type + ".gguf"));
        ASSERT_TRUE(ours && theirs);
        int same_type = 0, compared = 0;
        double ours_total = 0, theirs_total = 0;
        for (const auto& t : theirs->tensors()) {
            if (t.dims.size() != 2) continue;
            const GgufTensorInfo* o = ours->tensor(t.name);
            ASSERT_NE(o, nullptr);
            const auto original = dequantized(*f32->tensor(t.name));
            const double e_ours = rms_error(dequantized(*o), original), e_theirs = rms_error(dequantized(t), original);
            ours_total += e_ours;
            theirs_total += e_theirs;
            ++compared;
            if (o->type != t.type) continue;
            ++same_type;
            EXPECT_LE(e_ours, e_theirs * 1.0001 + 1e-9) << type << " " << t.name;
        }
        std::cout << "[          ] " << type << ": " << same_type << "/" << compared
                  << " matrices of the same type; mean RMS error ours " << ours_total / compared << ", llama.cpp "
                  << theirs_total / compared << "\n";
        EXPECT_EQ(same_type, compared) << type << ": the mix chose other types than llama.cpp";
    }
}

// KL(p_f32 || p_type) per position of the fixture prompt, averaged: how much each type
// changes the model's predictions. Printed for the closing note; ordered as bits go.
TEST_F(Quantize, KlDivergenceAgainstF32) {
    std::ifstream in(test::fixture("reference/nas-256-f32.json"));
    const auto ids = nlohmann::json::parse(in)["prompt_ids"].get<std::vector<int32_t>>();
    const auto base = test::cpu_logits(test::fixture("models/nas-256-f32.gguf"), ids);
    const auto n_vocab = static_cast<int64_t>(base.size() / ids.size());
    auto log_softmax = [n = n_vocab](const float* l, std::vector<double>& out) {
        double max = l[0], sum = 0;
        for (int64_t i = 0; i < n; ++i) max = std::max<double>(max, l[i]);
        for (int64_t i = 0; i < n; ++i) sum += std::exp(l[i] - max);
        out.resize(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = l[i] - max - std::log(sum);
    };
    std::map<std::string, double> kl;
    for (const char* type : {"q8_0", "q6_k", "q5_k_m", "q4_k_m", "q4_0", "q3_k_m", "q2_k"}) {
        const auto q = test::cpu_logits(quantize(type), ids);
        const int64_t n = n_vocab;
        double total = 0;
        std::vector<double> lp, lq;
        for (size_t r = 0; r < ids.size(); ++r) {
            log_softmax(base.data() + r * static_cast<size_t>(n), lp);
            log_softmax(q.data() + r * static_cast<size_t>(n), lq);
            for (size_t i = 0; i < lp.size(); ++i) total += std::exp(lp[i]) * (lp[i] - lq[i]);
        }
        kl[type] = total / static_cast<double>(ids.size());
        std::cout << "[          ] KL(f32 || " << type << ") = " << kl[type] << "\n";
    }
    EXPECT_LT(kl["q8_0"], kl["q4_k_m"]);
    EXPECT_LT(kl["q4_k_m"], kl["q2_k"]);
    EXPECT_LT(kl["q8_0"], 0.01);
}

TEST_F(Quantize, PolicyRulesOverrideTheTypeForChosenTensorsAndLayers) {
    auto rules = parse_quantize_policy(R"({"rules": [
        {"tensors": "token_embd.weight", "type": "q6_k"},
        {"tensors": "blk.*.ffn_down.weight", "layers": [0, 3], "type": "q8_0"}]})");
    ASSERT_TRUE(rules) << rules.error().message;
    QuantizeOptions options;
    options.type = TensorType::Q4_0;
    options.rules = *rules;
    auto plan = plan_quantization(test::fixture("models/nas-256-f32.gguf"), options);
    ASSERT_TRUE(plan) << plan.error().message;
    std::map<std::string, TensorType> types(plan->begin(), plan->end());
    EXPECT_EQ(types["token_embd.weight"], TensorType::Q6_K);
    EXPECT_EQ(types["output.weight"], TensorType::Q6_K);  // llama.cpp's rule
    EXPECT_EQ(types["output_norm.weight"], TensorType::F32);
    int low = 0, high = 0;
    for (const auto& [name, type] : types) {
        if (name.find("ffn_down") == std::string::npos) continue;
        const int layer = std::stoi(name.substr(4));
        if (layer <= 3) low += type == TensorType::Q8_0;
        else high += type == TensorType::Q4_0;
    }
    EXPECT_GT(low, 0);
    EXPECT_GT(high, 0);

    EXPECT_FALSE(parse_quantize_policy(R"({"rules": [{"tensors": "x", "type": "q9_9"}]})"));
    EXPECT_FALSE(parse_quantize_policy(R"({"rules": [{"tensors": "x", "type": "q4_0", "layers": [3, 1]}]})"));
    EXPECT_FALSE(parse_quantize_policy(R"([1, 2])"));
}

}  // namespace
}  // namespace tessera

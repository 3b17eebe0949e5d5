// The converter on checkpoints made here (no ../shared needed): a synthetic model with every
// block variant is written once as GGUF and once as a bf16 Hugging Face folder (Q/K rows in
// HF order). Converting the folder must give back the GGUF model: the same layer plan and,
// up to bf16 rounding of the weights, the same logits. A wrong Q/K permutation, a swapped
// variant or a misread width moves the logits far beyond that.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "convert/convert.h"
#include "convert/quantize_model.h"
#include "support/cpu_logits.h"
#include "support/reference_fixtures.h"
#include "support/synthetic_models.h"
#include "synthetic_hf.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

void write_tiny_tokenizer(const fs::path& dir, int n) { ASSERT_TRUE(write_tiny_bpe_tokenizer(dir.string(), n)); }

TEST(ConvertRoundTrip, EveryBlockVariantComesBackFromAHuggingFaceFolder) {
    SyntheticSpec spec = test::small_spec(6);
    spec.layers = {test::gqa_layer(2, 256),
                   test::layer(AttentionKind::Gqa, 1, FfnKind::SwiGlu, 512),
                   test::layer(AttentionKind::None, 0, FfnKind::SwiGlu, 256),
                   test::layer(AttentionKind::Linear, 0, FfnKind::Linear, 0),
                   test::layer(AttentionKind::Gqa, 4, FfnKind::None, 0),
                   test::layer(AttentionKind::None, 0, FfnKind::Linear, 0)};
    spec.rope_freqs = true;
    spec.n_vocab = 90;
    for (bool tied : {false, true}) {
        spec.tied_output = tied;
        const fs::path dir = fs::path(::testing::TempDir()) / ("tessera-hf-" + std::to_string(::getpid()) + (tied ? "-tied" : ""));
        write_tiny_tokenizer(dir / "tok", 90);
        ASSERT_TRUE(write_synthetic_hf_checkpoint(spec, (dir / "hf").string(), (dir / "tok").string()));
        const std::string reference = test::synthetic_model_path(tied ? "roundtrip-tied" : "roundtrip", spec);
        ConvertOptions options;
        options.type = TensorType::F32;
        const std::string converted = (dir / "converted.gguf").string();
        const Status s = convert_hf_checkpoint((dir / "hf").string(), converted, options);
        ASSERT_TRUE(s) << s.error().message;

        auto a = Model::load(converted);
        auto b = Model::load(reference);
        ASSERT_TRUE(a && b);
        const auto& la = (*a)->config().layers;
        const auto& lb = (*b)->config().layers;
        ASSERT_EQ(la.size(), lb.size());
        for (size_t i = 0; i < la.size(); ++i) {
            EXPECT_EQ(la[i].attention, lb[i].attention) << "layer " << i;
            EXPECT_EQ(la[i].n_head_kv, lb[i].n_head_kv) << "layer " << i;
            EXPECT_EQ(la[i].ffn, lb[i].ffn) << "layer " << i;
            EXPECT_EQ(la[i].ffn_width, lb[i].ffn_width) << "layer " << i;
        }
        const std::vector<int32_t> ids = {1, 7, 42, 3, 88, 19, 5, 60};
        const double rms = test::relative_rms(test::cpu_logits(converted, ids), test::cpu_logits(reference, ids));
        std::cout << "[          ] " << (tied ? "tied" : "untied") << ": relative RMS " << rms
                  << " (bf16 weights vs f32)\n";
        EXPECT_LT(rms, 0.02);
        fs::remove_all(dir);
    }
}

// Cancelling mid-way (the app's Cancel button) ends convert and quantize at the next tensor
// with an error, and leaves neither the output nor a temporary file behind.
TEST(ConvertRoundTrip, CancelStopsBothConvertAndQuantizeLeavingNothing) {
    SyntheticSpec spec = test::small_spec(3);
    spec.n_vocab = 90;
    const fs::path dir = fs::path(::testing::TempDir()) / ("tessera-hf-cancel-" + std::to_string(::getpid()));
    write_tiny_tokenizer(dir / "tok", 90);
    ASSERT_TRUE(write_synthetic_hf_checkpoint(spec, (dir / "hf").string(), (dir / "tok").string()));

    std::atomic<bool> cancel{false};
    int64_t tensors_written = 0, tensors_total = 0;
    auto cancel_after_two = [&](const ConvertProgress& p) {
        tensors_written = p.tensors_done;
        tensors_total = p.tensors_total;
        if (p.tensors_done >= 2) cancel = true;
    };
    ConvertOptions convert;
    convert.progress = cancel_after_two;
    convert.cancel = &cancel;
    const Status c = convert_hf_checkpoint((dir / "hf").string(), (dir / "out.gguf").string(), convert);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().message, "cancelled");
    EXPECT_LT(tensors_written, tensors_total);  // it stopped early, not after writing everything

    cancel = false;
    QuantizeOptions quantize;
    quantize.type = TensorType::Q8_0;
    quantize.progress = cancel_after_two;
    quantize.cancel = &cancel;
    const std::string source = test::synthetic_model_path("cancel-source", spec);
    const Status q = quantize_model(source, (dir / "q.gguf").string(), quantize);
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().message, "cancelled");
    EXPECT_LT(tensors_written, tensors_total);

    std::vector<std::string> left;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.is_regular_file()) left.push_back(e.path().filename().string());
    EXPECT_TRUE(left.empty()) << "left behind: " << left.front();
    fs::remove_all(dir);
}

}  // namespace
}  // namespace tessera

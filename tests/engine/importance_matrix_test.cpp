// Importance matrices: accumulation, llama.cpp's two file formats, hostile legacy files,
// gathering through the engine (checked against the forward pass's own observed values), and
// quantize_model with one.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include <unistd.h>

#include <gtest/gtest.h>

#include "backend/cpu/forward.h"
#include "convert/importance_collect.h"
#include "convert/importance_matrix.h"
#include "convert/quantize_model.h"
#include "gguf/gguf_file.h"
#include "session/loaded_model.h"
#include "support/synthetic_models.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

std::string temp_file(const std::string& name) {
    return (fs::path(::testing::TempDir()) / ("tessera-imatrix-" + std::to_string(::getpid()) + "-" + name)).string();
}

template <typename T>
void put(std::vector<uint8_t>& out, T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    out.insert(out.end(), p, p + sizeof v);
}

void put_entry(std::vector<uint8_t>& out, const std::string& name, int32_t ncall, const std::vector<float>& values) {
    put<int32_t>(out, static_cast<int32_t>(name.size()));
    out.insert(out.end(), name.begin(), name.end());
    put<int32_t>(out, ncall);
    put<int32_t>(out, static_cast<int32_t>(values.size()));
    for (float v : values) put<float>(out, v);
}

// A legacy imatrix.dat as llama.cpp wrote them: values are mean squares times ncall.
std::vector<uint8_t> legacy_file() {
    std::vector<uint8_t> b;
    put<int32_t>(b, 2);
    put_entry(b, "blk.0.attn_q.weight", 4, {4.0f, 8.0f, 0.0f, 2.0f});
    put_entry(b, "output.weight", 0, {1.5f, 2.5f});
    put<int32_t>(b, 10);  // chunks
    const std::string dataset = "calibration.txt";
    put<int32_t>(b, static_cast<int32_t>(dataset.size()));
    b.insert(b.end(), dataset.begin(), dataset.end());
    return b;
}

TEST(ImportanceMatrix, AccumulatesMeanSquaresPerColumn) {
    ImportanceMatrix m;
    const float rows[] = {1, 2, 3, /**/ 3, 0, -1};
    ASSERT_TRUE(m.accumulate("w", rows, 2, 3).ok());
    auto w = m.weights_for("w", 3);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(w->has_value());
    EXPECT_FLOAT_EQ((**w)[0], 5.0f);  // (1 + 9) / 2
    EXPECT_FLOAT_EQ((**w)[1], 2.0f);
    EXPECT_FLOAT_EQ((**w)[2], 5.0f);

    EXPECT_FALSE(m.accumulate("w", rows, 1, 6).ok());          // another width for the same matrix
    EXPECT_FALSE(m.weights_for("missing", 3).value().has_value());
    auto wrong = m.weights_for("w", 4);
    ASSERT_FALSE(wrong.ok());
    EXPECT_NE(wrong.error().message.find("another model"), std::string::npos) << wrong.error().message;

    m.entries["unseen"].sum_sq.assign(2, 0.0);  // a matrix that never saw a token: all alike
    EXPECT_EQ(m.weights_for("unseen", 2).value().value(), (std::vector<float>{1.0f, 1.0f}));
}

TEST(ImportanceMatrix, GgufFormRoundTrips) {
    ImportanceMatrix m;
    const float rows[] = {0.5f, -2.0f, 1.0f, 4.0f};
    ASSERT_TRUE(m.accumulate("blk.1.ffn_down.weight", rows, 2, 2).ok());
    ASSERT_TRUE(m.accumulate("output.weight", rows, 1, 4).ok());
    m.datasets = {"wiki.txt"};
    m.chunk_count = 3;
    m.chunk_size = 512;
    const std::string path = temp_file("roundtrip.gguf");
    ASSERT_TRUE(save_importance_matrix(m, path).ok());

    auto file = GgufFile::open(path);  // what llama.cpp's loader looks for
    ASSERT_TRUE(file.ok());
    EXPECT_EQ((*file)->get_string("general.type").value(), "imatrix");
    ASSERT_NE((*file)->tensor("output.weight.in_sum2"), nullptr);
    EXPECT_EQ((*file)->tensor("output.weight.in_sum2")->dims, (std::vector<int64_t>{4, 1}));
    ASSERT_NE((*file)->tensor("output.weight.counts"), nullptr);

    auto back = load_importance_matrix(path);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(back->datasets, m.datasets);
    EXPECT_EQ(back->chunk_count, 3u);
    EXPECT_EQ(back->chunk_size, 512u);
    ASSERT_EQ(back->entries.size(), 2u);
    for (const auto& [name, e] : m.entries) {
        EXPECT_EQ(back->entries.at(name).count, e.count) << name;
        EXPECT_EQ(back->entries.at(name).sum_sq, e.sum_sq) << name;
    }
    fs::remove(path);
}

TEST(ImportanceMatrix, ReadsLlamaCppLegacyFiles) {
    const std::vector<uint8_t> bytes = legacy_file();
    auto m = parse_legacy_importance_matrix(bytes);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->chunk_count, 10u);
    EXPECT_EQ(m->datasets, (std::vector<std::string>{"calibration.txt"}));
    EXPECT_EQ(m->weights_for("blk.0.attn_q.weight", 4).value().value(), (std::vector<float>{1.0f, 2.0f, 0.0f, 0.5f}));
    EXPECT_EQ(m->weights_for("output.weight", 2).value().value(), (std::vector<float>{1.5f, 2.5f}));

    // Through the file loader, told apart from GGUF by its first bytes.
    const std::string path = temp_file("legacy.dat");
    {
        std::FILE* f = std::fopen(path.c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fwrite(bytes.data(), 1, bytes.size(), f);
        std::fclose(f);
    }
    auto loaded = load_importance_matrix(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_EQ(loaded->entries.size(), 2u);
    fs::remove(path);
}

TEST(ImportanceMatrix, HostileLegacyFilesGetClearErrors) {
    const std::vector<uint8_t> good = legacy_file();
    // Cut anywhere before the end of the entries: an error, never a crash or a huge allocation.
    const size_t entries_end = good.size() - 4 - 4 - std::string("calibration.txt").size();
    for (size_t n = 0; n < entries_end; ++n) {
        auto m = parse_legacy_importance_matrix(std::span(good).first(n));
        EXPECT_FALSE(m.ok()) << "accepted a file cut at " << n;
    }
    // The optional trailer may be cut: the entries are still good.
    EXPECT_TRUE(parse_legacy_importance_matrix(std::span(good).first(entries_end + 2)).ok());

    std::vector<uint8_t> huge;
    put<int32_t>(huge, 1);
    put<int32_t>(huge, 2000000000);  // name length
    auto m = parse_legacy_importance_matrix(huge);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("name length"), std::string::npos) << m.error().message;

    std::vector<uint8_t> nan;
    put<int32_t>(nan, 1);
    put_entry(nan, "w", 1, {1.0f, std::nanf("")});
    EXPECT_FALSE(parse_legacy_importance_matrix(nan).ok());

    std::vector<uint8_t> twice;
    put<int32_t>(twice, 2);
    put_entry(twice, "w", 1, {1.0f});
    put_entry(twice, "w", 1, {1.0f});
    EXPECT_FALSE(parse_legacy_importance_matrix(twice).ok());
}

TEST(ImportanceMatrix, AModelFileIsNotAnImportanceMatrix) {
    const std::string model = test::synthetic_model_path("imatrix-small", test::small_spec(2));
    auto m = load_importance_matrix(model);
    ASSERT_FALSE(m.ok());
    EXPECT_NE(m.error().message.find("not an importance matrix"), std::string::npos) << m.error().message;
}

// Every block variant, so every kind of matrix input is gathered.
SyntheticSpec variant_spec() {
    SyntheticSpec spec = test::small_spec(5);
    spec.name = "imatrix-variants";
    spec.layers = {test::gqa_layer(2, 96),
                   test::layer(AttentionKind::Linear, 0, FfnKind::Linear, 0),
                   test::layer(AttentionKind::None, 0, FfnKind::SwiGlu, 128),
                   test::layer(AttentionKind::Gqa, 1, FfnKind::None, 0),
                   test::gqa_layer(4, 64)};
    return spec;
}

constexpr const char* kCalibration =
    "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs! "
    "How vexingly quick daft zebras jump; sphinx of black quartz, judge my vow.";

TEST(ImportanceCollect, GathersTheInputOfEveryMatrixAsTheForwardPassComputesIt) {
    const std::string path = test::synthetic_model_path("imatrix-variants", variant_spec());
    ImportanceOptions options;
    options.chunk_size = 4096;  // one chunk: the whole text
    options.n_threads = 2;
    auto run = collect_importance(path, kCalibration, options);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->matrix.chunk_count, 1u);
    EXPECT_GT(run->perplexity, 1.0);

    auto loaded = load_model_and_tokenizer(path);
    ASSERT_TRUE(loaded.ok());
    const Model& model = *loaded->model;
    std::vector<int32_t> tokens = loaded->tokenizer->encode(kCalibration, false, false);
    if (loaded->tokenizer->adds_bos()) tokens.insert(tokens.begin(), *loaded->tokenizer->bos());
    EXPECT_EQ(run->tokens, static_cast<int64_t>(tokens.size()));

    // Exactly the matrices the model multiplies by, each with one count per token.
    std::set<std::string> expected{model.output().name};
    for (const LayerWeights& w : model.layers())
        for (const Matrix* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ffn_linear})
            if (m->present()) expected.insert(m->name);
    std::set<std::string> got;
    for (const auto& [name, e] : run->matrix.entries) {
        got.insert(name);
        EXPECT_EQ(e.count, static_cast<double>(tokens.size())) << name;
    }
    EXPECT_EQ(got, expected);

    // Independently: the output matrix's input is the final norm of every row, and layer 4's
    // attn_q input is layer 3's output under layer 4's attn_norm. Recompute both from the
    // forward pass's observed tensors and compare the column sums of squares.
    cpu::ForwardOptions fo;
    fo.n_ctx = static_cast<int64_t>(tokens.size());
    fo.n_threads = 2;
    auto fwd = cpu::CpuForward::create(model, fo);
    ASSERT_TRUE(fwd.ok());
    const int64_t H = model.config().n_embd, n = static_cast<int64_t>(tokens.size());
    std::vector<double> out_sq(static_cast<size_t>(H)), q_sq(static_cast<size_t>(H));
    (*fwd)->set_observer([&](const std::string& name, const float* data, int64_t rows, int64_t width) {
        if (name == "result_norm") {
            for (int64_t t = 0; t < rows; ++t)
                for (int64_t j = 0; j < width; ++j) out_sq[static_cast<size_t>(j)] += double(data[t * width + j]) * data[t * width + j];
        } else if (name == "blk.3.l_out") {
            const std::vector<float>& g = model.layers()[4].attn_norm;
            for (int64_t t = 0; t < rows; ++t) {
                const float* x = data + t * width;
                double ss = 0;
                for (int64_t j = 0; j < width; ++j) ss += double(x[j]) * x[j];
                const double inv = 1.0 / std::sqrt(ss / double(width) + model.config().rms_eps);
                for (int64_t j = 0; j < width; ++j) {
                    const double h = x[j] * inv * g[static_cast<size_t>(j)];
                    q_sq[static_cast<size_t>(j)] += h * h;
                }
            }
        }
    });
    std::vector<int64_t> rows(static_cast<size_t>(n));
    for (int64_t r = 0; r < n; ++r) rows[static_cast<size_t>(r)] = r;
    std::vector<float> logits(static_cast<size_t>(n * model.config().n_vocab));
    ASSERT_TRUE((*fwd)->eval(tokens, rows, logits.data()).ok());

    const ImportanceEntry& out_e = run->matrix.entries.at(model.output().name);
    const ImportanceEntry& q_e = run->matrix.entries.at(model.layers()[4].attn_q.name);
    for (int64_t j = 0; j < H; ++j) {
        EXPECT_NEAR(out_e.sum_sq[static_cast<size_t>(j)], out_sq[static_cast<size_t>(j)], 1e-4 * out_sq[static_cast<size_t>(j)] + 1e-6) << j;
        EXPECT_NEAR(q_e.sum_sq[static_cast<size_t>(j)], q_sq[static_cast<size_t>(j)], 1e-3 * q_sq[static_cast<size_t>(j)] + 1e-6) << j;
    }
}

TEST(ImportanceCollect, QuantizeUsesItAndRefusesOneForAnotherModel) {
    const std::string path = test::synthetic_model_path("imatrix-variants", variant_spec());
    ImportanceOptions options;
    options.chunk_size = 16;  // several chunks
    auto run = collect_importance(path, kCalibration, options);
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_GT(run->matrix.chunk_count, 1u);

    QuantizeOptions plain;
    plain.type = TensorType::Q4_0;
    QuantizeOptions weighted = plain;
    weighted.importance = &run->matrix;
    weighted.importance_file = "calibration.imatrix";
    const std::string a = temp_file("plain.gguf"), b = temp_file("weighted.gguf");
    ASSERT_TRUE(quantize_model(path, a, plain).ok());
    ASSERT_TRUE(quantize_model(path, b, weighted).ok());
    auto fa = GgufFile::open(a);
    auto fb = GgufFile::open(b);
    ASSERT_TRUE(fa.ok() && fb.ok());
    EXPECT_EQ((*fb)->get_string("quantize.imatrix.file").value(), "calibration.imatrix");
    EXPECT_EQ((*fb)->get_i64("quantize.imatrix.entries_count").value(), static_cast<int64_t>(run->matrix.entries.size()));
    EXPECT_EQ((*fa)->find("quantize.imatrix.file"), nullptr);
    const GgufTensorInfo* qa = (*fa)->tensor("blk.0.attn_q.weight");
    const GgufTensorInfo* qb = (*fb)->tensor("blk.0.attn_q.weight");
    ASSERT_TRUE(qa && qb);
    EXPECT_EQ(qa->type, TensorType::Q4_0);
    EXPECT_NE(std::memcmp(qa->data, qb->data, qa->n_bytes), 0) << "the importance changed nothing";

    // A matrix from a model of another width: refused before anything is written.
    ImportanceMatrix other;
    std::vector<float> row(32, 1.0f);
    ASSERT_TRUE(other.accumulate("blk.0.attn_q.weight", row.data(), 1, 32).ok());
    weighted.importance = &other;
    const std::string c = temp_file("refused.gguf");
    const Status s = quantize_model(path, c, weighted);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("another model"), std::string::npos) << s.error().message;
    EXPECT_FALSE(fs::exists(c));
    fs::remove(a);
    fs::remove(b);
}

}  // namespace
}  // namespace tessera

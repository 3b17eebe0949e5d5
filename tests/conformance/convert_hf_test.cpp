// tessera's converter against references nobody on the team wrote: the decilm-tiny
// Hugging Face checkpoint (all six NAS block variants, llama3 RoPE, linear FFN, tied
// embeddings, the Llama-3.1 tokenizer) converted to GGUF must give the float64 HF
// reference logits through the engine, and its tokenizer llama.cpp's test vectors.
// Bad checkpoints give clear errors and leave no output behind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <string>

#include <nlohmann/json.hpp>

#include "convert/convert.h"
#include "quant/quant_mix.h"
#include "support/cpu_logits.h"
#include "support/fixtures.h"
#include "support/reference_fixtures.h"
#include "support/tokenizer_vectors.h"
#include "tokenizer/vocab_from_gguf.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;

class ConvertHf : public ::testing::Test {
protected:
    void SetUp() override {
        TESSERA_REQUIRE_FIXTURES();
        dir_ = fs::temp_directory_path() / ("tessera-convert-" + std::to_string(::getpid()) + "-" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }

    static std::string source() { return test::fixture("hf/decilm-tiny"); }
    // A writable copy of the checkpoint to damage.
    fs::path copy_source() {
        const fs::path copy = dir_ / "hf";
        fs::copy(source(), copy);
        for (const auto& e : fs::directory_iterator(copy)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
        return copy;
    }
    fs::path dir_;
};

// The reference prompt's logits at the reference rows, from a converted file.
std::vector<float> run_reference_prompt(const std::string& gguf, const nlohmann::json& ref) {
    return test::cpu_logits(gguf, ref["prompt_ids"].get<std::vector<int32_t>>(),
                            ref["logit_rows"].get<std::vector<int64_t>>());
}

TEST_F(ConvertHf, DecilmTinyMatchesTheHuggingFaceReference) {
    const std::string out = (dir_ / "tiny-f32.gguf").string();
    ConvertOptions options;
    options.type = TensorType::F32;
    ASSERT_TRUE(convert_hf_checkpoint(source(), out, options));

    std::ifstream in(test::fixture("hf/decilm-tiny/reference.json"));
    const auto ref = nlohmann::json::parse(in);
    const auto expected = test::read_f32(test::fixture("hf/decilm-tiny/reference.logits.f32"));
    const auto logits = run_reference_prompt(out, ref);
    ASSERT_EQ(logits.size(), expected.size());
    float max_diff = 0;
    for (size_t i = 0; i < logits.size(); ++i) max_diff = std::max(max_diff, std::abs(logits[i] - expected[i]));
    std::cout << "[          ] decilm-tiny f32: max |diff| " << max_diff << " (limit 0.02)\n";
    EXPECT_LE(max_diff, 0.02f);

    // The five most likely next tokens after the prompt are the reference's.
    const size_t n_vocab = ref["n_vocab"].get<size_t>();
    std::vector<int32_t> order(n_vocab);
    std::iota(order.begin(), order.end(), 0);
    const float* last = logits.data() + n_vocab;
    std::partial_sort(order.begin(), order.begin() + 5, order.end(), [&](int32_t a, int32_t b) { return last[a] > last[b]; });
    EXPECT_EQ(std::vector<int32_t>(order.begin(), order.begin() + 5), ref["top5_last"].get<std::vector<int32_t>>());
}

TEST_F(ConvertHf, ConvertedTokenizerReproducesLlamaCppVectors) {
    const std::string out = (dir_ / "tiny.gguf").string();
    ASSERT_TRUE(convert_hf_checkpoint(source(), out, {}));  // default type: bf16 like the checkpoint
    auto file = GgufFile::open(out);
    ASSERT_TRUE(file) << file.error().message;
    auto vocab = vocab_from_gguf(**file);
    ASSERT_TRUE(vocab) << vocab.error().message;
    auto tok = Tokenizer::create(std::move(*vocab));
    ASSERT_TRUE(tok) << tok.error().message;
    test::expect_matches_vectors(**tok, "llama-bpe");
    EXPECT_EQ((*tok)->bos(), 128000);
    EXPECT_EQ((*tok)->eos(), 128009);
    EXPECT_TRUE((*tok)->adds_bos());
    EXPECT_TRUE((*file)->get_string("tokenizer.chat_template").ok());
}

TEST_F(ConvertHf, QuantizedConversionStaysCloseToTheReference) {
    std::ifstream in(test::fixture("hf/decilm-tiny/reference.json"));
    const auto ref = nlohmann::json::parse(in);
    const auto expected = test::read_f32(test::fixture("hf/decilm-tiny/reference.logits.f32"));
    for (const char* type : {"q8_0", "q4_k_m"}) {
        const std::string out = (dir_ / (std::string(type) + ".gguf")).string();
        ConvertOptions options;
        TensorType t{};
        ASSERT_TRUE(parse_type_name(type, t, options.mix));
        options.type = t;
        ASSERT_TRUE(convert_hf_checkpoint(source(), out, options)) << type;
        const auto logits = run_reference_prompt(out, ref);
        ASSERT_EQ(logits.size(), expected.size());
        double diff2 = 0, mean = 0, var = 0;
        for (float e : expected) mean += e;
        mean /= static_cast<double>(expected.size());
        for (size_t i = 0; i < logits.size(); ++i) {
            diff2 += (logits[i] - expected[i]) * (logits[i] - expected[i]);
            var += (expected[i] - mean) * (expected[i] - mean);
        }
        const double ratio = std::sqrt(diff2 / var);
        std::cout << "[          ] decilm-tiny " << type << ": RMS(diff)/std " << ratio << "\n";
        EXPECT_LT(ratio, 0.5) << type;  // quantization error, far from a wrong tensor (~1)
    }
}

// Protobuf wire format, enough to write a SentencePiece ModelProto.
void put_varint(std::string& out, uint64_t v) {
    do {
        out += static_cast<char>((v & 0x7F) | (v >= 0x80 ? 0x80 : 0));
        v >>= 7;
    } while (v);
}
void put_bytes(std::string& out, uint32_t field, const std::string& bytes) {
    put_varint(out, (field << 3) | 2);
    put_varint(out, bytes.size());
    out += bytes;
}

// tokenizer.model holding the pieces, scores and types of a GGUF SentencePiece vocabulary.
std::string sentencepiece_model_from(const GgufFile& vocab) {
    const auto tokens = *vocab.get_string_array("tokenizer.ggml.tokens");
    const auto scores = *vocab.get_f64_array("tokenizer.ggml.scores");
    const auto types = *vocab.get_i64_array("tokenizer.ggml.token_type");
    std::string model;
    for (size_t i = 0; i < tokens.size(); ++i) {
        std::string piece;
        put_bytes(piece, 1, tokens[i]);
        put_varint(piece, (2 << 3) | 5);
        const float score = static_cast<float>(scores[i]);
        piece.append(reinterpret_cast<const char*>(&score), 4);
        put_varint(piece, (3 << 3) | 0);
        put_varint(piece, static_cast<uint64_t>(types[i]));
        put_bytes(model, 1, piece);
    }
    std::string trainer;  // unk 0, bos 1, eos 2
    for (auto [field, value] : {std::pair{40u, 0u}, {41u, 1u}, {42u, 2u}}) {
        put_varint(trainer, field << 3);
        put_varint(trainer, value);
    }
    put_bytes(model, 2, trainer);
    std::string normalizer;
    put_varint(normalizer, 3 << 3);  // add_dummy_prefix = true
    put_varint(normalizer, 1);
    put_bytes(model, 3, normalizer);
    return model;
}

TEST_F(ConvertHf, SentencePieceTokenizerModelReproducesLlamaCppVectors) {
    // A DeciLM-7B style checkpoint carries tokenizer.model; this one holds the Llama-2
    // vocabulary of llama-spm-vocab.gguf, written as SentencePiece's protobuf.
    const fs::path hf = copy_source();
    fs::remove(hf / "tokenizer.json");
    auto spm = GgufFile::open(test::fixture("tokenizer/llama-spm-vocab.gguf"));
    ASSERT_TRUE(spm);
    std::ofstream(hf / "tokenizer.model", std::ios::binary) << sentencepiece_model_from(**spm);
    const std::string out = (dir_ / "spm.gguf").string();
    const Status s = convert_hf_checkpoint(hf.string(), out, {});
    ASSERT_TRUE(s) << s.error().message;
    auto file = GgufFile::open(out);
    ASSERT_TRUE(file);
    EXPECT_EQ(*(*file)->get_string("tokenizer.ggml.model"), "llama");
    auto vocab = vocab_from_gguf(**file);
    ASSERT_TRUE(vocab) << vocab.error().message;
    auto tok = Tokenizer::create(std::move(*vocab));
    ASSERT_TRUE(tok) << tok.error().message;
    test::expect_matches_vectors(**tok, "llama-spm");

    // A truncated tokenizer.model is a clear error.
    std::ofstream(hf / "tokenizer.model", std::ios::binary) << sentencepiece_model_from(**spm).substr(0, 1001);
    const Status bad = convert_hf_checkpoint(hf.string(), (dir_ / "bad.gguf").string(), {});
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("tokenizer.model is truncated"), std::string::npos) << bad.error().message;
}

void expect_error(const fs::path& folder, const fs::path& out, const std::string& fragment) {
    const Status s = convert_hf_checkpoint(folder.string(), out.string(), {});
    ASSERT_FALSE(s) << "expected an error containing '" << fragment << "'";
    EXPECT_NE(s.error().message.find(fragment), std::string::npos) << s.error().message;
    EXPECT_FALSE(fs::exists(out.string() + ".converting"));
    EXPECT_FALSE(fs::exists(out.string() + ".converting.partial"));
}

TEST_F(ConvertHf, TruncatedSafetensorsIsAClearErrorAndLeavesNoFile) {
    const fs::path hf = copy_source();
    fs::resize_file(hf / "model.safetensors", fs::file_size(hf / "model.safetensors") / 2);
    expect_error(hf, dir_ / "out.gguf", "truncated");
    EXPECT_FALSE(fs::exists(dir_ / "out.gguf"));
}

TEST_F(ConvertHf, HeaderLengthBeyondTheFileIsAClearError) {
    const fs::path hf = copy_source();
    std::fstream f(hf / "model.safetensors", std::ios::in | std::ios::out | std::ios::binary);
    const uint64_t huge = 1ull << 40;
    f.write(reinterpret_cast<const char*>(&huge), 8);
    f.close();
    expect_error(hf, dir_ / "out.gguf", "reaches beyond the file");
}

TEST_F(ConvertHf, AMissingShardIsNamed) {
    const fs::path hf = copy_source();
    fs::rename(hf / "model.safetensors", hf / "model-00001-of-00002.safetensors");
    std::ofstream(hf / "model.safetensors.index.json")
        << R"({"weight_map": {"model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                              "model.norm.weight": "model-00002-of-00002.safetensors"}})";
    expect_error(hf, dir_ / "out.gguf", "shard model-00002-of-00002.safetensors");
}

TEST_F(ConvertHf, AShapeThatDisagreesWithTheConfigIsNamed) {
    const fs::path hf = copy_source();
    std::ifstream in(hf / "config.json");
    auto config = nlohmann::json::parse(in);
    in.close();
    config["block_configs"][0]["ffn"]["ffn_mult"] = 12.0;  // width 512 where the tensors hold 256
    std::ofstream(hf / "config.json") << config.dump();
    expect_error(hf, dir_ / "out.gguf", "model.layers.0.mlp.gate_proj.weight' has shape [256, 64] but config.json implies [512, 64]");
}

TEST_F(ConvertHf, UnsupportedConfigFieldsStopTheConversion) {
    const fs::path hf = copy_source();
    std::ifstream in(hf / "config.json");
    auto config = nlohmann::json::parse(in);
    in.close();
    config["block_configs"][1]["attention"]["window_length"] = 128;
    std::ofstream(hf / "config.json") << config.dump();
    expect_error(hf, dir_ / "out.gguf", "window_length");
}

TEST_F(ConvertHf, AFailedConversionKeepsAnExistingOutput) {
    const fs::path hf = copy_source();
    fs::resize_file(hf / "model.safetensors", 100);
    const fs::path out = dir_ / "existing.gguf";
    std::ofstream(out) << "keep me";
    expect_error(hf, out, "safetensors");
    EXPECT_EQ(test::read_file(out.string()), "keep me");
}

}  // namespace
}  // namespace tessera

// GgufFile::parse_header: the header of a file read from its first bytes only (a model not
// downloaded yet), with the same checks as a whole file, asking for more bytes when the
// prefix ends inside the metadata or the tensor infos, and never allocating for bytes it
// has not seen.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "gguf/gguf_file.h"
#include "model/model_summary.h"
#include "support/gguf_bytes.h"
#include "support/synthetic_models.h"

namespace tessera::test {
namespace {

std::vector<uint8_t> file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads the header the way the download probe does: start small, grow to what it asks for.
Result<GgufHeaderRead> read_growing(const std::vector<uint8_t>& bytes, size_t first, int* rounds) {
    size_t prefix = first;
    for (*rounds = 1;; ++*rounds) {
        auto read = GgufFile::parse_header(bytes.data(), prefix, bytes.size(), "grown");
        if (!read || read->file) return read;
        EXPECT_GT(read->more_bytes_needed, prefix) << "asking for no more bytes would loop";
        prefix = std::min<size_t>(bytes.size(), std::max<size_t>(read->more_bytes_needed, prefix * 2));
    }
}

TEST(GgufHeader, PrefixGrownUntilTheHeaderParsesMatchesTheWholeFile) {
    const std::string path = synthetic_model_path("header-small", small_spec(3));
    const std::vector<uint8_t> bytes = file_bytes(path);
    auto whole = GgufFile::open(path);
    ASSERT_TRUE(whole.ok()) << whole.error().message;

    int rounds = 0;
    auto read = read_growing(bytes, 64, &rounds);
    ASSERT_TRUE(read.ok()) << read.error().message;
    ASSERT_TRUE(read->file);
    EXPECT_GT(rounds, 2) << "a 64-byte start must need several rounds";
    const GgufFile& header = *read->file;
    EXPECT_EQ(header.file_size(), bytes.size());
    EXPECT_EQ(header.metadata().size(), (*whole)->metadata().size());
    ASSERT_EQ(header.tensors().size(), (*whole)->tensors().size());
    for (size_t i = 0; i < header.tensors().size(); ++i) {
        EXPECT_EQ(header.tensors()[i].name, (*whole)->tensors()[i].name);
        EXPECT_EQ(header.tensors()[i].n_bytes, (*whole)->tensors()[i].n_bytes);
        EXPECT_EQ(header.tensors()[i].data, nullptr) << "no tensor data is reachable from a header";
    }
}

TEST(GgufHeader, OnlyTheHeaderBytesAreNeeded) {
    const std::string path = synthetic_model_path("header-small", small_spec(3));
    const std::vector<uint8_t> bytes = file_bytes(path);
    auto whole = GgufFile::parse(bytes.data(), bytes.size());  // tensor data points into `bytes`
    ASSERT_TRUE(whole.ok());
    // The data section starts after the tensor infos: everything before the first tensor's data suffices.
    const auto data_start = static_cast<size_t>((*whole)->tensors().front().data - bytes.data() -
                                                (*whole)->tensors().front().offset);
    auto read = GgufFile::parse_header(bytes.data(), data_start, bytes.size(), "prefix");
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_TRUE(read->file);
    EXPECT_LT(data_start, bytes.size() / 2);
}

TEST(GgufHeader, SummaryFromTheHeaderEqualsTheLoadedModels) {
    SyntheticSpec spec = small_spec(4);
    spec.layers = {gqa_layer(2, 96), layer(AttentionKind::Linear, 0, FfnKind::Linear, 0),
                   layer(AttentionKind::None, 0, FfnKind::None, 0), gqa_layer(1, 128)};
    const std::string path = synthetic_model_path("header-nas", spec);
    const std::vector<uint8_t> bytes = file_bytes(path);
    auto loaded = read_model_summary(path);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    int rounds = 0;
    auto read = read_growing(bytes, 4096, &rounds);
    ASSERT_TRUE(read.ok() && read->file);
    auto summary = summarize_header(*read->file);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    EXPECT_EQ(summary->weight_bytes, loaded->weight_bytes);
    EXPECT_EQ(summary->parameter_count, loaded->parameter_count);
    EXPECT_EQ(summary->quantization, loaded->quantization);
    EXPECT_EQ(summary->file_size, loaded->file_size);
    EXPECT_EQ(summary->config.n_vocab, loaded->config.n_vocab);
    EXPECT_EQ(summary->config.kv_bytes_per_token(), loaded->config.kv_bytes_per_token());
    ASSERT_EQ(summary->config.layers.size(), 4u);
    EXPECT_EQ(summary->config.layers[3].ffn_width, 128);
    EXPECT_EQ(summary->split_count, 1);
}

TEST(GgufHeader, HugeCountsAskForBytesInsteadOfAllocating) {
    // 2^40 metadata entries in a file said to be 1 PiB: the count fits the file, not the prefix.
    GgufBytes b;
    b.header(0, uint64_t{1} << 40);
    auto read = GgufFile::parse_header(b.data(), b.size(), uint64_t{1} << 50, "huge");
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_FALSE(read->file);
    EXPECT_GT(read->more_bytes_needed, uint64_t{1} << 40);
    // A string length reaching past the prefix: the same.
    GgufBytes s;
    s.header(0, 1).str("general.name").u32(GgufBytes::kString).u64(uint64_t{1} << 29);
    read = GgufFile::parse_header(s.data(), s.size(), uint64_t{1} << 40, "long string");
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(read->more_bytes_needed, s.size() + (uint64_t{1} << 29));
}

TEST(GgufHeader, GarbageAndRealTruncationAreClearErrors) {
    const std::string html = "<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>";
    auto read = GgufFile::parse_header(reinterpret_cast<const uint8_t*>(html.data()), html.size(), 1 << 20, "page");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("not a GGUF file"), std::string::npos) << read.error().message;
    EXPECT_NE(read.error().message.find("HTML"), std::string::npos) << read.error().message;

    // The whole "file" is in memory and ends inside the metadata: truncated, not "more bytes".
    const std::vector<uint8_t> bytes = file_bytes(synthetic_model_path("header-small", small_spec(3)));
    read = GgufFile::parse_header(bytes.data(), 300, 300, "cut");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("truncated"), std::string::npos) << read.error().message;

    // A bad value inside the prefix is the same error a whole file gets.
    GgufBytes twice;
    twice.header(0, 2).kv_string("a.key", "x").kv_string("a.key", "y");
    read = GgufFile::parse_header(twice.data(), twice.size(), 1 << 20, "dup");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.error().message.find("duplicate metadata key"), std::string::npos) << read.error().message;
}

TEST(GgufHeader, PrefixLargerThanTheFileIsRefused) {
    GgufBytes b;
    b.header(0, 0);
    auto read = GgufFile::parse_header(b.data(), b.size(), b.size() - 1, "x");
    EXPECT_FALSE(read.ok());
}

}  // namespace
}  // namespace tessera::test

// Tokenizer conformance against llama.cpp's test vectors and a real model's prompt ids.
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fixtures.h"
#include "support/mini_gguf_kv.h"
#include "support/tokenizer_vectors.h"
#include "tokenizer/streaming_decoder.h"
#include "tokenizer/tokenizer.h"

namespace tessera {
namespace {

using test::expect_matches_vectors;
using test::read_file;

std::unique_ptr<Tokenizer> load(const std::string& relative) {
    auto vocab = test::read_vocab_from_gguf(test::fixture(relative));
    if (!vocab.ok()) {
        ADD_FAILURE() << vocab.error().message;
        return nullptr;
    }
    auto tok = Tokenizer::create(std::move(vocab).value());
    if (!tok.ok()) {
        ADD_FAILURE() << tok.error().message;
        return nullptr;
    }
    return std::move(tok).value();
}


TEST(TokenizerFixture, LlamaBpeMatchesLlamaCpp) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama3.1-vocab.gguf");
    ASSERT_TRUE(tok);
    expect_matches_vectors(*tok, "llama-bpe");
}

TEST(TokenizerFixture, LlamaSpmMatchesLlamaCpp) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama-spm-vocab.gguf");
    ASSERT_TRUE(tok);
    expect_matches_vectors(*tok, "llama-spm");
}

std::vector<int32_t> json_int_array(const std::string& json, const std::string& key) {
    std::vector<int32_t> out;
    const std::size_t at = json.find("\"" + key + "\"");
    if (at == std::string::npos) return out;
    const std::size_t open = json.find('[', at), close = json.find(']', at);
    std::string body = json.substr(open + 1, close - open - 1);
    for (char& c : body)
        if (c == ',') c = ' ';
    std::istringstream in(body);
    for (int32_t v; in >> v;) out.push_back(v);
    return out;
}

TEST(TokenizerFixture, AidreamsPromptMatchesLlamaCpp) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("models/aidreams260K-f32.gguf");
    ASSERT_TRUE(tok);
    EXPECT_EQ(tok->n_vocab(), 512);
    EXPECT_TRUE(tok->adds_bos());
    EXPECT_EQ(tok->encode("I", tok->adds_bos(), false), (std::vector<int32_t>{1, 303}));

    const auto reference = json_int_array(read_file(test::fixture("reference/aidreams260K-f32.json")), "prompt_ids");
    ASSERT_FALSE(reference.empty());
    // The reference prompt's text, as llama.cpp tokenized it (with BOS).
    const std::string prompt = "I dream of electric sheep, and of quiet rivers under a violet sky.";
    EXPECT_EQ(tok->encode(prompt, true, false), reference);
    EXPECT_EQ(tok->decode(reference), prompt);

    // The greedy continuation continues the text: decoded after the prompt, or streamed on
    // its own as a continuation, it keeps its leading space.
    const auto greedy = json_int_array(read_file(test::fixture("reference/aidreams260K-f32.json")), "greedy_ids");
    std::vector<int32_t> all = reference;
    all.insert(all.end(), greedy.begin(), greedy.end());
    const std::string continuation = " Contrast edges sharpen, a kaleidoscope of p";
    EXPECT_EQ(tok->decode(all).rfind(prompt + continuation, 0), 0u) << tok->decode(all);
    StreamingDecoder stream(*tok, /*text_start=*/false);
    std::string streamed;
    for (const int32_t id : greedy) streamed += stream.push(id);
    EXPECT_EQ(streamed.rfind(continuation, 0), 0u) << streamed;
}

const std::vector<std::string>& round_trip_texts() {
    static const std::vector<std::string> texts = {
        "int main(int argc, char** argv) {\n\tfor (auto& x : v) { x += 1; }\n    return 0;\n}\n",
        "def f(x):\r\n    return {'a': [1, 2, 3]}  # comment\n\n\n",
        "日本語のテキストと中文文本，还有한국어 텍스트.",
        "Family: 👨‍👩‍👧‍👦, flags: 🏳️‍🌈 🇺🇦, skin tones: 👍🏽, llama 🦙!",
        "   leading, trailing   ",
        std::string(300, ' ') + "x" + std::string(200, '\n') + std::string(100, '\t'),
        "I've been 'there', he'LL say 3.14159 or 1234567 times.",
        "Ünïcödé ñ ß ﬁ Ωμέγα Привет мир العربية עברית हिन्दी",
        "<|eot_id|> and <s> are plain text here",
        " ",
        "a",
    };
    return texts;
}

void expect_round_trips(const Tokenizer& tok) {
    for (const std::string& text : round_trip_texts()) {
        for (const bool bos : {false, true}) {
            const auto ids = tok.encode(text, bos, false);
            EXPECT_EQ(tok.decode(ids), text) << "bos=" << bos;
            StreamingDecoder stream(tok);
            std::string streamed;
            for (const int32_t id : ids) streamed += stream.push(id);
            streamed += stream.flush();
            EXPECT_EQ(streamed, text) << "streamed, bos=" << bos;
        }
    }
}

TEST(TokenizerFixture, RoundTripBpe) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama3.1-vocab.gguf");
    ASSERT_TRUE(tok);
    expect_round_trips(*tok);
}

TEST(TokenizerFixture, RoundTripSpm) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama-spm-vocab.gguf");
    ASSERT_TRUE(tok);
    expect_round_trips(*tok);
}

std::string invalid_utf8_text() {
    std::string s = "ok \xFF\xFE bad \xC3 trunc \xE2\x82 lone \x80\xBF overlong \xC0\xAF surrogate \xED\xA0\x80 ";
    s += std::string("\xF4\x90\x80\x80", 4) + " end";
    s.push_back('\0');
    s += "after nul \xF0\x9F\x98";  // truncated emoji at the end
    return s;
}

TEST(TokenizerFixture, InvalidUtf8RoundTripsBytes) {
    TESSERA_REQUIRE_FIXTURES();
    for (const char* vocab : {"tokenizer/llama3.1-vocab.gguf", "tokenizer/llama-spm-vocab.gguf"}) {
        const auto tok = load(vocab);
        ASSERT_TRUE(tok);
        const std::string text = invalid_utf8_text();
        const auto ids = tok->encode(text, true, true);
        EXPECT_EQ(tok->decode(ids), text) << vocab;  // byte-level / byte fallback keep every byte
        StreamingDecoder stream(*tok);
        std::string streamed;
        for (const int32_t id : ids) streamed += stream.push(id);
        streamed += stream.flush();
        EXPECT_NE(streamed.find("\xEF\xBF\xBD"), std::string::npos);  // shown as U+FFFD
        EXPECT_EQ(streamed.find('\xFF'), std::string::npos);
    }
}

TEST(TokenizerFixture, StreamingHoldsBackSplitEmoji) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama-spm-vocab.gguf");
    ASSERT_TRUE(tok);
    const std::string emoji = "\xF0\x9F\xA6\x99";  // U+1F999 llama: not in the vocab -> 4 byte tokens
    const auto ids = tok->encode(emoji, false, false);
    ASSERT_GE(ids.size(), 4u);
    StreamingDecoder stream(*tok);
    std::vector<std::string> pieces;
    for (const int32_t id : ids) pieces.push_back(stream.push(id));
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) EXPECT_EQ(pieces[i], "") << i;  // held back
    EXPECT_EQ(pieces.back(), emoji);
    EXPECT_EQ(stream.flush(), "");

    // Cut short: the incomplete character becomes one U+FFFD at flush.
    StreamingDecoder cut(*tok);
    for (std::size_t i = 0; i + 1 < ids.size(); ++i) EXPECT_EQ(cut.push(ids[i]), "");
    EXPECT_EQ(cut.flush(), "\xEF\xBF\xBD");
}

TEST(TokenizerFixture, SpecialTokensOnlyWhenParsingSpecial) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama3.1-vocab.gguf");
    ASSERT_TRUE(tok);
    EXPECT_TRUE(tok->adds_bos());
    EXPECT_EQ(tok->bos(), 128000);
    EXPECT_EQ(tok->eos(), 128009);
    const std::string text = "Hi<|eot_id|><|start_header_id|>user";
    const auto parsed = tok->encode(text, false, true);
    const auto plain = tok->encode(text, false, false);
    EXPECT_EQ(parsed, (std::vector<int32_t>{13347, 128009, 128006, 882}));
    for (const int32_t id : plain) EXPECT_LT(id, 128000) << "user text injected a special token";
    EXPECT_EQ(tok->decode(plain), text);
    EXPECT_EQ(tok->decode(parsed), "Hiuser");  // control tokens render as nothing
    EXPECT_EQ(tok->decode_token(128009, /*render_special=*/true), "<|eot_id|>");

    EXPECT_TRUE(tok->is_end_of_generation(128009));  // <|eot_id|>, the eos
    EXPECT_TRUE(tok->is_end_of_generation(128001));  // <|end_of_text|>
    EXPECT_FALSE(tok->is_end_of_generation(128000));
    EXPECT_FALSE(tok->is_end_of_generation(13347));
    EXPECT_FALSE(tok->is_end_of_generation(-1));
    EXPECT_FALSE(tok->is_end_of_generation(1 << 30));
}

std::string english_text(std::size_t bytes) {
    static const char* kWords[] = {"the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "engine",
                                   "tokenizer", "llama", "model", "running", "files", "Hello", "world",
                                   "wonderful", "It's", "they're", "2024", "3.5", "international",
                                   "characterization", "of", "a", "and", "to", "in", "is", "reliability"};
    std::string s;
    s.reserve(bytes + 32);
    uint32_t state = 12345;
    while (s.size() < bytes) {
        state = state * 1664525u + 1013904223u;
        s += kWords[(state >> 8) % (sizeof(kWords) / sizeof(kWords[0]))];
        const uint32_t r = (state >> 20) % 16;
        s += r == 0 ? ". " : r == 1 ? ", " : r == 2 ? "\n" : " ";
    }
    return s;
}

// Large inputs encode correctly and round-trip (speed is bench/'s business, not a test's).
TEST(TokenizerFixture, BpeEncodesOneMegabyte) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama3.1-vocab.gguf");
    ASSERT_TRUE(tok);
    const std::string text = english_text(1 << 20);
    const auto ids = tok->encode(text, true, false);
    EXPECT_GT(ids.size(), 100000u);
    EXPECT_EQ(tok->decode(ids), text);

    // Matching 256 special tokens first (none occur in the text) changes nothing.
    const auto ids_special = tok->encode(text, true, true);
    EXPECT_EQ(ids_special, ids);
}

TEST(TokenizerFixture, BpeEncodesOneLongWord) {
    TESSERA_REQUIRE_FIXTURES();
    const auto tok = load("tokenizer/llama3.1-vocab.gguf");
    ASSERT_TRUE(tok);
    // One pre-tokenizer word of 256 KiB (letters only), and one of punctuation.
    for (const char fill : {'x', '#'}) {
        const std::string text(1 << 18, fill);
        const auto ids = tok->encode(text, false, false);
        EXPECT_EQ(tok->decode(ids), text);
    }
}

}  // namespace
}  // namespace tessera

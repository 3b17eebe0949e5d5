// Generation on the bundled aidreams model (no ../shared needed): the reference greedy
// text, stop strings across tokens, token and context limits, cancellation within one
// token (and between prefill chunks), and prefix reuse counted in evaluated tokens.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "backend/cpu/forward.h"
#include "session/generator.h"
#include "support/counting_evaluator.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/vocab_from_gguf.h"

namespace tessera {
namespace {

// The README of the fixtures gives the model's greedy continuation of "I".
constexpr const char* kAidreamsGreedy = "I siphon from noise. Contrast edges sharpen, a kaleidoscope of p";

struct Aidreams {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<cpu::CpuForward> forward;
};

Aidreams load_aidreams(int64_t n_ctx = 512, int64_t n_batch = 256) {
    Aidreams a;
    auto model = Model::load(std::string(TESSERA_SOURCE_DIR) + "/packaging/models/aidreams260K-f32.gguf");
    EXPECT_TRUE(model) << model.error().message;
    a.model = std::move(*model);
    auto vocab = vocab_from_gguf(a.model->file());
    auto tok = Tokenizer::create(std::move(*vocab));
    a.tokenizer = std::move(*tok);
    cpu::ForwardOptions options;
    options.n_ctx = n_ctx;
    options.n_threads = 2;
    options.n_batch = n_batch;
    auto forward = cpu::CpuForward::create(*a.model, options);
    EXPECT_TRUE(forward) << forward.error().message;
    a.forward = std::move(*forward);
    return a;
}

GenerationSettings greedy(int64_t max_tokens) {
    GenerationSettings g;
    g.max_tokens = max_tokens;
    g.text_start = false;
    return g;
}

std::string generate_text(Generator& gen, const std::vector<int32_t>& prompt, const GenerationSettings& settings,
                          GenerationStats* stats = nullptr, const std::atomic<bool>* cancel = nullptr) {
    std::string text;
    auto s = gen.generate(prompt, settings, [&](std::string_view piece) { text.append(piece); }, cancel);
    EXPECT_TRUE(s) << s.error().message;
    if (s && stats) *stats = *s;
    return text;
}

TEST(Generator, GreedyContinuationOfIMatchesTheReferenceText) {
    auto a = load_aidreams();
    Generator gen(*a.forward, *a.tokenizer);
    const auto prompt = a.tokenizer->encode("I", true, false);
    GenerationStats stats;
    const std::string text = "I" + generate_text(gen, prompt, greedy(40), &stats);
    EXPECT_EQ(text.substr(0, std::string(kAidreamsGreedy).size()), kAidreamsGreedy);
    EXPECT_EQ(stats.generated_tokens, 40);
    EXPECT_EQ(stats.finish, FinishReason::kMaxTokens);
    EXPECT_EQ(stats.prompt_tokens, static_cast<int64_t>(prompt.size()));
}

TEST(Generator, StopStringAcrossTokensEndsTheReplyAndIsNotShown) {
    auto a = load_aidreams();
    Generator gen(*a.forward, *a.tokenizer);
    auto settings = greedy(60);
    settings.stop = {"noise. Con"};  // spans several tokens of the greedy text
    GenerationStats stats;
    const std::string text = generate_text(gen, a.tokenizer->encode("I", true, false), settings, &stats);
    EXPECT_EQ(text, " siphon from ");
    EXPECT_EQ(stats.finish, FinishReason::kStopString);
    EXPECT_LT(stats.generated_tokens, 60);
}

TEST(Generator, AFullContextEndsTheReplyWithoutAnError) {
    auto a = load_aidreams(/*n_ctx=*/16);
    Generator gen(*a.forward, *a.tokenizer);
    const auto prompt = a.tokenizer->encode("I see the light", true, false);
    ASSERT_LT(prompt.size(), 16u);
    GenerationStats stats;
    generate_text(gen, prompt, greedy(100), &stats);
    EXPECT_EQ(stats.finish, FinishReason::kContextFull);
    // Every position is used: the last sampled token is the only one not evaluated.
    EXPECT_EQ(stats.generated_tokens, 16 - static_cast<int64_t>(prompt.size()) + 1);
    EXPECT_EQ(a.forward->n_past(), 16);
}

TEST(Generator, APromptLongerThanTheContextIsAClearError) {
    auto a = load_aidreams(/*n_ctx=*/8);
    Generator gen(*a.forward, *a.tokenizer);
    auto s = gen.generate(a.tokenizer->encode("a long prompt that will not fit in eight tokens", true, false),
                          greedy(4), nullptr);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("context holds 8"), std::string::npos) << s.error().message;
}

TEST(Generator, CancellationEndsTheStreamWithinOneToken) {
    auto a = load_aidreams();
    test::CountingEvaluator counting(*a.forward);
    Generator gen(counting, *a.tokenizer);
    std::atomic<bool> cancel{false};
    int pieces = 0;
    auto s = gen.generate(a.tokenizer->encode("I", true, false), greedy(100),
                          [&](std::string_view) {
                              if (++pieces == 5) cancel = true;  // requested while token 5 is shown
                          },
                          &cancel);
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->finish, FinishReason::kCancelled);
    EXPECT_EQ(s->generated_tokens, 5);
    EXPECT_EQ(pieces, 5);
}

TEST(Generator, CancellationIsSeenBetweenPrefillChunksAndTheWorkIsKept) {
    auto a = load_aidreams(512, /*n_batch=*/4);
    test::CountingEvaluator counting(*a.forward);
    Generator gen(counting, *a.tokenizer);
    const auto prompt = a.tokenizer->encode("Once upon a time, in a land of dreams and noise, a machine", true, false);
    ASSERT_GT(prompt.size(), 12u);
    std::atomic<bool> cancel{false};
    counting.after_eval = [&](size_t calls) {
        if (calls == 2) cancel = true;
    };
    GenerationStats stats;
    generate_text(gen, prompt, greedy(8), &stats, &cancel);
    EXPECT_EQ(stats.finish, FinishReason::kCancelled);
    EXPECT_EQ(stats.prefilled_tokens, 8);  // two chunks of four
    EXPECT_EQ(stats.generated_tokens, 0);

    counting.after_eval = nullptr;
    counting.calls.clear();
    cancel = false;
    generate_text(gen, prompt, greedy(1), &stats, &cancel);
    EXPECT_EQ(stats.reused_tokens, 8);
    EXPECT_EQ(stats.prefilled_tokens, static_cast<int64_t>(prompt.size()) - 8);
    EXPECT_EQ(counting.tokens_evaluated(), static_cast<int64_t>(prompt.size()) - 8);
}

TEST(Generator, ASecondPromptPrefillsOnlyWhatIsNewAndGivesTheSameResult) {
    auto a = load_aidreams();
    test::CountingEvaluator counting(*a.forward);
    Generator gen(counting, *a.tokenizer);
    const auto first = a.tokenizer->encode("I dream of", true, false);
    generate_text(gen, first, greedy(6));
    const std::vector<int32_t> cached = gen.cached_tokens();
    ASSERT_EQ(cached.size(), first.size() + 5);  // the sixth token was sampled, not evaluated

    // The next prompt extends what the cache holds.
    std::vector<int32_t> second = cached;
    for (int32_t t : a.tokenizer->encode(" and then", false, false)) second.push_back(t);
    counting.calls.clear();
    GenerationStats stats;
    const std::string reused_text = generate_text(gen, second, greedy(12), &stats);
    EXPECT_EQ(stats.reused_tokens, static_cast<int64_t>(cached.size()));
    EXPECT_EQ(stats.prefilled_tokens, static_cast<int64_t>(second.size() - cached.size()));
    ASSERT_FALSE(counting.calls.empty());
    EXPECT_EQ(counting.calls.front(), stats.prefilled_tokens);

    // The same prompt from an empty cache gives the same reply.
    auto fresh = load_aidreams();
    Generator fresh_gen(*fresh.forward, *fresh.tokenizer);
    EXPECT_EQ(generate_text(fresh_gen, second, greedy(12)), reused_text);

    // The identical prompt again re-evaluates only its last token.
    generate_text(gen, second, greedy(1), &stats);
    EXPECT_EQ(stats.prefilled_tokens, 1);
}

TEST(Generator, SeededSamplingIsReproducible) {
    auto a = load_aidreams();
    Generator gen(*a.forward, *a.tokenizer);
    auto settings = greedy(30);
    settings.sampling.temperature = 1.0f;
    settings.sampling.top_k = 20;
    settings.sampling.seed = 1234;
    const auto prompt = a.tokenizer->encode("I", true, false);
    const std::string one = generate_text(gen, prompt, settings);
    EXPECT_EQ(generate_text(gen, prompt, settings), one);
    settings.sampling.seed = 99;
    EXPECT_NE(generate_text(gen, prompt, settings), one);
}

TEST(Generator, BadSettingsAreRefusedBeforeAnyWork) {
    auto a = load_aidreams();
    test::CountingEvaluator counting(*a.forward);
    Generator gen(counting, *a.tokenizer);
    auto settings = greedy(4);
    settings.sampling.top_p = 0.0f;
    auto s = gen.generate(a.tokenizer->encode("I", true, false), settings, nullptr);
    ASSERT_FALSE(s);
    EXPECT_NE(s.error().message.find("top-p"), std::string::npos);
    EXPECT_TRUE(counting.calls.empty());
}

}  // namespace
}  // namespace tessera

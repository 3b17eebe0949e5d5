// The sampling chain on fixed logits: which tokens each filter lets through, that draws
// follow the tempered distribution, that penalties move the choice, and that a seed
// makes a run reproducible.
#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "sampling/sampler.h"

namespace tessera {
namespace {

// Logits whose softmax at temperature 1 is exactly `probs`.
std::vector<float> logits_for(const std::vector<double>& probs) {
    std::vector<float> l;
    for (double p : probs) l.push_back(static_cast<float>(std::log(p)));
    return l;
}

std::map<int32_t, int> draw_counts(SamplerSettings s, const std::vector<float>& logits, int n) {
    Sampler sampler(s);
    std::map<int32_t, int> counts;
    for (int i = 0; i < n; ++i) ++counts[sampler.sample(logits.data(), static_cast<int64_t>(logits.size()))];
    return counts;
}

const std::vector<double> kProbs = {0.05, 0.5, 0.15, 0.3};  // ids by probability: 1, 3, 2, 0

TEST(Sampler, GreedyPicksTheLargestLogitFirstOnTies) {
    Sampler greedy({});
    const std::vector<float> l = {0.5f, 2.0f, -1.0f, 2.0f};
    EXPECT_EQ(greedy.sample(l.data(), 4), 1);
    EXPECT_EQ(argmax(l.data(), 4), 1);
}

TEST(Sampler, TemperatureDrawsFollowTheSoftmax) {
    SamplerSettings s;
    s.temperature = 1.0f;
    s.seed = 7;
    const int n = 40000;
    auto counts = draw_counts(s, logits_for(kProbs), n);
    for (size_t id = 0; id < kProbs.size(); ++id)
        EXPECT_NEAR(counts[static_cast<int32_t>(id)] / double(n), kProbs[id], 0.01) << "id " << id;

    // Temperature 2 flattens: p ~ sqrt(p) renormalised.
    s.temperature = 2.0f;
    counts = draw_counts(s, logits_for(kProbs), n);
    double z = 0;
    for (double p : kProbs) z += std::sqrt(p);
    for (size_t id = 0; id < kProbs.size(); ++id)
        EXPECT_NEAR(counts[static_cast<int32_t>(id)] / double(n), std::sqrt(kProbs[id]) / z, 0.01) << "id " << id;
}

TEST(Sampler, TopKKeepsExactlyTheKMostLikely) {
    SamplerSettings s;
    s.temperature = 1.0f;
    s.top_k = 2;
    auto counts = draw_counts(s, logits_for(kProbs), 5000);
    EXPECT_EQ(counts.size(), 2u);
    EXPECT_GT(counts[1], 0);
    EXPECT_GT(counts[3], 0);
    // Renormalised over the two kept: 0.5 / 0.8.
    EXPECT_NEAR(counts[1] / 5000.0, 0.625, 0.03);
}

// A backend that selects the top k itself (Evaluator::eval_top_k) hands the sampler k
// candidates, most likely first: the draws must be the ones the full logits give, seed for
// seed, ties included; and only settings that need nothing beyond the top k ask for it.
TEST(Sampler, TopKReadbackDrawsWhatTheFullLogitsDraw) {
    SamplerSettings s;
    s.temperature = 0.8f;
    s.top_k = 40;
    s.top_p = 0.9f;
    s.min_p = 0.02f;
    s.seed = 7;
    const int64_t n = 5000;
    Sampler full(s), from_top(s);
    EXPECT_EQ(full.top_k_readback(n), 40);
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    for (int round = 0; round < 200; ++round) {
        std::vector<float> logits(static_cast<size_t>(n));
        for (float& l : logits) l = normal(rng);
        logits[17] = logits[4000] = logits[999] = 20.0f;  // a tie at the top
        std::vector<Candidate> top;
        fill_candidates(logits.data(), n, top);
        keep_top_k(top, s.top_k);
        ASSERT_EQ(top.size(), 40u);
        EXPECT_EQ(top[0].id, 17);  // equal logits by id
        EXPECT_EQ(from_top.sample_top_k(top), full.sample(logits.data(), n)) << "round " << round;
    }
    auto readback = [&](auto change) {
        SamplerSettings t = s;
        change(t);
        return Sampler(t).top_k_readback(n);
    };
    EXPECT_EQ(readback([](SamplerSettings& t) { t.repeat_penalty = 1.1f; }), 0);  // a penalty can lift a token into the top k
    EXPECT_EQ(readback([](SamplerSettings& t) { t.presence_penalty = 0.5f; }), 0);
    EXPECT_EQ(readback([](SamplerSettings& t) { t.top_k = 0; }), 0);
    EXPECT_EQ(readback([](SamplerSettings& t) { t.top_k = 5000; }), 0);  // the whole vocabulary
    EXPECT_EQ(readback([](SamplerSettings& t) { t.temperature = 0.0f; }), 0);  // greedy has its own readback
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
    SamplerSettings s;
    s.temperature = 1.0f;
    s.top_p = 0.75f;  // 0.5 < 0.75 <= 0.5 + 0.3
    auto counts = draw_counts(s, logits_for(kProbs), 5000);
    EXPECT_EQ(counts.size(), 2u);
    EXPECT_GT(counts[1], 0);
    EXPECT_GT(counts[3], 0);
    s.top_p = 0.81f;  // needs the third
    EXPECT_EQ(draw_counts(s, logits_for(kProbs), 5000).size(), 3u);
}

TEST(Sampler, TopPOnALargeVocabularyKeepsWhatAFullSortWould) {
    std::mt19937_64 rng(5);
    std::normal_distribution<float> normal(0.0f, 3.0f);
    std::vector<float> logits(5000);
    for (float& l : logits) l = normal(rng);
    for (float p : {0.1f, 0.5f, 0.9f, 0.99f}) {
        std::vector<Candidate> c;
        fill_candidates(logits.data(), 5000, c);
        keep_top_p(c, p);
        // Reference: sort everything, take the shortest prefix reaching p.
        std::vector<Candidate> all;
        fill_candidates(logits.data(), 5000, all);
        softmax(all);
        std::sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.p > b.p; });
        double total = 0;
        size_t n = 0;
        while (n < all.size() && total < p) total += all[n++].p;
        ASSERT_EQ(c.size(), n) << "p " << p;
        std::set<int32_t> kept, expected;
        for (const auto& x : c) kept.insert(x.id);
        for (size_t i = 0; i < n; ++i) expected.insert(all[i].id);
        EXPECT_EQ(kept, expected) << "p " << p;
    }
}

TEST(Sampler, MinPDropsTokensBelowAFractionOfTheBest) {
    SamplerSettings s;
    s.temperature = 1.0f;
    s.min_p = 0.2f;  // threshold 0.1: 0.05 goes
    auto counts = draw_counts(s, logits_for(kProbs), 5000);
    EXPECT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts.count(0), 0u);
    s.min_p = 0.7f;  // threshold 0.35: only 0.5 stays
    counts = draw_counts(s, logits_for(kProbs), 200);
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts.begin()->first, 1);
}

TEST(Sampler, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits) {
    std::vector<Candidate> c = {{0, 4.0f, 0}, {1, -2.0f, 0}, {2, 3.0f, 0}};
    const std::vector<int32_t> recent = {0, 1, 0};
    apply_penalties(c, recent, 2.0f, 0.0f, 0.0f);
    EXPECT_FLOAT_EQ(c[0].logit, 2.0f);
    EXPECT_FLOAT_EQ(c[1].logit, -4.0f);
    EXPECT_FLOAT_EQ(c[2].logit, 3.0f);  // not in the window
    apply_penalties(c, recent, 1.0f, 0.5f, 0.25f);
    EXPECT_FLOAT_EQ(c[0].logit, 2.0f - 2 * 0.5f - 0.25f);  // twice in the window
    EXPECT_FLOAT_EQ(c[1].logit, -4.0f - 0.5f - 0.25f);
}

TEST(Sampler, PenaltiesChangeTheGreedyChoiceOnlyInsideTheWindow) {
    const std::vector<float> l = {1.0f, 3.0f, 2.0f};
    SamplerSettings s;
    s.repeat_penalty = 2.0f;
    s.penalty_last_n = 2;
    Sampler sampler(s);
    EXPECT_EQ(sampler.sample(l.data(), 3), 1);
    sampler.accept(1);  // 3 / 2 = 1.5 < 2
    EXPECT_EQ(sampler.sample(l.data(), 3), 2);
    sampler.accept(0);
    sampler.accept(0);  // token 1 left the two-token window
    EXPECT_EQ(sampler.sample(l.data(), 3), 1);
}

TEST(Sampler, ASeedMakesARunReproducible) {
    SamplerSettings s;
    s.temperature = 1.5f;
    s.top_k = 40;
    s.top_p = 0.95f;
    std::vector<float> logits(1000);
    for (size_t i = 0; i < logits.size(); ++i) logits[i] = static_cast<float>(std::sin(double(i) * 0.37) * 3.0);
    auto run = [&](uint64_t seed) {
        s.seed = seed;
        Sampler sampler(s);
        std::vector<int32_t> ids;
        for (int i = 0; i < 200; ++i) ids.push_back(sampler.sample(logits.data(), 1000));
        return ids;
    };
    EXPECT_EQ(run(42), run(42));
    EXPECT_NE(run(42), run(43));
}

TEST(Sampler, SettingsOutOfRangeAreNamed) {
    SamplerSettings s;
    s.top_p = 1.5f;
    ASSERT_FALSE(validate(s));
    EXPECT_NE(validate(s).error().message.find("top-p"), std::string::npos);
    s = {};
    s.temperature = -1.0f;
    EXPECT_NE(validate(s).error().message.find("temperature"), std::string::npos);
    s = {};
    s.min_p = 2.0f;
    EXPECT_FALSE(validate(s));
    s = {};
    s.repeat_penalty = 0.0f;
    EXPECT_FALSE(validate(s));
    EXPECT_TRUE(validate(SamplerSettings{}));
}

}  // namespace
}  // namespace tessera

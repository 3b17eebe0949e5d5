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

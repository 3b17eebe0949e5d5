#include "sampling/candidates.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace tessera {

void fill_candidates(const float* logits, int64_t n_vocab, std::vector<Candidate>& out) {
    out.resize(static_cast<size_t>(n_vocab));
    for (int64_t i = 0; i < n_vocab; ++i) out[static_cast<size_t>(i)] = {static_cast<int32_t>(i), logits[i], 0.0f};
}

void apply_penalties(std::vector<Candidate>& c, std::span<const int32_t> recent, float repeat, float frequency,
                     float presence) {
    if (recent.empty() || (repeat == 1.0f && frequency == 0.0f && presence == 0.0f)) return;
    std::unordered_map<int32_t, int> counts;
    for (int32_t t : recent) ++counts[t];
    for (auto& cand : c) {
        auto it = counts.find(cand.id);
        if (it == counts.end()) continue;
        cand.logit = cand.logit > 0.0f ? cand.logit / repeat : cand.logit * repeat;
        cand.logit -= static_cast<float>(it->second) * frequency + presence;
    }
}

void softmax(std::vector<Candidate>& c) {
    std::sort(c.begin(), c.end(), [](const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    });
    if (c.empty()) return;
    const float max = c.front().logit;
    double sum = 0.0;
    for (auto& cand : c) sum += std::exp(static_cast<double>(cand.logit - max));
    for (auto& cand : c) cand.p = static_cast<float>(std::exp(static_cast<double>(cand.logit - max)) / sum);
}

void keep_top_k(std::vector<Candidate>& c, int32_t k) {
    if (k <= 0 || static_cast<size_t>(k) >= c.size()) return;
    std::partial_sort(c.begin(), c.begin() + k, c.end(), [](const Candidate& a, const Candidate& b) {
        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
    });
    c.resize(static_cast<size_t>(k));
}

void keep_top_p(std::vector<Candidate>& c, float p) {
    if (p >= 1.0f || c.size() <= 1) return;
    softmax(c);
    double total = 0.0;
    size_t keep = c.size();
    for (size_t i = 0; i < c.size(); ++i) {
        total += c[i].p;
        if (total >= p) {
            keep = i + 1;
            break;
        }
    }
    c.resize(keep);
}

void keep_min_p(std::vector<Candidate>& c, float min_p) {
    if (min_p <= 0.0f || c.size() <= 1) return;
    softmax(c);
    const float threshold = c.front().p * min_p;
    size_t keep = 1;
    while (keep < c.size() && c[keep].p >= threshold) ++keep;
    c.resize(keep);
}

void apply_temperature(std::vector<Candidate>& c, float temperature) {
    for (auto& cand : c) cand.logit /= temperature;
}

int32_t draw(std::vector<Candidate>& c, std::mt19937_64& rng) {
    softmax(c);
    // One uniform number against the running total: deterministic for a seed, and the
    // same on every platform (std::discrete_distribution's algorithm is not specified).
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    double total = 0.0;
    for (const auto& cand : c) {
        total += cand.p;
        if (u < total) return cand.id;
    }
    return c.back().id;
}

}  // namespace tessera

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
    for (const auto& [id, count] : counts) {
        // Candidates fresh from fill_candidates are indexed by id; otherwise search.
        auto it = id >= 0 && static_cast<size_t>(id) < c.size() && c[static_cast<size_t>(id)].id == id
                      ? c.begin() + id
                      : std::find_if(c.begin(), c.end(), [id = id](const Candidate& x) { return x.id == id; });
        if (it == c.end()) continue;
        it->logit = it->logit > 0.0f ? it->logit / repeat : it->logit * repeat;
        it->logit -= static_cast<float>(count) * frequency + presence;
    }
}

namespace {

bool more_likely(const Candidate& a, const Candidate& b) { return a.logit > b.logit || (a.logit == b.logit && a.id < b.id); }

float max_logit(const std::vector<Candidate>& c) {
    float m = c.front().logit;
    for (const auto& cand : c) m = std::max(m, cand.logit);
    return m;
}

}  // namespace

void softmax(std::vector<Candidate>& c) {
    if (c.empty()) return;
    const float max = max_logit(c);
    double sum = 0.0;
    for (auto& cand : c) {
        cand.p = std::exp(cand.logit - max);
        sum += cand.p;
    }
    for (auto& cand : c) cand.p = static_cast<float>(cand.p / sum);
}

void keep_top_k(std::vector<Candidate>& c, int32_t k) {
    if (k <= 0 || static_cast<size_t>(k) >= c.size()) return;
    std::partial_sort(c.begin(), c.begin() + k, c.end(), more_likely);
    c.resize(static_cast<size_t>(k));
}

void keep_top_p(std::vector<Candidate>& c, float p) {
    if (p >= 1.0f || c.size() <= 1) return;
    softmax(c);
    // Quickselect on probability mass: [0, lo) holds the most likely tokens, whose mass is
    // still under p; the answer's end lies in (lo, hi]. Expected linear time, no full sort.
    size_t lo = 0, hi = c.size();
    double need = p;
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        const auto first = c.begin() + static_cast<std::ptrdiff_t>(lo);
        std::nth_element(first, c.begin() + static_cast<std::ptrdiff_t>(mid), c.begin() + static_cast<std::ptrdiff_t>(hi),
                         more_likely);
        double mass = 0.0;
        for (size_t i = lo; i < mid; ++i) mass += c[i].p;
        if (mass >= need) {
            hi = mid;
        } else {
            need -= mass;
            lo = mid;
        }
    }
    c.resize(hi);
}

void keep_min_p(std::vector<Candidate>& c, float min_p) {
    if (min_p <= 0.0f || c.size() <= 1) return;
    // p_i >= min_p * p_max  <=>  logit_i >= max_logit + log(min_p): no softmax or sort needed.
    const float threshold = max_logit(c) + std::log(min_p);
    std::erase_if(c, [&](const Candidate& cand) { return cand.logit < threshold; });
}

void apply_temperature(std::vector<Candidate>& c, float temperature) {
    for (auto& cand : c) cand.logit /= temperature;
}

int32_t draw(std::vector<Candidate>& c, std::mt19937_64& rng) {
    softmax(c);  // in the candidates' current order: a fixed order, so a seed is reproducible
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

#include "sampling/sampler.h"

#include <cmath>
#include <string>

namespace tessera {

int32_t argmax(const float* logits, int64_t n) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
        if (logits[i] > logits[best]) best = i;
    return static_cast<int32_t>(best);
}

Status validate(const SamplerSettings& s) {
    auto bad = [](const std::string& what) { return Error{"sampling setting out of range: " + what}; };
    if (!std::isfinite(s.temperature) || s.temperature < 0.0f) return bad("temperature must be 0 or more");
    if (s.top_k < 0) return bad("top-k must be 0 (off) or more");
    if (!(s.top_p > 0.0f && s.top_p <= 1.0f)) return bad("top-p must be in (0, 1]");
    if (!(s.min_p >= 0.0f && s.min_p <= 1.0f)) return bad("min-p must be in [0, 1]");
    if (!(s.repeat_penalty > 0.0f) || !std::isfinite(s.repeat_penalty)) return bad("repeat penalty must be above 0");
    if (!std::isfinite(s.presence_penalty) || !std::isfinite(s.frequency_penalty))
        return bad("presence and frequency penalties must be finite numbers");
    if (s.penalty_last_n < 0) return bad("the penalty window must be 0 or more tokens");
    return {};
}

void Sampler::accept(int32_t token) {
    if (settings_.penalty_last_n <= 0) return;
    history_.push_back(token);
    const auto limit = static_cast<size_t>(settings_.penalty_last_n);
    if (history_.size() > limit) history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(limit));
}

int32_t Sampler::sample(const float* logits, int64_t n_vocab) {
    const bool penalties = !history_.empty() && (settings_.repeat_penalty != 1.0f ||
                                                 settings_.frequency_penalty != 0.0f ||
                                                 settings_.presence_penalty != 0.0f);
    if (settings_.temperature <= 0.0f && !penalties) return argmax(logits, n_vocab);

    fill_candidates(logits, n_vocab, candidates_);
    if (penalties) {
        apply_penalties(candidates_, history_, settings_.repeat_penalty, settings_.frequency_penalty,
                        settings_.presence_penalty);
    }
    if (settings_.temperature <= 0.0f) {
        size_t best = 0;
        for (size_t i = 1; i < candidates_.size(); ++i)
            if (candidates_[i].logit > candidates_[best].logit) best = i;
        return candidates_[best].id;
    }
    keep_top_k(candidates_, settings_.top_k);
    return sample_top_k(candidates_);
}

int32_t Sampler::sample_top_k(std::vector<Candidate>& top) {
    keep_top_p(top, settings_.top_p);
    keep_min_p(top, settings_.min_p);
    apply_temperature(top, settings_.temperature);
    return draw(top, rng_);
}

}  // namespace tessera

// Token selection from logits. The chain follows llama.cpp's order so settings mean what
// users know from it: penalties -> top-k -> top-p -> min-p -> temperature -> draw.
// temperature <= 0 is greedy (after penalties). A fixed seed makes a run reproducible.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "sampling/candidates.h"

namespace tessera {

struct SamplerSettings {
    float temperature = 0.0f;  // <= 0: greedy
    int32_t top_k = 0;         // 0: off
    float top_p = 1.0f;        // 1: off
    float min_p = 0.0f;        // 0: off
    float repeat_penalty = 1.0f;     // 1: off; > 1 discourages tokens in the window
    float presence_penalty = 0.0f;   // subtracted once from every token in the window
    float frequency_penalty = 0.0f;  // subtracted per occurrence in the window
    int32_t penalty_last_n = 64;     // window of recent tokens the penalties look at
    uint64_t seed = 0;
};

// A setting out of range (top_p 1.5, a negative top_k) is an error naming it.
Status validate(const SamplerSettings& settings);

class Sampler {
public:
    explicit Sampler(SamplerSettings settings) : settings_(settings), rng_(settings.seed) {}

    int32_t sample(const float* logits, int64_t n_vocab);
    // As sample(), from the top_k most likely tokens alone, most likely first (equal logits by
    // id: keep_top_k's order), when top_k_readback() said that is all a choice needs.
    int32_t sample_top_k(std::vector<Candidate>& top);
    // Records a token for the penalties (the prompt's tokens too, if they should count).
    void accept(int32_t token);
    void reset_history() { history_.clear(); }
    const SamplerSettings& settings() const { return settings_; }
    // Whether every choice is the argmax of the raw logits (greedy, no penalties), so a
    // backend may pick the token itself (Evaluator::eval_greedy).
    bool picks_raw_argmax() const {
        return settings_.temperature <= 0.0f && settings_.repeat_penalty == 1.0f &&
               settings_.frequency_penalty == 0.0f && settings_.presence_penalty == 0.0f;
    }

    // The k of top-k when a choice needs only those k tokens (sampling, top-k below n_vocab,
    // no penalties), so a backend may select them itself (Evaluator::eval_top_k); 0 otherwise.
    int32_t top_k_readback(int64_t n_vocab) const {
        const bool sampled = settings_.temperature > 0.0f && settings_.top_k > 0 && settings_.top_k < n_vocab;
        return sampled && settings_.repeat_penalty == 1.0f && settings_.frequency_penalty == 0.0f &&
                       settings_.presence_penalty == 0.0f
                   ? settings_.top_k
                   : 0;
    }

private:
    SamplerSettings settings_;
    std::mt19937_64 rng_;
    std::vector<int32_t> history_;  // at most penalty_last_n tokens, oldest first
    std::vector<Candidate> candidates_;
};

// Index of the largest logit; the first one on ties.
int32_t argmax(const float* logits, int64_t n);

}  // namespace tessera

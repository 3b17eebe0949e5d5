// The steps of the sampling chain, each over a list of candidate tokens. Every step keeps
// at least one candidate, so a draw always has something to pick.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace tessera {

struct Candidate {
    int32_t id;
    float logit;
    float p;  // filled by softmax()
};

void fill_candidates(const float* logits, int64_t n_vocab, std::vector<Candidate>& out);

// llama.cpp's penalties: a positive logit is divided by `repeat`, a negative one multiplied;
// then count * frequency + (count > 0) * presence is subtracted. `recent` is the window.
void apply_penalties(std::vector<Candidate>& c, std::span<const int32_t> recent, float repeat, float frequency,
                     float presence);

// Sets p to the softmax of the logits (order unchanged).
void softmax(std::vector<Candidate>& c);
void keep_top_k(std::vector<Candidate>& c, int32_t k);
// Smallest set of most likely tokens whose total probability reaches p, found without
// sorting the vocabulary (a full sort of 128k logits costs ~10 ms per token).
void keep_top_p(std::vector<Candidate>& c, float p);
// Tokens whose probability is at least min_p times the most likely one's.
void keep_min_p(std::vector<Candidate>& c, float min_p);
void apply_temperature(std::vector<Candidate>& c, float temperature);
// Draws one id with probability proportional to exp(logit) over the candidates.
int32_t draw(std::vector<Candidate>& c, std::mt19937_64& rng);

}  // namespace tessera

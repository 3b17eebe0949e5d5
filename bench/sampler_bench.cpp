// Sampling cost per token on a Llama-3 sized vocabulary (128,256 logits), for the
// settings people use. Printed next to the decode time of a token it would be added to:
// a 1B model decodes a token in ~15 ms on a laptop CPU, a sampler should cost a few percent.
//
//   tessera-sampler-bench [--tokens N]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "sampling/sampler.h"

using tessera::Sampler;
using tessera::SamplerSettings;

namespace {

struct Case {
    const char* name;
    SamplerSettings settings;
};

// Peaked like a language model's logits: a few strong candidates over a long flat tail.
std::vector<float> model_like_logits(size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> tail(0.0f, 2.0f);
    std::vector<float> l(n);
    for (float& x : l) x = tail(rng);
    for (int i = 0; i < 20; ++i) l[rng() % n] += 12.0f - static_cast<float>(i) * 0.4f;
    return l;
}

}  // namespace

int main(int argc, char** argv) {
    int tokens = 200;
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--tokens") == 0) tokens = std::max(1, std::atoi(argv[i + 1]));
    const size_t n_vocab = 128256;
    std::vector<std::vector<float>> logits;
    for (uint64_t s = 0; s < 8; ++s) logits.push_back(model_like_logits(n_vocab, s));

    const Case cases[] = {
        {"greedy", {}},
        {"temperature 0.8", {.temperature = 0.8f}},
        {"temp 0.8, top-p 0.95", {.temperature = 0.8f, .top_p = 0.95f}},
        {"temp 0.8, min-p 0.05", {.temperature = 0.8f, .min_p = 0.05f}},
        {"temp 0.8, top-k 40, top-p 0.95", {.temperature = 0.8f, .top_k = 40, .top_p = 0.95f}},
        {"top-p 0.95 + repeat 1.1 (64)", {.temperature = 0.8f, .top_p = 0.95f, .repeat_penalty = 1.1f}},
    };
    std::printf("%-34s %12s\n", "settings (vocab 128256)", "ms / token");
    for (const Case& c : cases) {
        Sampler sampler(c.settings);
        for (int i = 0; i < 64; ++i) sampler.accept(i * 37);
        int64_t checksum = 0;
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < tokens; ++i) checksum += sampler.sample(logits[static_cast<size_t>(i) % 8].data(), n_vocab);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%-34s %12.3f   (checksum %lld)\n", c.name, ms / tokens, static_cast<long long>(checksum));
    }
    return 0;
}

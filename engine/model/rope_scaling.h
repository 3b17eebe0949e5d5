// llama3 RoPE scaling as Hugging Face configures it (rope_scaling.rope_type = "llama3") and
// as GGUF stores it: a divisor per frequency in rope_freqs.weight (convert_hf_to_gguf.py's
// formula): 1 for high frequencies, `factor` for low ones, a blend between.
#pragma once

#include <cstdint>
#include <vector>

namespace tessera {

struct Llama3RopeScaling {
    double factor = 8.0;
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
    double original_context = 8192.0;
};

// head_dim / 2 divisors for RoPE base `base`.
std::vector<float> llama3_rope_divisors(double base, int64_t head_dim, const Llama3RopeScaling& scaling = {});

}  // namespace tessera

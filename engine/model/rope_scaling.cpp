#include "model/rope_scaling.h"

#include <cmath>
#include <numbers>

namespace tessera {

std::vector<float> llama3_rope_divisors(double base, int64_t head_dim, const Llama3RopeScaling& s) {
    const double low_freq_wavelen = s.original_context / s.low_freq_factor;
    const double high_freq_wavelen = s.original_context / s.high_freq_factor;
    std::vector<float> divisors(static_cast<size_t>(head_dim / 2));
    for (size_t i = 0; i < divisors.size(); ++i) {
        const double freq = std::pow(base, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
        const double wavelen = 2.0 * std::numbers::pi / freq;
        double divisor;
        if (wavelen < high_freq_wavelen) {
            divisor = 1.0;
        } else if (wavelen > low_freq_wavelen) {
            divisor = s.factor;
        } else {
            const double smooth =
                (s.original_context / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
            divisor = 1.0 / ((1.0 - smooth) / s.factor + smooth);
        }
        divisors[i] = static_cast<float>(divisor);
    }
    return divisors;
}

}  // namespace tessera

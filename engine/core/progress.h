// Progress of a long step (reading or uploading a model's weights): `done` out of `total`
// units (bytes), called often from the thread doing the work; receivers throttle.
#pragma once

#include <cstdint>
#include <functional>

namespace tessera {

using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

// Counts work done against a known total and reports each step (nothing when no callback).
class ProgressCounter {
public:
    ProgressCounter(ProgressCallback callback, uint64_t total) : callback_(std::move(callback)), total_(total) {}
    void add(uint64_t n) {
        done_ += n;
        if (callback_) callback_(done_, total_);
    }

private:
    ProgressCallback callback_;
    uint64_t total_;
    uint64_t done_ = 0;
};

}  // namespace tessera

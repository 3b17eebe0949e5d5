#include "progress_throttle.h"

#include <chrono>

namespace tessera::app {

std::int64_t ProgressThrottle::steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

ProgressThrottle::ProgressThrottle(std::function<void(double)> report, std::int64_t interval_ms, Clock clock)
    : report_(std::move(report)), interval_ms_(interval_ms), clock_(std::move(clock)) {}

void ProgressThrottle::operator()(std::uint64_t done, std::uint64_t total) {
    if (total == 0) return;
    const bool end = done >= total;
    const std::int64_t now = clock_();
    if (!end && reported_ && now - last_ms_ < interval_ms_) return;
    reported_ = true;
    last_ms_ = now;
    report_(end ? 1.0 : static_cast<double>(done) / static_cast<double>(total));
}

}  // namespace tessera::app

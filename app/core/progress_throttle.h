// Passes a load's progress on at most once per interval, and always its end (done == total),
// so reading gigabytes in steps of a few MiB does not flood the GUI thread's event queue.
#pragma once

#include <cstdint>
#include <functional>

namespace tessera::app {

class ProgressThrottle {
public:
    using Clock = std::function<std::int64_t()>;  // milliseconds, monotonic
    static std::int64_t steady_ms();

    // report gets done / total (0..1). 33 ms: at most about 30 updates a second.
    explicit ProgressThrottle(std::function<void(double)> report, std::int64_t interval_ms = 33,
                              Clock clock = steady_ms);

    void operator()(std::uint64_t done, std::uint64_t total);

private:
    std::function<void(double)> report_;
    std::int64_t interval_ms_;
    Clock clock_;
    std::int64_t last_ms_ = 0;
    bool reported_ = false;
};

}  // namespace tessera::app

// Splits rows [0, rows) into contiguous ranges, one per thread, and runs fn on each; the
// first failure is returned. Conversion and quantization write disjoint rows of one buffer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

#include "core/result.h"

namespace tessera {

inline Status for_row_ranges(int64_t rows, int n_threads, const std::function<Status(int64_t, int64_t)>& fn) {
    const int workers = static_cast<int>(std::clamp<int64_t>(rows, 1, std::max(1, n_threads)));
    std::vector<Status> results(static_cast<size_t>(workers));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w)
        threads.emplace_back([&, w] { results[static_cast<size_t>(w)] = fn(rows * w / workers, rows * (w + 1) / workers); });
    for (auto& t : threads) t.join();
    for (auto& r : results)
        if (!r) return r;
    return {};
}

inline int default_threads(int requested) {
    return requested > 0 ? requested : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

}  // namespace tessera

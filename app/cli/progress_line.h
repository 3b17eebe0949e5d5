// The progress line convert and quantize draw on a terminal (nothing when stderr is a log).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <functional>

#include "convert/convert.h"

namespace tessera::cli {

inline std::function<void(const ConvertProgress&)> terminal_progress() {
    if (!isatty(STDERR_FILENO)) return {};
    return [](const ConvertProgress& p) {
        const double gb = 1e9;
        std::fprintf(stderr, "\r[%3lld/%lld] %.2f / %.2f GB  %-40.40s", static_cast<long long>(p.tensors_done),
                     static_cast<long long>(p.tensors_total), static_cast<double>(p.bytes_done) / gb,
                     static_cast<double>(p.bytes_total) / gb, p.tensor.c_str());
        std::fflush(stderr);
    };
}

}  // namespace tessera::cli

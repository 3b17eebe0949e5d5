// Logits of a GGUF file on the CPU backend for given prompt rows: what the conversion and
// quantization tests compare between files. Errors are test failures (an empty result).
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "backend/cpu/forward.h"

namespace tessera::test {

// rows empty: every position of ids. Logits are row-major, rows x n_vocab.
inline std::vector<float> cpu_logits(const std::string& path, const std::vector<int32_t>& ids,
                                     std::vector<int64_t> rows = {}) {
    auto model = Model::load(path);
    EXPECT_TRUE(model) << path << ": " << model.error().message;
    if (!model) return {};
    cpu::ForwardOptions options;
    options.n_ctx = static_cast<int64_t>(ids.size()) + 1;
    options.n_threads = 2;
    auto forward = cpu::CpuForward::create(**model, options);
    EXPECT_TRUE(forward) << forward.error().message;
    if (!forward) return {};
    if (rows.empty())
        for (size_t i = 0; i < ids.size(); ++i) rows.push_back(static_cast<int64_t>(i));
    std::vector<float> logits(rows.size() * static_cast<size_t>((*model)->config().n_vocab));
    auto s = (*forward)->eval(ids, rows, logits.data());
    EXPECT_TRUE(s) << s.error().message;
    return s ? logits : std::vector<float>{};
}

}  // namespace tessera::test

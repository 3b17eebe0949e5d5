// An Evaluator that forwards to a real one and records what it was asked to evaluate, so
// tests can assert how many tokens a prefill computed (not how long it took), and can
// act (e.g. request cancellation) at a chosen call.
#pragma once

#include <functional>
#include <vector>

#include "backend/evaluator.h"

namespace tessera::test {

class CountingEvaluator final : public Evaluator {
public:
    explicit CountingEvaluator(Evaluator& inner) : inner_(inner) {}

    Status eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) override {
        calls.push_back(static_cast<int64_t>(tokens.size()));
        auto s = inner_.eval(tokens, logit_rows, logits);
        if (after_eval) after_eval(calls.size());
        return s;
    }
    int64_t n_past() const override { return inner_.n_past(); }
    void truncate(int64_t n) override { inner_.truncate(n); }
    int64_t n_ctx() const override { return inner_.n_ctx(); }
    int64_t n_batch() const override { return inner_.n_batch(); }

    int64_t tokens_evaluated() const {
        int64_t n = 0;
        for (int64_t c : calls) n += c;
        return n;
    }

    std::vector<int64_t> calls;                   // tokens per eval call, in order
    std::function<void(size_t calls)> after_eval;  // called after every eval

private:
    Evaluator& inner_;
};

}  // namespace tessera::test

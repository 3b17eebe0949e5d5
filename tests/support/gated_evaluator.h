// An evaluator a test can hold at a gate, so that "a generation is running" is a state,
// not a timing: each eval of the real evaluator it wraps waits while the gate is closed
// (for a permit, the gate's opening, or a release condition).
#pragma once

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "backend/evaluator.h"
#include "tokenizer/tokenizer.h"

namespace tessera::test {

// Forwards to a real evaluator. Each eval first waits for a permit while the gate is closed,
// and end-of-generation tokens are made impossible, so a reply runs to max_tokens unless
// it is cancelled: the number of evals tells whether it was.
class GatedEvaluator final : public Evaluator {
public:
    GatedEvaluator(Evaluator& inner, const Tokenizer& tokenizer) : inner_(inner), n_vocab_(tokenizer.n_vocab()) {
        for (int32_t id = 0; id < n_vocab_; ++id)
            if (tokenizer.is_end_of_generation(id)) end_ids_.push_back(id);
    }

    Status eval(std::span<const int32_t> tokens, std::span<const int64_t> logit_rows, float* logits) override {
        {
            std::unique_lock lock(mutex_);
            ++waiting_;
            changed_.notify_all();
            while (!open_ && permits_ == 0 && !(release_ && release_()))
                changed_.wait_for(lock, std::chrono::milliseconds(release_ ? 5 : 1000));
            if (!open_ && permits_ > 0) --permits_;
            --waiting_;
            ++evals_;
        }
        auto s = inner_.eval(tokens, logit_rows, logits);
        for (size_t row = 0; row < logit_rows.size(); ++row)
            for (int32_t id : end_ids_) logits[row * static_cast<size_t>(n_vocab_) + static_cast<size_t>(id)] = -INFINITY;
        return s;
    }
    int64_t n_past() const override { return inner_.n_past(); }
    void truncate(int64_t n) override { inner_.truncate(n); }
    int64_t n_ctx() const override { return inner_.n_ctx(); }
    int64_t n_batch() const override { return inner_.n_batch(); }

    void close_gate() { set([&] { open_ = false; }); }
    void open_gate() { set([&] { open_ = true; }); }
    void allow(int n) { set([&] { permits_ += n; }); }
    // Evals held at the closed gate also go on once `release` returns true (asked every few
    // milliseconds): so a server that is stopped while a generation is held can stop.
    void release_when(std::function<bool()> release) { set([&] { release_ = std::move(release); }); }
    // Waits (bounded) until an eval is held at the closed gate; false if none came.
    bool wait_until_held() {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, std::chrono::seconds(60), [&] { return waiting_ > 0 && permits_ == 0 && !open_; });
    }
    int64_t evals() {
        std::lock_guard lock(mutex_);
        return evals_;
    }

private:
    template <class F>
    void set(F change) {
        std::lock_guard lock(mutex_);
        change();
        changed_.notify_all();
    }

    Evaluator& inner_;
    int32_t n_vocab_;
    std::vector<int32_t> end_ids_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool open_ = true;
    int permits_ = 0;
    int waiting_ = 0;
    int64_t evals_ = 0;
    std::function<bool()> release_;
};

}  // namespace tessera::test

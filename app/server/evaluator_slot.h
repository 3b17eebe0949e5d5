// Who runs a loaded model's evaluator now. The desktop app's chat and its local API server
// share one model: one generation at a time, and whoever takes the slot learns whether
// another user ran the evaluator since it last did, because then the KV cache no longer
// holds its cached prefix and that prefix must be evaluated again.
//
//   bool others_ran = false;
//   if (!slot.try_take(EvaluatorSlot::User::kServer, &others_ran)) return busy();
//   if (others_ran) session.forget_cache();
//   ... generate ...
//   slot.release();
#pragma once

#include <mutex>

namespace tessera::server {

class EvaluatorSlot {
public:
    enum class User { kNone, kChat, kServer };

    // Takes the slot for `user` unless someone holds it. When taken, *others_ran (if given)
    // says whether another user held it since `user` last released it.
    bool try_take(User user, bool* others_ran = nullptr);
    // Gives the slot back; its holder is remembered as the last user of the evaluator.
    void release();
    // Who holds it now (kNone: free).
    User holder() const;

private:
    mutable std::mutex mutex_;  // guards the two fields; never held during a generation
    User holder_ = User::kNone;
    User last_user_ = User::kNone;
};

}  // namespace tessera::server

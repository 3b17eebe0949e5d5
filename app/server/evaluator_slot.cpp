#include "evaluator_slot.h"

namespace tessera::server {

bool EvaluatorSlot::try_take(User user, bool* others_ran) {
    std::lock_guard lock(mutex_);
    if (holder_ != User::kNone) return false;
    holder_ = user;
    if (others_ran) *others_ran = last_user_ != User::kNone && last_user_ != user;
    return true;
}

void EvaluatorSlot::release() {
    std::lock_guard lock(mutex_);
    if (holder_ != User::kNone) last_user_ = holder_;
    holder_ = User::kNone;
}

EvaluatorSlot::User EvaluatorSlot::holder() const {
    std::lock_guard lock(mutex_);
    return holder_;
}

}  // namespace tessera::server

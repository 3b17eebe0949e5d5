#include "backend/evaluator.h"

#include "sampling/sampler.h"

namespace tessera {

Result<int32_t> Evaluator::eval_greedy(std::span<const int32_t> tokens, int64_t logit_row, std::span<float> scratch) {
    TESSERA_TRY(eval(tokens, std::span(&logit_row, 1), scratch.data()));
    return argmax(scratch.data(), static_cast<int64_t>(scratch.size()));
}

Status Evaluator::eval_top_k(std::span<const int32_t> tokens, int64_t logit_row, int32_t k, std::vector<Candidate>& out,
                             std::span<float> scratch) {
    TESSERA_TRY(eval(tokens, std::span(&logit_row, 1), scratch.data()));
    fill_candidates(scratch.data(), static_cast<int64_t>(scratch.size()), out);
    keep_top_k(out, k);
    return {};
}

}  // namespace tessera

// Generation over a backend's KV cache: bring the cache to a prompt, reusing the longest
// common token prefix with what it already holds, then sample, stream text, and stop on
// the model's end tokens, a stop string, the token limit, a full context or a cancel flag.
//
//   Generator gen(evaluator, tokenizer);
//   auto stats = gen.generate(prompt_ids, settings, [](std::string_view piece) { ... }, &cancel);
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backend/evaluator.h"
#include "core/result.h"
#include "sampling/sampler.h"
#include "tokenizer/tokenizer.h"

namespace tessera {

struct GenerationSettings {
    SamplerSettings sampling;
    int64_t max_tokens = 512;
    std::vector<std::string> stop;  // matched across token boundaries, never emitted
    // The reply starts the text (chat): a SentencePiece reply loses its leading space.
    // False when the output continues a prompt shown as it was (raw completion).
    bool text_start = true;
};

enum class FinishReason { kEndOfGeneration, kStopString, kMaxTokens, kContextFull, kCancelled };
std::string_view finish_reason_name(FinishReason reason);

struct GenerationStats {
    int64_t prompt_tokens = 0;
    int64_t reused_tokens = 0;     // prompt tokens whose KV entries were already in the cache
    int64_t prefilled_tokens = 0;  // prompt tokens evaluated for this reply
    int64_t generated_tokens = 0;
    double prefill_seconds = 0.0;
    double time_to_first_token_seconds = 0.0;  // from the call to the first sampled token
    double decode_seconds = 0.0;
    FinishReason finish = FinishReason::kEndOfGeneration;

    double prefill_tokens_per_second() const;
    double decode_tokens_per_second() const;
};

// Receives displayable text (valid UTF-8) as it is decided.
using TextCallback = std::function<void(std::string_view piece)>;

class Generator {
public:
    Generator(Evaluator& evaluator, const Tokenizer& tokenizer);

    // `cancel` (may be null) is read between prefill chunks and before every token, so a
    // request ends the stream within one token. A cancelled prefill keeps what it
    // evaluated for the next call to reuse.
    Result<GenerationStats> generate(std::span<const int32_t> prompt, const GenerationSettings& settings,
                                     const TextCallback& on_text, const std::atomic<bool>* cancel = nullptr);

    // The tokens whose KV entries the cache holds, in order.
    const std::vector<int32_t>& cached_tokens() const { return cached_; }
    // Forgets the cache (e.g. after the model's context was changed elsewhere).
    void reset();

private:
    // What the backend gives back for the last token: its logits (in logits_), its argmax
    // (greedy_next_), or its top_k_ most likely tokens (top_): the last two chosen on the
    // backend, so a GPU reads back an id or k pairs instead of n_vocab floats.
    enum class Readback { Logits, Greedy, TopK };
    // Evaluates prompt[cached_.size()..] in chunks, then reads back the last token's choice.
    Status prefill(std::span<const int32_t> prompt, GenerationStats& stats, const std::atomic<bool>* cancel,
                   Readback readback);
    Status eval_last(std::span<const int32_t> tokens, Readback readback);

    Evaluator& evaluator_;
    const Tokenizer& tokenizer_;
    std::vector<int32_t> cached_;
    std::vector<float> logits_;
    int32_t greedy_next_ = 0;
    int32_t top_k_ = 0;
    std::vector<Candidate> top_;
};

}  // namespace tessera

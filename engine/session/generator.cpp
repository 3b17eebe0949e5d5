#include "session/generator.h"

#include <algorithm>
#include <chrono>

#include "sampling/stop_strings.h"
#include "tokenizer/streaming_decoder.h"

namespace tessera {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

bool cancelled(const std::atomic<bool>* cancel) { return cancel && cancel->load(std::memory_order_relaxed); }

}  // namespace

std::string_view finish_reason_name(FinishReason reason) {
    switch (reason) {
        case FinishReason::kEndOfGeneration: return "end of generation";
        case FinishReason::kStopString: return "stop string";
        case FinishReason::kMaxTokens: return "token limit";
        case FinishReason::kContextFull: return "context full";
        case FinishReason::kCancelled: return "cancelled";
    }
    return "?";
}

double GenerationStats::prefill_tokens_per_second() const {
    return prefill_seconds > 0.0 ? static_cast<double>(prefilled_tokens) / prefill_seconds : 0.0;
}

double GenerationStats::decode_tokens_per_second() const {
    // The first token comes from the prefill's logits; the rest each cost one decode step.
    return decode_seconds > 0.0 && generated_tokens > 1 ? static_cast<double>(generated_tokens - 1) / decode_seconds
                                                        : 0.0;
}

Generator::Generator(Evaluator& evaluator, const Tokenizer& tokenizer)
    : evaluator_(evaluator), tokenizer_(tokenizer), logits_(static_cast<size_t>(tokenizer.n_vocab())) {
    evaluator_.truncate(0);
}

void Generator::reset() {
    evaluator_.truncate(0);
    cached_.clear();
}

Status Generator::eval_last(std::span<const int32_t> tokens, Readback readback) {
    const auto last = static_cast<int64_t>(tokens.size()) - 1;
    if (readback == Readback::TopK) return evaluator_.eval_top_k(tokens, last, top_k_, top_, logits_);
    if (readback == Readback::Greedy) {
        auto next = evaluator_.eval_greedy(tokens, last, logits_);
        if (!next) return next.error();
        greedy_next_ = *next;
        return {};
    }
    return evaluator_.eval(tokens, std::span(&last, 1), logits_.data());
}

Status Generator::prefill(std::span<const int32_t> prompt, GenerationStats& stats, const std::atomic<bool>* cancel,
                          Readback readback) {
    // Reuse the common prefix, but evaluate at least the last prompt token: its logits
    // choose the first reply token.
    size_t common = 0;
    while (common < cached_.size() && common < prompt.size() && cached_[common] == prompt[common]) ++common;
    common = std::min(common, prompt.size() - 1);
    evaluator_.truncate(static_cast<int64_t>(common));
    cached_.resize(common);
    stats.reused_tokens = static_cast<int64_t>(common);

    const auto chunk = static_cast<size_t>(std::max<int64_t>(1, evaluator_.n_batch()));
    for (size_t start = common; start < prompt.size(); start += chunk) {
        if (cancelled(cancel)) {
            stats.finish = FinishReason::kCancelled;
            return {};
        }
        const size_t count = std::min(chunk, prompt.size() - start);
        const auto piece = prompt.subspan(start, count);
        if (auto s = eval_last(piece, readback); !s) {
            reset();  // a failed evaluation leaves the cache in an unknown state
            return s;
        }
        cached_.insert(cached_.end(), piece.begin(), piece.end());
        stats.prefilled_tokens += static_cast<int64_t>(count);
    }
    return {};
}

Result<GenerationStats> Generator::generate(std::span<const int32_t> prompt, const GenerationSettings& settings,
                                            const TextCallback& on_text, const std::atomic<bool>* cancel) {
    TESSERA_TRY(validate(settings.sampling));
    if (prompt.empty()) return Error{"the prompt has no tokens"};
    if (static_cast<int64_t>(prompt.size()) > evaluator_.n_ctx())
        return Error{"the prompt has " + std::to_string(prompt.size()) + " tokens; the context holds " +
                     std::to_string(evaluator_.n_ctx())};
    for (int32_t t : prompt)
        if (t < 0 || t >= tokenizer_.n_vocab())
            return Error{"token id " + std::to_string(t) + " is outside the vocabulary"};

    GenerationStats stats;
    stats.prompt_tokens = static_cast<int64_t>(prompt.size());
    const auto t_start = Clock::now();
    Sampler sampler(settings.sampling);
    top_k_ = sampler.top_k_readback(tokenizer_.n_vocab());
    const Readback readback = sampler.picks_raw_argmax() ? Readback::Greedy : top_k_ > 0 ? Readback::TopK : Readback::Logits;
    TESSERA_TRY(prefill(prompt, stats, cancel, readback));
    stats.prefill_seconds = seconds_since(t_start);
    if (stats.finish == FinishReason::kCancelled) return stats;

    const size_t window = static_cast<size_t>(settings.sampling.penalty_last_n);
    for (size_t i = prompt.size() > window ? prompt.size() - window : 0; i < prompt.size(); ++i)
        sampler.accept(prompt[i]);
    StreamingDecoder decoder(tokenizer_, settings.text_start);
    StopMatcher stops(settings.stop);
    std::string out;
    auto emit = [&] {
        if (!out.empty() && on_text) on_text(out);
        out.clear();
    };

    const auto t_decode = Clock::now();
    stats.finish = FinishReason::kMaxTokens;
    while (stats.generated_tokens < settings.max_tokens) {
        if (cancelled(cancel)) {
            stats.finish = FinishReason::kCancelled;
            break;
        }
        const int32_t next = readback == Readback::Greedy ? greedy_next_
                             : readback == Readback::TopK ? sampler.sample_top_k(top_)
                                                          : sampler.sample(logits_.data(), tokenizer_.n_vocab());
        if (stats.generated_tokens == 0) stats.time_to_first_token_seconds = seconds_since(t_start);
        if (tokenizer_.is_end_of_generation(next)) {
            stats.finish = FinishReason::kEndOfGeneration;
            break;
        }
        ++stats.generated_tokens;
        sampler.accept(next);
        if (stops.feed(decoder.push(next), out)) {
            stats.finish = FinishReason::kStopString;
            break;
        }
        emit();
        if (stats.generated_tokens == settings.max_tokens) break;
        if (evaluator_.n_past() >= evaluator_.n_ctx()) {
            stats.finish = FinishReason::kContextFull;
            break;
        }
        if (auto s = eval_last(std::span(&next, 1), readback); !s) {
            reset();
            return s.error();
        }
        cached_.push_back(next);
    }
    if (stats.finish != FinishReason::kStopString && stops.feed(decoder.flush(), out))
        stats.finish = FinishReason::kStopString;
    stops.flush(out);
    emit();
    stats.decode_seconds = seconds_since(t_decode);
    return stats;
}

}  // namespace tessera

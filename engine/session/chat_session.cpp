#include "session/chat_session.h"

#include <algorithm>

#include "chat/reasoning.h"

namespace tessera {
namespace {

// Removes the oldest turn after the leading system messages: the first remaining message
// and everything up to the next user message. Returns how many went; 0 when only the
// system prompt and the last turn are left.
int64_t drop_oldest_turn(std::vector<chat::ChatMessage>& messages) {
    size_t first = 0;
    while (first < messages.size() && messages[first].role == "system") ++first;
    size_t end = first + 1;
    while (end < messages.size() && messages[end].role != "user") ++end;
    if (end >= messages.size()) return 0;  // that would drop the message being answered
    messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(first),
                   messages.begin() + static_cast<std::ptrdiff_t>(end));
    return static_cast<int64_t>(end - first);
}

}  // namespace

ChatSession::ChatSession(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info,
                         ChatSessionOptions options)
    : evaluator_(evaluator),
      tokenizer_(tokenizer),
      info_(std::move(chat_info)),
      choice_(chat::choose_template(info_)),
      options_(options),
      generator_(evaluator, tokenizer) {
    for (int32_t id = 0; id < tokenizer_.n_vocab(); ++id)
        max_token_bytes_ = std::max(max_token_bytes_, tokenizer_.decode_token(id, true).size());
}

Result<ChatPrompt> ChatSession::prompt_for(const std::vector<chat::ChatMessage>& conversation) const {
    chat::ChatTemplateInput input;
    input.messages = conversation;
    if (options_.reasoning) chat::apply_reasoning_setting(input.messages, *options_.reasoning);
    input.add_generation_prompt = true;
    input.bos_token = info_.bos_token;
    input.eos_token = info_.eos_token;
    return build_chat_prompt(tokenizer_, choice_, input);
}

Result<ChatReply> ChatSession::reply(const std::vector<chat::ChatMessage>& conversation,
                                     const GenerationSettings& settings, const TextCallback& on_text,
                                     const std::atomic<bool>* cancel) {
    if (conversation.empty()) return Error{"the conversation has no messages"};
    // A conversation may ask for less context than the model was loaded with.
    const int64_t n_ctx = options_.context_limit > 0 ? std::min(options_.context_limit, evaluator_.n_ctx())
                                                     : evaluator_.n_ctx();
    // Room kept for the reply: the token limit, but never more than a quarter of the context.
    const int64_t reserve = std::clamp<int64_t>(settings.max_tokens, 1, std::max<int64_t>(1, n_ctx / 4));

    // A message that cannot fit even at the longest token per token is refused before the
    // template renders or the tokenizer reads it: a 50 MB paste gets this answer at once (U1).
    const size_t last_bytes = conversation.back().content.size();
    const auto most_bytes = static_cast<size_t>(n_ctx) * max_token_bytes_;
    if (last_bytes > most_bytes)
        return Error{"the last message does not fit: it is " + std::to_string(last_bytes) + " bytes, more than a context of " +
                     std::to_string(n_ctx) + " tokens can hold (at most " + std::to_string(most_bytes) +
                     " bytes of text): shorten it or raise the context length."};

    ChatReply result;
    std::vector<chat::ChatMessage> messages = conversation;
    auto prompt = prompt_for(messages);
    if (!prompt) return prompt.error();
    while (static_cast<int64_t>(prompt->tokens.size()) + reserve > n_ctx) {
        const int64_t needed = static_cast<int64_t>(prompt->tokens.size());
        const int64_t dropped =
            options_.context_policy == ContextPolicy::kDropOldestTurns ? drop_oldest_turn(messages) : 0;
        if (dropped == 0) {
            std::string message = "the conversation needs " + std::to_string(needed) + " tokens plus " +
                                  std::to_string(reserve) + " for the reply, but the context holds " +
                                  std::to_string(n_ctx) + ". ";
            message += options_.context_policy == ContextPolicy::kRefuse
                           ? "Start a new conversation, shorten the message, raise the context length, or let "
                             "the oldest turns be dropped."
                           : "Even with the older turns dropped the last message does not fit: shorten it or "
                             "raise the context length.";
            return Error{message};
        }
        result.dropped_messages += dropped;
        prompt = prompt_for(messages);
        if (!prompt) return prompt.error();
    }
    result.used_builtin_template = prompt->used_builtin;
    result.template_note = prompt->fallback_reason;

    GenerationSettings reply_settings = settings;
    reply_settings.text_start = true;
    // The reply ends where the (possibly limited) context does.
    reply_settings.max_tokens = std::min<int64_t>(settings.max_tokens, n_ctx - static_cast<int64_t>(prompt->tokens.size()));
    auto stats = generator_.generate(
        prompt->tokens, reply_settings,
        [&](std::string_view piece) {
            result.text.append(piece);
            if (on_text) on_text(piece);
        },
        cancel);
    if (!stats) return stats.error();
    result.stats = *stats;
    auto split = chat::split_reasoning(result.text);
    result.reasoning = std::move(split.reasoning);
    result.answer = std::move(split.answer);
    return result;
}

}  // namespace tessera

// A conversation with a model: the KV cache stays between turns, and each turn renders
// the whole conversation (the template decides the format), tokenizes it, and lets the
// Generator reuse the longest common prefix: a new turn prefills only its new tokens, and
// a regenerated or edited message (another branch) reuses what the branches share.
//
// When a conversation does not fit the context the policy decides, never a silent cut:
// refuse with a message, or drop the oldest turns after the system prompt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chat/builtin_templates.h"
#include "chat/chat_template.h"
#include "session/chat_prompt.h"
#include "session/generator.h"

namespace tessera {

enum class ContextPolicy { kRefuse, kDropOldestTurns };

struct ChatSessionOptions {
    ContextPolicy context_policy = ContextPolicy::kRefuse;
    // Nemotron-NAS reasoning switch ("detailed thinking on/off" system line); absent: as given.
    std::optional<bool> reasoning;
    // Tokens of context this conversation may use (prompt and reply); 0 or more than the
    // loaded context: all of it.
    int64_t context_limit = 0;
};

struct ChatReply {
    std::string text;  // what was streamed, stop strings excluded
    // The text split into <think>...</think> reasoning and the answer that follows.
    std::string reasoning;
    std::string answer;
    GenerationStats stats;
    int64_t dropped_messages = 0;  // oldest messages left out to fit the context
    bool used_builtin_template = false;
    std::string template_note;  // why the model's template was replaced, when it was
};

class ChatSession {
public:
    ChatSession(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info,
                ChatSessionOptions options = {});

    // Generates the assistant's reply to `conversation` (its last message is normally the
    // user's). Text streams through on_text as it is decided.
    Result<ChatReply> reply(const std::vector<chat::ChatMessage>& conversation, const GenerationSettings& settings,
                            const TextCallback& on_text, const std::atomic<bool>* cancel = nullptr);

    // The prompt reply() would feed for this conversation, before any context policy.
    Result<ChatPrompt> prompt_for(const std::vector<chat::ChatMessage>& conversation) const;

    // Options for the following replies (a per-conversation setting in the app).
    void set_options(const ChatSessionOptions& options) { options_ = options; }
    // The next reply evaluates its whole prompt: someone else used the evaluator meanwhile
    // (the app's local server), so the KV cache no longer holds this session's tokens.
    void forget_cache() { generator_.reset(); }
    const ChatSessionOptions& options() const { return options_; }

    const chat::TemplateChoice& template_choice() const { return choice_; }
    const Generator& generator() const { return generator_; }
    int64_t n_ctx() const { return evaluator_.n_ctx(); }
    // The longest vocabulary entry as text: no message longer than n_ctx times this fits.
    size_t max_token_bytes() const { return max_token_bytes_; }

private:
    Evaluator& evaluator_;
    const Tokenizer& tokenizer_;
    chat::ModelChatInfo info_;
    chat::TemplateChoice choice_;
    ChatSessionOptions options_;
    Generator generator_;
    size_t max_token_bytes_ = 1;  // the longest vocabulary entry as text: a bound on bytes per token
};

}  // namespace tessera

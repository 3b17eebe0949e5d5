// A conversation turned into the tokens the model was trained on: rendered by the chat
// template (the model's own, or its family's built-in one), then tokenized with special
// tokens parsed in the template's text but never in what the messages say, so a user who
// types "<|eot_id|>" gets those characters, not the control token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chat/builtin_templates.h"
#include "chat/chat_template.h"
#include "core/result.h"
#include "tokenizer/tokenizer.h"

namespace tessera {

struct ChatPrompt {
    std::string text;
    std::vector<int32_t> tokens;
    bool used_builtin = false;
    std::string fallback_reason;  // why the model's template was replaced, when it was
};

// Renders input (its messages, add_generation_prompt, bos/eos tokens) and tokenizes it.
// BOS is added when the tokenizer asks for it and the template did not write it.
Result<ChatPrompt> build_chat_prompt(const Tokenizer& tokenizer, const chat::TemplateChoice& choice,
                                     const chat::ChatTemplateInput& input);

}  // namespace tessera

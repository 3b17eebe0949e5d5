// The JSON bodies of /v1/chat/completions and /v1/completions turned into engine settings.
// Every field is type- and range-checked; a bad one is a 400 naming it (A7), and unknown
// fields are ignored as OpenAI's own server does for fields it does not know.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "api_error.h"
#include "chat/chat_template.h"
#include "session/generator.h"

namespace tessera::server {

struct CompletionRequest {
    std::string model;  // as the client named it; empty when absent
    std::vector<chat::ChatMessage> messages;  // chat
    std::string prompt;                       // completions
    GenerationSettings settings;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
};

// `body` is the raw request body; `default_max_tokens` applies when max_tokens is absent.
std::variant<CompletionRequest, ApiError> parse_chat_request(const std::string& body, int64_t default_max_tokens);
std::variant<CompletionRequest, ApiError> parse_completion_request(const std::string& body,
                                                                   int64_t default_max_tokens);

}  // namespace tessera::server

// The OpenAI-compatible HTTP API over one loaded model: GET /v1/models,
// POST /v1/chat/completions and POST /v1/completions, streamed as server-sent events or
// not. One generation slot: a request that finds it busy gets 429 (A9).
//
//   ApiServer server(evaluator, tokenizer, chat_info, options);
//   auto port = server.bind();   // then print it, then
//   server.run();                // until stop() from another thread
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "chat/builtin_templates.h"
#include "core/result.h"
#include "request_parse.h"
#include "security.h"
#include "session/chat_session.h"
#include "session/generator.h"

namespace httplib {
class Server;
}

namespace tessera::server {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 0;  // 0: any free port
    std::string model_id;
    SecurityPolicy security;  // allowed_hosts is filled in by bind() when left empty
    size_t max_body_bytes = 1 << 20;
};

class ApiServer {
public:
    ApiServer(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info, ServerOptions options);
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds the listening socket; the port it got, or an error naming the address (A11).
    Result<int> bind();
    // Serves until stop(); a generation in progress is cancelled by stop().
    void run();
    void stop();

private:
    struct Outcome;
    void install_routes();
    // Runs one generation on the slot's engine state (the caller holds the slot).
    Result<Outcome> generate(bool chat, const CompletionRequest& request, const TextCallback& on_text,
                             const std::atomic<bool>* cancel);

    Evaluator& evaluator_;
    const Tokenizer& tokenizer_;
    chat::ModelChatInfo chat_info_;
    ServerOptions options_;
    std::unique_ptr<httplib::Server> http_;
    std::atomic<bool> stopping_{false};

    std::mutex slot_;  // the one generation slot; guards what follows
    // Chat and raw completions share the evaluator's KV cache, so switching between them
    // starts the other's prefix reuse from scratch.
    std::optional<ChatSession> chat_;
    Generator completion_generator_;
    bool last_was_chat_ = true;
};

}  // namespace tessera::server

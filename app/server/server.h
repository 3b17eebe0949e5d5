// The OpenAI-compatible HTTP API over one loaded model: GET /v1/models,
// POST /v1/chat/completions and POST /v1/completions, streamed as server-sent events or
// not. One generation slot, shared with the app's chat when it gives one: a request that
// finds it busy gets 429 (A9). Loopback only by default, IPv4 and IPv6 on the same port.
//
//   ApiServer server(evaluator, tokenizer, chat_info, options);
//   auto port = server.bind();   // then print it, then
//   server.run();                // until stop() from another thread
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chat/builtin_templates.h"
#include "core/result.h"
#include "connection_limits.h"
#include "evaluator_slot.h"
#include "request_parse.h"
#include "security.h"
#include "session/chat_session.h"
#include "session/generator.h"

namespace httplib {
class Server;
}

namespace tessera::server {

class GuardedHttpServer;

struct ServerOptions {
    // Addresses to listen on, all with one port. Next to others, ::1 is left out with a note
    // on stderr when the machine has no IPv6 loopback; an address that cannot be bound is
    // otherwise an error.
    std::vector<std::string> hosts = {"127.0.0.1", "::1"};
    int port = 0;  // 0: any free port
    // With port 0 and several addresses: the port tried on the first address at each
    // attempt (0: one the system picks). Tests inject a port they know collides.
    std::function<int(int attempt)> port_choice;
    std::string model_id;
    SecurityPolicy security;  // allowed_hosts is filled in by bind() when left empty
    size_t max_body_bytes = 1 << 20;
    ConnectionLimits limits;  // for each address
    // Shared with the evaluator's other users (the desktop app's chat); null: the server's own.
    std::shared_ptr<EvaluatorSlot> slot;
};

// With port 0 on several addresses, how many ports are tried before giving up.
inline constexpr int kPortAttempts = 8;

class ApiServer {
public:
    ApiServer(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info, ServerOptions options);
    ~ApiServer();
    ApiServer(const ApiServer&) = delete;
    ApiServer& operator=(const ApiServer&) = delete;

    // Binds the listening sockets; the port they got, or an error naming the address (A11).
    Result<int> bind();
    // The addresses bind() listens on (::1 missing where the machine has no IPv6).
    const std::vector<std::string>& listening_hosts() const { return bound_hosts_; }
    // Whether a generation holds the slot now (tests and the benchmark wait for it to end).
    bool busy() const { return busy_; }
    // Replaces the bearer token: from now on only the new one is accepted. Any thread.
    void set_token(std::string token);
    // Serves until stop(); a generation in progress is cancelled by stop().
    void run();
    // Returns once run() has returned (or at once when it never started).
    void stop();

private:
    struct Outcome;
    class SlotHold;
    // One attempt at binding every address; the port, or an error naming the address.
    Result<int> bind_all(int first_port);
    void install_routes(httplib::Server& http);
    // Runs one generation on the slot's engine state (the caller holds the slot).
    Result<Outcome> generate(bool chat, const CompletionRequest& request, const TextCallback& on_text,
                             const std::atomic<bool>* cancel);

    Evaluator& evaluator_;
    const Tokenizer& tokenizer_;
    chat::ModelChatInfo chat_info_;
    ServerOptions options_;
    std::vector<std::unique_ptr<GuardedHttpServer>> http_;  // one per bound address
    std::vector<std::string> bound_hosts_;
    bool first_address_failed_ = false;  // by the last bind_all: no other port would help
    std::atomic<bool> stopping_{false};
    std::atomic<int> runs_{0};  // run() calls in progress
    std::atomic<bool> busy_{false};

    std::mutex token_mutex_;  // guards options_.security.token (set_token)
    std::shared_ptr<EvaluatorSlot> slot_;  // the one generation slot; guards what follows
    // Chat and raw completions share the evaluator's KV cache, so switching between them
    // starts the other's prefix reuse from scratch.
    std::optional<ChatSession> chat_;
    Generator completion_generator_;
    bool last_was_chat_ = true;
};

}  // namespace tessera::server

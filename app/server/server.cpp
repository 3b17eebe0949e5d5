#include "server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "guarded_http.h"

namespace tessera::server {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void send_error(httplib::Response& res, const ApiError& error) {
    res.status = error.status;
    res.set_content(error_json(error), "application/json");
}

std::string finish_reason(FinishReason reason) {
    switch (reason) {
        case FinishReason::kMaxTokens:
        case FinishReason::kContextFull: return "length";
        default: return "stop";
    }
}

json usage_json(const GenerationStats& s) {
    return {{"prompt_tokens", s.prompt_tokens},
            {"completion_tokens", s.generated_tokens},
            {"total_tokens", s.prompt_tokens + s.generated_tokens}};
}

std::string sse(const json& chunk) { return "data: " + dump(chunk) + "\n\n"; }

// Whether [::1] can be bound at all (containers and some CI machines have IPv4 only).
bool has_ipv6_loopback() {
    const int sock = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (sock < 0) return false;
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_addr = in6addr_loopback;
    const bool ok = ::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(sock);
    return ok;
}

}  // namespace

struct ApiServer::Outcome {
    std::string text;
    GenerationStats stats;
};

// The generation slot held for one request, given back once: before a stream's [DONE], or
// when the response goes. Taking it after another user ran the evaluator (the app's chat)
// forgets the server's cached prefixes: the KV cache holds that user's tokens now.
class ApiServer::SlotHold {
public:
    explicit SlotHold(ApiServer& server) : slot_(*server.slot_) {
        bool others_ran = false;
        held_ = slot_.try_take(EvaluatorSlot::User::kServer, &others_ran);
        if (held_ && others_ran) {
            server.chat_.emplace(server.evaluator_, server.tokenizer_, server.chat_info_);
            server.completion_generator_.reset();
        }
    }
    ~SlotHold() { release(); }
    SlotHold(const SlotHold&) = delete;
    SlotHold& operator=(const SlotHold&) = delete;
    bool held() const { return held_; }
    void release() {
        if (held_) slot_.release();
        held_ = false;
    }

private:
    EvaluatorSlot& slot_;
    bool held_ = false;
};

ApiServer::ApiServer(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info,
                     ServerOptions options)
    : evaluator_(evaluator),
      tokenizer_(tokenizer),
      chat_info_(std::move(chat_info)),
      options_(std::move(options)),
      slot_(options_.slot ? options_.slot : std::make_shared<EvaluatorSlot>()),
      completion_generator_(evaluator, tokenizer) {
    chat_.emplace(evaluator_, tokenizer_, chat_info_);
}

ApiServer::~ApiServer() { stop(); }

Result<int> ApiServer::bind() {
    if (options_.port != 0) return bind_all(options_.port);
    // Port 0: the first address gets a free port, the others must take the same one, and it
    // may be in use on one of them (::1 has its own ports): then another port is tried.
    Result<int> bound = Error{"no address to listen on"};
    for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
        const int choice = options_.port_choice ? options_.port_choice(attempt) : 0;
        bound = bind_all(choice);
        if (bound || (choice == 0 && first_address_failed_)) return bound;  // no retry helps the first
    }
    return Error{bound.error().message + " (" + std::to_string(kPortAttempts) + " ports tried)"};
}

Result<int> ApiServer::bind_all(int first_port) {
    // A failed attempt closes what it bound (the GuardedHttpServers), so nothing is left listening.
    http_.clear();
    bound_hosts_.clear();
    first_address_failed_ = false;
    int port = first_port;
    for (const std::string& host : options_.hosts) {
        if (host == "::1" && options_.hosts.size() > 1 && !has_ipv6_loopback()) {
            std::fprintf(stderr, "note: this machine has no IPv6 loopback; listening on IPv4 only\n");
            continue;
        }
        auto http = std::make_unique<GuardedHttpServer>(options_.limits);
        install_routes(*http);
        bool bound = false;
        if (port == 0) {
            port = http->bind_to_any_port(host);
            bound = port > 0;
        } else {
            bound = http->bind_to_port(host, port);
        }
        if (bound && !http->widen_backlog())
            std::fprintf(stderr, "note: could not widen the listen backlog of %s\n", host.c_str());
        if (!bound) {
            first_address_failed_ = http_.empty();
            http_.clear();
            bound_hosts_.clear();
            const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
            return Error{"cannot listen on " + shown + ":" + std::to_string(port > 0 ? port : options_.port) +
                         ": the port is in use or the address is not this machine's"};
        }
        http_.push_back(std::move(http));
        bound_hosts_.push_back(host);
    }
    if (http_.empty()) return Error{"no address to listen on"};
    options_.port = port;
    if (options_.security.allowed_hosts.empty()) {
        for (const std::string& host : bound_hosts_)
            for (auto& allowed : default_allowed_hosts(host, port))
                if (std::find(options_.security.allowed_hosts.begin(), options_.security.allowed_hosts.end(), allowed) ==
                    options_.security.allowed_hosts.end())
                    options_.security.allowed_hosts.push_back(allowed);
    }
    return port;
}

void ApiServer::set_token(std::string token) {
    std::lock_guard lock(token_mutex_);
    options_.security.token = std::move(token);
}

void ApiServer::run() {
    ++runs_;
    if (!stopping_) {
        std::vector<std::thread> others;
        for (size_t i = 1; i < http_.size(); ++i) others.emplace_back([this, i] { http_[i]->listen_after_bind(); });
        if (!http_.empty()) http_[0]->listen_after_bind();
        for (auto& t : others) t.join();
    }
    --runs_;
}

void ApiServer::stop() {
    stopping_ = true;
    // httplib's stop() does nothing until its listen loop has started: wait for that, until
    // run() has returned; once each (a second stop() of a running server asserts).
    std::vector<bool> stopped(http_.size(), false);
    while (runs_ > 0) {
        for (size_t i = 0; i < http_.size(); ++i)
            if (!stopped[i] && http_[i]->is_running()) {
                http_[i]->stop();
                stopped[i] = true;
            }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Result<ApiServer::Outcome> ApiServer::generate(bool chat, const CompletionRequest& request,
                                               const TextCallback& on_text, const std::atomic<bool>* cancel) {
    struct Busy {
        std::atomic<bool>& flag;
        explicit Busy(std::atomic<bool>& f) : flag(f) { flag = true; }
        ~Busy() { flag = false; }
    } busy(busy_);
    if (chat) {
        if (!last_was_chat_) chat_.emplace(evaluator_, tokenizer_, chat_info_);  // its cache is stale
        last_was_chat_ = true;
        auto reply = chat_->reply(request.messages, request.settings, on_text, cancel);
        if (!reply) return reply.error();
        return Outcome{reply->text, reply->stats};
    }
    if (last_was_chat_) completion_generator_.reset();
    last_was_chat_ = false;
    const auto tokens = tokenizer_.encode(request.prompt, tokenizer_.adds_bos(), false);
    if (static_cast<int64_t>(tokens.size()) >= evaluator_.n_ctx())
        return Error{"the prompt has " + std::to_string(tokens.size()) + " tokens; the context holds " +
                     std::to_string(evaluator_.n_ctx())};
    std::string text;
    auto stats = completion_generator_.generate(
        tokens, request.settings,
        [&](std::string_view piece) {
            text += piece;
            on_text(piece);
        },
        cancel);
    if (!stats) return stats.error();
    return Outcome{text, *stats};
}

void ApiServer::install_routes(httplib::Server& http) {
    http.set_payload_max_length(options_.max_body_bytes);
    // httplib's default SO_REUSEPORT would let a second server share a port in use (A11);
    // SO_REUSEADDR alone still allows a restart while old connections are in TIME_WAIT.
    http.set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });

    // Every request passes the security checks before routing, and before its body is read.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        auto header = [&](const char* name) -> std::optional<std::string> {
            if (!req.has_header(name)) return std::nullopt;
            return req.get_header_value(name);
        };
        RequestFacts facts{header("Host"), header("Origin"), header("Authorization"), header("Content-Type"),
                           req.method == "POST"};
        if (req.method == "OPTIONS") {  // a browser's CORS preflight: it carries no token
            if (auto error = check_preflight(options_.security, facts)) {
                send_error(res, *error);
            } else {
                res.status = 204;
                res.set_header("Access-Control-Allow-Origin", *facts.origin);
                res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
                res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
                res.set_header("Access-Control-Max-Age", "600");
                res.set_header("Vary", "Origin");
            }
            return httplib::Server::HandlerResponse::Handled;
        }
        std::optional<ApiError> refused;
        {
            std::lock_guard lock(token_mutex_);
            refused = check_request(options_.security, facts);
        }
        if (refused) {
            send_error(res, *refused);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (facts.origin) {  // allow-listed: echo it exactly, never a wildcard
            res.set_header("Access-Control-Allow-Origin", *facts.origin);
            res.set_header("Vary", "Origin");
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Statuses httplib sets itself (404 no route, 413 body too large, ...) in OpenAI's shape.
    http.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiError error{res.status, "request failed with HTTP status " + std::to_string(res.status)};
        if (GuardedHttpServer::current_request_timed_out()) {  // headers or body trickled in (A6)
            error.status = res.status = 408;
            error.message = "the request did not arrive in time; the connection is closed";
            error.code = "request_timeout";
        } else if (stopping_ && res.status == 400) {  // its reading was given up: the server stops
            error = ApiError{503, "the server is stopping; the request was not read", "server_error"};
            res.status = 503;
        } else if (res.status == 404) {
            error.message = "unknown request URL: " + req.method + " " + req.path;
            error.code = "unknown_url";
        } else if (res.status == 413) {
            error.message = "the request body is too large";
            error.code = "request_too_large";
        } else if (res.status == 405) {
            error.message = "method " + req.method + " is not allowed on " + req.path;
        }
        send_error(res, error);
        return httplib::Server::HandlerResponse::Handled;
    }));

    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        send_error(res, ApiError{500, "internal server error", "server_error"});
    });

    http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
        json model = {{"id", options_.model_id}, {"object", "model"}, {"created", 0}, {"owned_by", "tessera"}};
        res.set_content(dump({{"object", "list"}, {"data", json::array({model})}}), "application/json");
    });

    auto completion_handler = [this](bool chat) {
        return [this, chat](const httplib::Request& req, httplib::Response& res) {
            const int64_t budget = evaluator_.n_ctx();
            auto parsed = chat ? parse_chat_request(req.body, budget) : parse_completion_request(req.body, budget);
            if (auto* error = std::get_if<ApiError>(&parsed)) return send_error(res, *error);
            auto request = std::make_shared<CompletionRequest>(std::move(std::get<CompletionRequest>(parsed)));
            if (!request->model.empty() && request->model != options_.model_id)
                return send_error(res, ApiError{404, "the model '" + request->model + "' does not exist (this server has '" +
                                                         options_.model_id + "')",
                                                "invalid_request_error", "model", "model_not_found"});
            // Held until the response is written: for a stream, by the content provider.
            auto slot = std::make_shared<SlotHold>(*this);
            if (!slot->held()) {
                const bool chat_runs = slot_->holder() == EvaluatorSlot::User::kChat;
                return send_error(res, ApiError{429,
                                                chat_runs ? "the model is busy with a chat in the app; retry later"
                                                          : "the server is busy with another request; retry later",
                                                "rate_limit_error", "", "rate_limit_exceeded"});
            }

            static std::atomic<uint64_t> counter{0};
            const std::string id = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(std::time(nullptr)) + "-" +
                                   std::to_string(++counter);
            json base = {{"id", id},
                         {"object", chat ? "chat.completion.chunk" : "text_completion"},
                         {"created", static_cast<int64_t>(std::time(nullptr))},
                         {"model", options_.model_id}};

            if (!request->stream) {
                std::atomic<bool> cancel{false};
                // Nothing is written until the end, so the socket is asked whether the
                // client is still there (A9).
                auto outcome = generate(chat, *request, [&](std::string_view) {
                    if (stopping_ || GuardedHttpServer::current_client_gone()) cancel = true;
                }, &cancel);
                if (cancel)
                    return send_error(res, ApiError{503, "the request was cancelled: the server is stopping",
                                                    "server_error"});
                if (!outcome) return send_error(res, ApiError{400, outcome.error().message});
                json body = base;
                const std::string reason = finish_reason(outcome->stats.finish);
                if (chat) {
                    body["object"] = "chat.completion";
                    body["choices"] = json::array({{{"index", 0},
                                                    {"message", {{"role", "assistant"}, {"content", outcome->text}}},
                                                    {"logprobs", nullptr},
                                                    {"finish_reason", reason}}});
                } else {
                    body["choices"] = json::array(
                        {{{"index", 0}, {"text", outcome->text}, {"logprobs", nullptr}, {"finish_reason", reason}}});
                }
                body["usage"] = usage_json(outcome->stats);
                res.set_content(dump(body), "application/json");
                return;
            }

            res.set_header("Cache-Control", "no-cache");
            res.set_chunked_content_provider(
                "text/event-stream", [this, chat, request, slot, base](size_t, httplib::DataSink& sink) {
                    std::atomic<bool> cancel{false};
                    // A failed write means the client is gone: stop generating (A9).
                    auto send = [&](const json& chunk) {
                        if (cancel) return;
                        const std::string event = sse(chunk);
                        if (!sink.is_writable() || !sink.write(event.data(), event.size())) cancel = true;
                    };
                    auto choice = [&](const std::string& text, const json& reason) {
                        json c = chat ? json{{"index", 0}, {"delta", text.empty() ? json::object() : json{{"content", text}}}}
                                      : json{{"index", 0}, {"text", text}};
                        c["logprobs"] = nullptr;
                        c["finish_reason"] = reason;
                        json chunk = base;
                        chunk["choices"] = json::array({c});
                        return chunk;
                    };
                    if (chat) {
                        json first = choice("", nullptr);
                        first["choices"][0]["delta"] = {{"role", "assistant"}, {"content", ""}};
                        send(first);
                    }
                    auto outcome = generate(chat, *request, [&](std::string_view piece) {
                        if (stopping_) cancel = true;
                        send(choice(std::string(piece), nullptr));
                    }, &cancel);
                    // Free before [DONE]: a client that sends its next request the moment
                    // this one ends (on a new connection) must not find the slot taken.
                    slot->release();
                    if (cancel) return false;  // nobody to finish the stream for: drop the connection
                    if (!outcome) {
                        const std::string event = "data: " + error_json(ApiError{400, outcome.error().message}) + "\n\n";
                        sink.write(event.data(), event.size());
                    } else {
                        send(choice("", finish_reason(outcome->stats.finish)));
                        if (request->include_usage) {
                            json usage = base;
                            usage["choices"] = json::array();
                            usage["usage"] = usage_json(outcome->stats);
                            send(usage);
                        }
                    }
                    const std::string done = "data: [DONE]\n\n";
                    sink.write(done.data(), done.size());
                    sink.done();
                    return true;
                });
        };
    };
    http.Post("/v1/chat/completions", completion_handler(true));
    http.Post("/v1/completions", completion_handler(false));
}

}  // namespace tessera::server

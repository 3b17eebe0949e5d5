#include "server.h"

#include <httplib.h>

#include <ctime>
#include <nlohmann/json.hpp>

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

}  // namespace

struct ApiServer::Outcome {
    std::string text;
    GenerationStats stats;
};

ApiServer::ApiServer(Evaluator& evaluator, const Tokenizer& tokenizer, chat::ModelChatInfo chat_info,
                     ServerOptions options)
    : evaluator_(evaluator),
      tokenizer_(tokenizer),
      chat_info_(std::move(chat_info)),
      options_(std::move(options)),
      http_(std::make_unique<httplib::Server>()),
      completion_generator_(evaluator, tokenizer) {
    chat_.emplace(evaluator_, tokenizer_, chat_info_);
    install_routes();
}

ApiServer::~ApiServer() = default;

Result<int> ApiServer::bind() {
    int port = options_.port;
    if (port == 0) {
        port = http_->bind_to_any_port(options_.host);
        if (port < 0) port = 0;
    } else if (!http_->bind_to_port(options_.host, port)) {
        port = 0;
    }
    if (port <= 0)
        return Error{"cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                     ": the port is in use or the address is not this machine's"};
    options_.port = port;
    if (options_.security.allowed_hosts.empty())
        options_.security.allowed_hosts = default_allowed_hosts(options_.host, port);
    return port;
}

void ApiServer::run() { http_->listen_after_bind(); }

void ApiServer::stop() {
    stopping_ = true;
    http_->stop();
}

Result<ApiServer::Outcome> ApiServer::generate(bool chat, const CompletionRequest& request,
                                               const TextCallback& on_text, const std::atomic<bool>* cancel) {
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

void ApiServer::install_routes() {
    httplib::Server& http = *http_;
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
        if (auto error = check_request(options_.security, facts)) {
            send_error(res, *error);
            return httplib::Server::HandlerResponse::Handled;
        }
        if (facts.origin) {  // allow-listed: echo it exactly, never a wildcard
            res.set_header("Access-Control-Allow-Origin", *facts.origin);
            res.set_header("Vary", "Origin");
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });

    // Statuses httplib sets itself (404 no route, 413 body too large, ...) in OpenAI's shape.
    http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        ApiError error{res.status, "request failed with HTTP status " + std::to_string(res.status)};
        if (res.status == 404) {
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
            auto slot = std::make_shared<std::unique_lock<std::mutex>>(slot_, std::try_to_lock);
            if (!slot->owns_lock())
                return send_error(res, ApiError{429, "the server is busy with another request; retry later",
                                                "rate_limit_error", "", "rate_limit_exceeded"});

            static std::atomic<uint64_t> counter{0};
            const std::string id = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(std::time(nullptr)) + "-" +
                                   std::to_string(++counter);
            json base = {{"id", id},
                         {"object", chat ? "chat.completion.chunk" : "text_completion"},
                         {"created", static_cast<int64_t>(std::time(nullptr))},
                         {"model", options_.model_id}};

            if (!request->stream) {
                std::atomic<bool> cancel{false};
                auto outcome = generate(chat, *request, [&](std::string_view) {
                    if (stopping_) cancel = true;
                }, &cancel);
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

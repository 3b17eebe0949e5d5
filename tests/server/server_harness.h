// The API server on loopback for tests: the bundled model behind an evaluator the test can
// hold at a gate (so "a generation is running" is a state, not a timing), the real
// ApiServer on a free port in a thread, and requests through cpp-httplib's client or raw
// sockets (to trickle bytes or hang up mid-request).
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend/cpu/forward.h"
#include "chat/chat_template.h"
#include "support/gated_evaluator.h"
#include "server.h"
#include "tokenizer/vocab_from_gguf.h"

namespace tessera::test {

inline const char* kToken = "server-test-token-0123456789abcdef";

// The bundled model served by a real ApiServer on 127.0.0.1 (and ::1 where there is one).
class ServedModel {
public:
    explicit ServedModel(server::ServerOptions options = {}, int64_t n_ctx = 1024) {
        auto model = Model::load(std::string(TESSERA_SOURCE_DIR) + "/packaging/models/aidreams260K-f32.gguf");
        if (!model) throw std::runtime_error(model.error().message);
        model_ = std::move(*model);
        auto vocab = vocab_from_gguf(model_->file());
        if (!vocab) throw std::runtime_error(vocab.error().message);
        auto tokenizer = Tokenizer::create(std::move(*vocab));
        if (!tokenizer) throw std::runtime_error(tokenizer.error().message);
        tokenizer_ = std::move(*tokenizer);
        cpu::ForwardOptions forward_options;
        forward_options.n_ctx = n_ctx;
        forward_options.n_threads = 1;
        auto forward = cpu::CpuForward::create(*model_, forward_options);
        if (!forward) throw std::runtime_error(forward.error().message);
        forward_ = std::move(*forward);
        evaluator = std::make_unique<GatedEvaluator>(*forward_, *tokenizer_);

        options.model_id = "aidreams";
        options.security.token = kToken;
        server_ = std::make_unique<server::ApiServer>(*evaluator, *tokenizer_,
                                                      chat::read_model_chat_info(model_->file()), options);
        auto bound = server_->bind();
        if (!bound) throw std::runtime_error(bound.error().message);
        port = *bound;
        thread_ = std::thread([this] { server_->run(); });
    }
    ~ServedModel() {
        evaluator->open_gate();  // a held generation must finish for the server to stop
        server_->stop();
        thread_.join();
    }

    server::ApiServer& api() { return *server_; }

    // A client for 127.0.0.1 with the token; requests wait at most a minute.
    std::unique_ptr<httplib::Client> client(const std::string& host = "127.0.0.1") {
        auto c = std::make_unique<httplib::Client>(host, port);
        c->set_bearer_token_auth(kToken);
        c->set_read_timeout(std::chrono::seconds(60));
        return c;
    }

    std::unique_ptr<GatedEvaluator> evaluator;
    int port = 0;

private:
    std::unique_ptr<Model> model_;
    std::unique_ptr<Tokenizer> tokenizer_;
    std::unique_ptr<cpu::CpuForward> forward_;
    std::unique_ptr<server::ApiServer> server_;
    std::thread thread_;
};

// A chat request body asking for `max_tokens` tokens.
inline std::string chat_body(int max_tokens, bool stream = false) {
    return std::string(R"({"messages":[{"role":"user","content":"I dream"}],"max_tokens":)") +
           std::to_string(max_tokens) + (stream ? R"(,"stream":true})" : "}");
}

// A raw TCP connection to 127.0.0.1:port (-1 on failure).
inline int connect_loopback(int port) {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(sock);
        return -1;
    }
    return sock;
}

inline bool send_all(int sock, const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(sock, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return false;
        sent += static_cast<size_t>(n);
    }
    return true;
}

// A complete POST as the bytes a client sends.
inline std::string raw_post(int port, const std::string& path, const std::string& body) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
           "\r\nAuthorization: Bearer " + kToken + "\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Reads until the server closes the connection (or a minute passes); what arrived.
inline std::string read_until_closed(int sock, bool* closed = nullptr) {
    timeval tv{60, 0};
    setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string out;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::recv(sock, buf, sizeof(buf), 0);
        if (n <= 0) {
            if (closed) *closed = n == 0 || errno == ECONNRESET;
            return out;
        }
        out.append(buf, static_cast<size_t>(n));
    }
}

// Waits (bounded) until `done` holds, checking every few milliseconds.
template <class F>
bool eventually(F done, std::chrono::seconds bound = std::chrono::seconds(60)) {
    const auto until = std::chrono::steady_clock::now() + bound;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace tessera::test

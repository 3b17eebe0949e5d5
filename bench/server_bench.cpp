// The local API server under load: the server runs in this process on a model (the bundled
// one by default) with its one generation slot, and N = 1, 4, 16 clients on loopback each
// send streamed chat completions until R of theirs have succeeded, retrying a 429 after
// a pause (20 ms by default; OpenAI's clients wait longer). Prints, per N: completed requests per second, p50/p95 latency (from a request's
// first try, so waiting through 429s counts), p50/p95 time to the first streamed token of
// the try that succeeded, and how many 429s were answered. No assertions. The engine uses
// one thread by default (-t): the bundled model is tiny, and on a busy machine a pool of
// threads waiting for each other measures the machine rather than the server.
//
//   tessera-server-bench [-m MODEL] [--requests R] [--max-tokens T] [--retry-ms MS] [-t THREADS] [--json]
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/cpu/forward.h"
#include "chat/chat_template.h"
#include "server.h"
#include "tokenizer/vocab_from_gguf.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace tessera;

const char* const kToken = "bench-token-0123456789abcdef";

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

struct ClientResult {
    std::vector<double> latency_ms, ttft_ms;
    int rejected = 0;  // 429s
    int failed = 0;    // anything else that was not a 200
};

// One client: R streamed chat completions, each retried on 429 until it succeeds.
ClientResult run_client(int port, int requests, int max_tokens, int retry_ms, int id) {
    ClientResult r;
    httplib::Client client("127.0.0.1", port);
    client.set_bearer_token_auth(kToken);
    client.set_read_timeout(std::chrono::seconds(300));
    const std::string body = nlohmann::json{{"messages", {{{"role", "user"}, {"content", "I dream of a small robot"}}}},
                                            {"max_tokens", max_tokens},
                                            {"seed", id},
                                            {"stream", true}}
                                 .dump();
    for (int i = 0; i < requests; ++i) {
        const auto first_try = Clock::now();
        for (;;) {
            const auto attempt = Clock::now();
            double ttft = -1.0;
            httplib::Request req;
            req.method = "POST";
            req.path = "/v1/chat/completions";
            req.body = body;
            req.set_header("Content-Type", "application/json");
            req.set_header("Authorization", std::string("Bearer ") + kToken);
            std::string received;
            req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
                received.append(data, n);
                // The first event only names the role; the second carries the first token.
                const size_t role = received.find("data: {");
                if (ttft < 0 && role != std::string::npos && received.find("data: {", role + 1) != std::string::npos)
                    ttft = ms_since(attempt);
                return true;
            };
            auto res = client.send(req);
            if (res && res->status == 429) {
                ++r.rejected;
                std::this_thread::sleep_for(std::chrono::milliseconds(retry_ms));
                continue;
            }
            if (!res || res->status != 200) {
                ++r.failed;
                break;
            }
            r.latency_ms.push_back(ms_since(first_try));
            if (ttft >= 0) r.ttft_ms.push_back(ttft);
            break;
        }
    }
    return r;
}

int fail(const Error& error) {
    std::fprintf(stderr, "error: %s\n", error.message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string model_path = TESSERA_BUNDLED_MODEL;
    int requests = 8, max_tokens = 32, retry_ms = 20, threads = 1;
    bool as_json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if ((a == "-m" || a == "--model") && i + 1 < argc) model_path = argv[++i];
        else if (a == "--requests" && i + 1 < argc) requests = std::max(1, std::atoi(argv[++i]));
        else if (a == "--max-tokens" && i + 1 < argc) max_tokens = std::max(1, std::atoi(argv[++i]));
        else if (a == "--retry-ms" && i + 1 < argc) retry_ms = std::max(0, std::atoi(argv[++i]));
        else if ((a == "-t" || a == "--threads") && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
        else if (a == "--json") as_json = true;
        else {
            std::fprintf(stderr, "usage: tessera-server-bench [-m MODEL] [--requests R] [--max-tokens T] [--retry-ms MS] [-t THREADS] [--json]\n");
            return 2;
        }
    }

    auto model = Model::load(model_path);
    if (!model) return fail(model.error());
    auto vocab = vocab_from_gguf((*model)->file());
    if (!vocab) return fail(vocab.error());
    auto tokenizer = Tokenizer::create(std::move(*vocab));
    if (!tokenizer) return fail(tokenizer.error());
    cpu::ForwardOptions forward_options;
    forward_options.n_ctx = 2048;
    forward_options.n_threads = threads;
    auto forward = cpu::CpuForward::create(**model, forward_options);
    if (!forward) return fail(forward.error());

    server::ServerOptions options;
    options.hosts = {"127.0.0.1"};
    options.model_id = "bench";
    options.security.token = kToken;
    options.limits.worker_threads = 20;  // every client has a connection; the slot is the limit
    server::ApiServer api(**forward, **tokenizer, chat::read_model_chat_info((*model)->file()), options);
    auto port = api.bind();
    if (!port) return fail(port.error());
    std::thread serving([&] { api.run(); });

    run_client(*port, 2, max_tokens, retry_ms, 0);  // warm-up: first-request costs are not load

    nlohmann::json rows = nlohmann::json::array();
    if (!as_json)
        std::printf("%-8s %10s %10s %10s %10s %10s %8s %6s\n", "clients", "req/s", "p50 ms", "p95 ms", "ttft p50",
                    "ttft p95", "429s", "failed");
    for (int clients : {1, 4, 16}) {
        std::vector<ClientResult> results(static_cast<size_t>(clients));
        std::vector<std::thread> client_threads;
        const auto start = Clock::now();
        for (int c = 0; c < clients; ++c)
            client_threads.emplace_back(
                [&, c] { results[static_cast<size_t>(c)] = run_client(*port, requests, max_tokens, retry_ms, c); });
        for (auto& t : client_threads) t.join();
        const double seconds = ms_since(start) / 1000.0;
        ClientResult all;
        for (auto& r : results) {
            all.latency_ms.insert(all.latency_ms.end(), r.latency_ms.begin(), r.latency_ms.end());
            all.ttft_ms.insert(all.ttft_ms.end(), r.ttft_ms.begin(), r.ttft_ms.end());
            all.rejected += r.rejected;
            all.failed += r.failed;
        }
        const double rps = static_cast<double>(all.latency_ms.size()) / seconds;
        nlohmann::json row = {{"clients", clients},
                              {"completed", all.latency_ms.size()},
                              {"requests_per_second", rps},
                              {"latency_ms_p50", percentile(all.latency_ms, 0.5)},
                              {"latency_ms_p95", percentile(all.latency_ms, 0.95)},
                              {"ttft_ms_p50", percentile(all.ttft_ms, 0.5)},
                              {"ttft_ms_p95", percentile(all.ttft_ms, 0.95)},
                              {"rejected_429", all.rejected},
                              {"failed", all.failed}};
        rows.push_back(row);
        if (!as_json)
            std::printf("%-8d %10.1f %10.1f %10.1f %10.1f %10.1f %8d %6d\n", clients, rps, percentile(all.latency_ms, 0.5),
                        percentile(all.latency_ms, 0.95), percentile(all.ttft_ms, 0.5), percentile(all.ttft_ms, 0.95),
                        all.rejected, all.failed);
    }
    if (as_json)
        std::printf("%s\n", nlohmann::json{{"model", model_path},
                                           {"requests_per_client", requests},
                                           {"max_tokens", max_tokens},
                                           {"retry_ms", retry_ms},
                                           {"threads", threads},
                                           {"results", rows}}
                                .dump(2)
                                .c_str());
    api.stop();
    serving.join();
    return 0;
}

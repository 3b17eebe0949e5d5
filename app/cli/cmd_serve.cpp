// tessera-cli serve: the OpenAI-compatible HTTP API on one model, headless. Binds 127.0.0.1
// and ::1 unless told otherwise; prints the bearer token it made up when none was given,
// then one line "listening on http://HOST:PORT" per address. SIGINT/SIGTERM stop it.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "commands.h"
#include "generation_args.h"
#include "server.h"

namespace tessera::cli {
namespace {

bool is_loopback(const std::string& host) {
    return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

}  // namespace

int serve_command(Args& args) {
    auto model_path = args.option({"-m", "--model"});
    auto host = args.option({"--host"});
    auto port = args.integer({"--port"}, 8080, 0, 65535);
    auto token = args.option({"--token"});
    auto origins = args.options({"--allow-origin"});
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    auto ctx = args.integer({"-c", "--ctx-size"}, 4096, 16, int64_t{1} << 24);
    auto device = parse_device(args);
    if (!device) return fail(device.error());
    if (!port) return fail(port.error());
    if (!threads) return fail(threads.error());
    if (!ctx) return fail(ctx.error());
    if (!model_path) return fail(Error{"serve needs -m MODEL"});
    if (token && token->size() < 16) return fail(Error{"--token must be at least 16 characters"});
    if (auto s = args.check_unused(); !s) return fail(s.error());
    if (host && !is_loopback(*host))
        std::fprintf(stderr, "warning: --host %s makes the server reachable from other machines\n", host->c_str());

    auto loaded = load_model_and_tokenizer(*model_path);
    if (!loaded) return fail(loaded.error());
    auto backend = make_backend(*loaded->model, *device, *ctx, static_cast<int>(*threads));
    if (!backend) return fail(backend.error());

    server::ServerOptions options;
    if (host) options.hosts = {*host == "localhost" ? "127.0.0.1" : *host};
    options.port = static_cast<int>(*port);
    options.model_id = std::filesystem::path(*model_path).stem().string();
    options.security.token = token ? *token : server::generate_token();
    options.security.allowed_origins = origins;

    // Signals are taken by one thread with sigwait, so the server is stopped outside a
    // signal handler; every thread started after this inherits the blocked mask.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);  // a client gone mid-write is an error value, not a signal

    server::ApiServer api(*backend->evaluator, *loaded->tokenizer, chat::read_model_chat_info(loaded->model->file()),
                          options);
    auto bound = api.bind();
    if (!bound) return fail(bound.error());
    std::fprintf(stderr, "[model %s; running on %s]\n", options.model_id.c_str(), backend->description.c_str());
    if (!token) std::printf("token: %s\n", options.security.token.c_str());
    for (const std::string& listening : api.listening_hosts())
        std::printf("listening on http://%s:%d\n",
                    listening.find(':') != std::string::npos ? ("[" + listening + "]").c_str() : listening.c_str(),
                    *bound);
    std::fflush(stdout);

    std::thread waiter([&] {
        int signal = 0;
        sigwait(&stop_signals, &signal);
        std::fprintf(stderr, "[stopping on signal %d]\n", signal);
        api.stop();
    });
    api.run();
    waiter.join();
    return 0;
}

}  // namespace tessera::cli

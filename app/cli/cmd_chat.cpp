// tessera-cli chat: an interactive terminal conversation in the model's chat template.
// Each line typed is a user message (end a line with '\' to continue it on the next);
// /regen answers the last message again, /reset starts over, /exit (or end of input) quits.
// Ctrl+C stops a reply that is being written; at the prompt it quits.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>

#include "chat/reasoning.h"
#include "commands.h"
#include "generation_args.h"
#include "session/chat_session.h"

namespace tessera::cli {
namespace {

std::atomic<bool> g_cancel{false};
std::atomic<bool> g_generating{false};

void on_interrupt(int) {
    if (g_generating.load()) {
        g_cancel.store(true);
    } else {
        std::signal(SIGINT, SIG_DFL);
        std::raise(SIGINT);
    }
}

// Reads one message; a line ending in '\' continues on the next. False at end of input.
bool read_message(bool interactive, std::string& message) {
    message.clear();
    std::string line;
    if (interactive) std::fputs("> ", stdout), std::fflush(stdout);
    while (std::getline(std::cin, line)) {
        if (!line.empty() && line.back() == '\\') {
            line.pop_back();
            message += line + "\n";
            if (interactive) std::fputs(". ", stdout), std::fflush(stdout);
            continue;
        }
        message += line;
        return true;
    }
    return !message.empty();
}

// Shows the reply as it streams: reasoning dimmed on a terminal, marked otherwise.
class ReplyPrinter {
public:
    explicit ReplyPrinter(bool terminal) : terminal_(terminal) {}
    void operator()(std::string_view piece) {
        chat::ReasoningText t;
        splitter_.feed(piece, t);
        print(t);
    }
    void finish() {
        chat::ReasoningText t;
        splitter_.finish(t);
        print(t);
        if (in_reasoning_) end_reasoning();
        std::fputs("\n", stdout);
        std::fflush(stdout);
    }

private:
    void print(const chat::ReasoningText& t) {
        if (!t.reasoning.empty()) {
            if (!in_reasoning_) std::fputs(terminal_ ? "\x1b[2m" : "[thinking] ", stdout);
            in_reasoning_ = true;
            std::fwrite(t.reasoning.data(), 1, t.reasoning.size(), stdout);
        }
        if (!t.answer.empty()) {
            if (in_reasoning_) end_reasoning();
            std::fwrite(t.answer.data(), 1, t.answer.size(), stdout);
        }
        std::fflush(stdout);
    }
    void end_reasoning() {
        std::fputs(terminal_ ? "\x1b[0m\n" : "\n[/thinking]\n", stdout);
        in_reasoning_ = false;
    }

    bool terminal_;
    bool in_reasoning_ = false;
    chat::ReasoningSplitter splitter_;
};

}  // namespace

int chat_command(Args& args) {
    auto model_path = args.option({"-m", "--model"});
    auto system = args.option({"--system"});
    auto reasoning = args.option({"--reasoning"});
    auto policy = args.option({"--context-policy"}).value_or("refuse");
    auto settings = parse_generation_settings(args, 1024);
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    auto ctx = args.integer({"-c", "--ctx-size"}, 4096, 16, int64_t{1} << 24);
    auto device = parse_device(args);
    if (!device) return fail(device.error());
    if (!settings) return fail(settings.error());
    if (!threads) return fail(threads.error());
    if (!ctx) return fail(ctx.error());
    if (!model_path) return fail(Error{"chat needs -m MODEL"});
    if (reasoning && *reasoning != "on" && *reasoning != "off")
        return fail(Error{"--reasoning takes on or off, not '" + *reasoning + "'"});
    if (policy != "refuse" && policy != "drop")
        return fail(Error{"--context-policy takes refuse or drop, not '" + policy + "'"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    auto loaded = load_model_and_tokenizer(*model_path);
    if (!loaded) return fail(loaded.error());
    auto backend = make_backend(*loaded->model, *device, *ctx, static_cast<int>(*threads));
    if (!backend) return fail(backend.error());

    ChatSessionOptions options;
    options.context_policy = policy == "drop" ? ContextPolicy::kDropOldestTurns : ContextPolicy::kRefuse;
    if (reasoning) options.reasoning = *reasoning == "on";
    ChatSession session(*backend->evaluator, *loaded->tokenizer, chat::read_model_chat_info(loaded->model->file()), options);
    const auto& choice = session.template_choice();
    std::fprintf(stderr, "[%s template%s%s; context %lld tokens; /regen, /reset, /exit]\n",
                 std::string(chat::family_name(choice.family)).c_str(), choice.builtin ? " (built-in)" : "",
                 choice.reason.empty() ? "" : (": " + choice.reason).c_str(),
                 static_cast<long long>(session.n_ctx()));
    std::fprintf(stderr, "[running on %s]\n", backend->description.c_str());
    if (settings->sampling.temperature > 0.0f)  // so a run can be repeated with --seed
        std::fprintf(stderr, "[sampling with seed %llu]\n", static_cast<unsigned long long>(settings->sampling.seed));

    const bool interactive = isatty(STDIN_FILENO);
    const bool terminal = isatty(STDOUT_FILENO);
    std::signal(SIGINT, on_interrupt);
    std::vector<chat::ChatMessage> conversation;
    if (system) conversation.push_back({"system", *system});
    const size_t first_turn = conversation.size();

    std::string message;
    while (read_message(interactive, message)) {
        if (message == "/exit") break;
        if (message == "/reset") {
            conversation.resize(first_turn);
            continue;
        }
        if (message == "/regen") {
            if (conversation.size() == first_turn) continue;
            if (conversation.back().role == "assistant") conversation.pop_back();
        } else if (!message.empty()) {
            conversation.push_back({"user", message});
        } else {
            continue;
        }

        ReplyPrinter printer(terminal);
        g_cancel = false;
        g_generating = true;
        auto reply = session.reply(conversation, *settings, std::ref(printer), &g_cancel);
        g_generating = false;
        printer.finish();
        if (!reply) {
            std::fprintf(stderr, "error: %s\n", reply.error().message.c_str());
            conversation.pop_back();  // the message was not answered; it can be sent again
            continue;
        }
        if (reply->dropped_messages > 0)
            std::fprintf(stderr, "[%lld oldest messages left out to fit the context]\n",
                         static_cast<long long>(reply->dropped_messages));
        const GenerationStats& s = reply->stats;
        std::fprintf(stderr, "[%lld prompt tokens, %lld reused, %lld prefilled; first token %.2f s; %lld tokens at %.1f tok/s; %s]\n",
                     static_cast<long long>(s.prompt_tokens), static_cast<long long>(s.reused_tokens),
                     static_cast<long long>(s.prefilled_tokens), s.time_to_first_token_seconds,
                     static_cast<long long>(s.generated_tokens), s.decode_tokens_per_second(),
                     std::string(finish_reason_name(s.finish)).c_str());
        conversation.push_back({"assistant", reply->text});
    }
    return 0;
}

}  // namespace tessera::cli

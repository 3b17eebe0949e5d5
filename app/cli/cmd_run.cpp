// tessera-cli run: tokenize a prompt, prefill it, and stream generated text as it comes.
#include <cstdio>

#include "commands.h"
#include "generation_args.h"

namespace tessera::cli {

int run_command(Args& args) {
    auto model_path = args.option({"-m", "--model"});
    auto prompt = args.option({"-p", "--prompt"});
    auto settings = parse_generation_settings(args, 128);
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    auto ctx = args.integer({"-c", "--ctx-size"}, 0, 0, int64_t{1} << 24);
    auto device = parse_device(args);
    if (!device) return fail(device.error());
    if (!settings) return fail(settings.error());
    if (!threads) return fail(threads.error());
    if (!ctx) return fail(ctx.error());
    if (!model_path || !prompt) return fail(Error{"run needs -m MODEL and -p PROMPT"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    auto loaded = load_model_and_tokenizer(*model_path);
    if (!loaded) return fail(loaded.error());
    const Tokenizer& tok = *loaded->tokenizer;
    const std::vector<int32_t> tokens = tok.encode(*prompt, tok.adds_bos(), false);
    if (tokens.empty()) return fail(Error{"the prompt is empty after tokenization"});
    // Without -c the context holds the prompt and the reply (up to the training context).
    const int64_t n_ctx = *ctx > 0 ? *ctx : static_cast<int64_t>(tokens.size()) + settings->max_tokens;
    auto backend = make_backend(*loaded->model, *device, n_ctx, static_cast<int>(*threads));
    if (!backend) return fail(backend.error());

    std::fputs(prompt->c_str(), stdout);
    std::fflush(stdout);
    settings->text_start = false;  // the reply continues the printed prompt
    Generator generator(*backend->evaluator, tok);
    auto stats = generator.generate(tokens, *settings, [](std::string_view piece) {
        std::fwrite(piece.data(), 1, piece.size(), stdout);
        std::fflush(stdout);
    });
    std::fputs("\n", stdout);
    if (!stats) return fail(stats.error());
    std::string seed;
    if (settings->sampling.temperature > 0.0f) seed = ", seed " + std::to_string(settings->sampling.seed);
    std::fprintf(stderr, "\n[%lld prompt tokens at %.1f tok/s, %lld generated at %.1f tok/s (%s), %s%s]\n",
                 static_cast<long long>(stats->prompt_tokens), stats->prefill_tokens_per_second(),
                 static_cast<long long>(stats->generated_tokens), stats->decode_tokens_per_second(),
                 std::string(finish_reason_name(stats->finish)).c_str(), backend->description.c_str(), seed.c_str());
    return 0;
}

}  // namespace tessera::cli

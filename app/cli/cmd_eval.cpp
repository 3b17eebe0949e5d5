// tessera-cli eval: the interface conformance checks use. Feeds the ids as one batch from
// position 0, writes every position's logits (little-endian float32, n_tokens x n_vocab),
// then optionally decodes N tokens greedily and prints their ids.
#include <cstdio>
#include <fstream>
#include <numeric>

#include "backend/backend_choice.h"
#include "commands.h"
#include "generation_args.h"
#include "sampling/sampler.h"

namespace tessera::cli {

int eval_command(Args& args) {
    auto model_path = args.option({"-m", "--model"});
    auto tokens_text = args.option({"--tokens"});
    auto logits_path = args.option({"--logits"});
    auto greedy = args.integer({"--greedy"}, 0, 0, 1 << 20);
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    auto device = parse_device(args);
    if (!device) return fail(device.error());
    if (!greedy) return fail(greedy.error());
    if (!threads) return fail(threads.error());
    if (!model_path || !tokens_text) return fail(Error{"eval needs -m MODEL and --tokens 1,2,3"});
    if (auto s = args.check_unused(); !s) return fail(s.error());
    auto tokens = parse_id_list(*tokens_text);
    if (!tokens) return fail(tokens.error());

    auto model = Model::load(*model_path);
    if (!model) return fail(model.error());
    const int64_t n_vocab = (*model)->config().n_vocab;
    const auto n = static_cast<int64_t>(tokens->size());

    BackendOptions options;
    options.n_ctx = n + *greedy;
    options.n_threads = static_cast<int>(*threads);
    auto backend = create_backend(**model, *device, options);
    if (!backend) return fail(backend.error());
    Evaluator& forward = *backend->evaluator;

    std::vector<int64_t> rows(static_cast<size_t>(n));
    std::iota(rows.begin(), rows.end(), 0);
    std::vector<float> logits(static_cast<size_t>(n * n_vocab));
    if (auto s = forward.eval(*tokens, rows, logits.data()); !s) return fail(s.error());

    if (logits_path) {
        std::ofstream out(*logits_path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(logits.data()), static_cast<std::streamsize>(logits.size() * sizeof(float)));
        if (!out) return fail(Error{"cannot write logits to '" + *logits_path + "'"});
    }
    if (*greedy > 0) {
        std::vector<int32_t> generated;
        std::vector<float> last(logits.end() - n_vocab, logits.end());
        const int64_t zero = 0;
        for (int64_t i = 0; i < *greedy; ++i) {
            const int32_t next = argmax(last.data(), n_vocab);
            generated.push_back(next);
            if (i + 1 == *greedy) break;
            if (auto s = forward.eval(std::span(&next, 1), std::span(&zero, 1), last.data()); !s) return fail(s.error());
        }
        std::printf("%s\n", join_ids(generated).c_str());
    }
    return 0;
}

}  // namespace tessera::cli

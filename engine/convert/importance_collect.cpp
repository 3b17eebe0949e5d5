#include "convert/importance_collect.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/cpu/forward.h"
#include "session/loaded_model.h"

namespace tessera {
namespace {

// log p(target) from one row of logits, computed stably.
double log_prob(const float* logits, int64_t n_vocab, int32_t target) {
    const float max = *std::max_element(logits, logits + n_vocab);
    double sum = 0;
    for (int64_t i = 0; i < n_vocab; ++i) sum += std::exp(static_cast<double>(logits[i] - max));
    return static_cast<double>(logits[target] - max) - std::log(sum);
}

}  // namespace

Result<ImportanceRun> collect_importance(const std::string& model_path, std::string_view text,
                                         const ImportanceOptions& options) {
    if (options.chunk_size < 2) return Error{"the chunk size must be at least 2 tokens"};
    auto loaded = load_model_and_tokenizer(model_path);
    if (!loaded) return loaded.error();
    const Model& model = *loaded.value().model;
    const Tokenizer& tokenizer = *loaded.value().tokenizer;

    // Special-token text in a calibration file is plain text, not control tokens.
    const std::vector<int32_t> tokens = tokenizer.encode(text, false, false);
    if (tokens.size() < 2) return Error{"the calibration text is too short: it needs at least 2 tokens"};
    const auto n_tokens = static_cast<int64_t>(tokens.size());
    const int64_t chunk = std::min(options.chunk_size, n_tokens + (tokenizer.adds_bos() ? 1 : 0));
    int64_t n_chunks = std::max<int64_t>(1, n_tokens / chunk);
    if (options.max_chunks > 0) n_chunks = std::min(n_chunks, options.max_chunks);

    cpu::ForwardOptions forward_options;
    forward_options.n_ctx = chunk;
    forward_options.n_batch = chunk;
    forward_options.n_threads = options.n_threads;
    auto forward = cpu::CpuForward::create(model, forward_options);
    if (!forward) return forward.error();
    cpu::CpuForward& fwd = *forward.value();

    ImportanceRun run;
    Status failed = Status::success();
    fwd.set_matrix_input_observer([&](const Matrix& w, const float* x, int64_t n) {
        if (!failed) return;
        failed = run.matrix.accumulate(w.name, x, n, w.cols);
    });

    const int64_t n_vocab = model.config().n_vocab;
    std::vector<int64_t> rows(static_cast<size_t>(chunk));
    for (int64_t r = 0; r < chunk; ++r) rows[static_cast<size_t>(r)] = r;
    std::vector<float> logits(static_cast<size_t>(chunk * n_vocab));
    double nll = 0;
    int64_t scored = 0;
    for (int64_t c = 0; c < n_chunks; ++c) {
        // Each chunk is a fresh sequence; with BOS first as the model expects.
        std::vector<int32_t> seq;
        if (tokenizer.adds_bos() && tokenizer.bos()) seq.push_back(*tokenizer.bos());
        const int64_t take = chunk - static_cast<int64_t>(seq.size());
        const auto begin = tokens.begin() + std::min(n_tokens, c * take);
        seq.insert(seq.end(), begin, begin + std::min<int64_t>(take, tokens.end() - begin));
        if (seq.size() < 2) break;
        fwd.truncate(0);
        const auto n = static_cast<int64_t>(seq.size());
        TESSERA_TRY(fwd.eval(seq, std::span(rows).first(static_cast<size_t>(n)), logits.data()));
        if (!failed) return failed.error();
        for (int64_t t = n / 2; t + 1 < n; ++t) {
            nll -= log_prob(logits.data() + t * n_vocab, n_vocab, seq[static_cast<size_t>(t + 1)]);
            ++scored;
        }
        run.tokens += n;
        if (options.progress) options.progress(c + 1, n_chunks);
    }
    run.perplexity = scored > 0 ? std::exp(nll / static_cast<double>(scored)) : 0.0;
    run.matrix.chunk_count = static_cast<uint32_t>(n_chunks);
    run.matrix.chunk_size = static_cast<uint32_t>(chunk);
    if (!options.dataset.empty()) run.matrix.datasets.push_back(options.dataset);
    return run;
}

}  // namespace tessera

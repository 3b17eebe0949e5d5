// tessera-cli imatrix: an importance matrix from a calibration text, for
// `tessera-cli quantize --imatrix` (and llama.cpp's llama-quantize, which reads the same file).
#include <cstdio>
#include <filesystem>

#include "commands.h"
#include "convert/importance_collect.h"
#include "core/text_file.h"

namespace tessera::cli {

int imatrix_command(Args& args) {
    auto model = args.option({"-m", "--model"});
    auto text_path = args.option({"-f", "--file"});
    auto out = args.option({"-o", "--output"});
    auto chunk = args.integer({"--chunk"}, 512, 2, 1 << 20);
    if (!chunk) return fail(chunk.error());
    auto chunks = args.integer({"--chunks"}, 0, 0, 1 << 30);
    if (!chunks) return fail(chunks.error());
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    if (!threads) return fail(threads.error());
    if (!model || !text_path || !out) return fail(Error{"imatrix needs -m MODEL -f CALIBRATION.txt -o OUT.gguf"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    auto text = read_text_file(*text_path);
    if (!text) return fail(text.error());
    ImportanceOptions options;
    options.chunk_size = *chunk;
    options.max_chunks = *chunks;
    options.n_threads = static_cast<int>(*threads);
    options.dataset = std::filesystem::path(*text_path).filename().string();
    options.progress = [](int64_t done, int64_t total) {
        std::fprintf(stderr, "\rchunk %lld/%lld", static_cast<long long>(done), static_cast<long long>(total));
    };
    auto run = collect_importance(*model, *text, options);
    std::fputs("\n", stderr);
    if (!run) return fail(run.error());
    if (auto s = save_importance_matrix(run->matrix, *out); !s) return fail(s.error());
    std::fprintf(stderr, "%lld tokens in %u chunks of %u, perplexity %.4f; %zu matrices; wrote %s\n",
                 static_cast<long long>(run->tokens), run->matrix.chunk_count, run->matrix.chunk_size,
                 run->perplexity, run->matrix.entries.size(), out->c_str());
    return 0;
}

}  // namespace tessera::cli

// tessera-cli quantize: a GGUF model to other tensor types (a type, a K-quant mix, and a
// per-tensor policy file), optionally weighted by an importance matrix.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "commands.h"
#include "convert/quantize_model.h"
#include "progress_line.h"
#include "quant/quant_mix.h"

namespace tessera::cli {

int quantize_command(Args& args) {
    auto policy_path = args.option({"--policy"});
    auto imatrix_path = args.option({"--imatrix"});
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    if (!threads) return fail(threads.error());
    const auto positional = args.positional();
    if (positional.size() != 3) return fail(Error{"quantize needs IN.gguf OUT.gguf TYPE"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    QuantizeOptions options;
    options.n_threads = static_cast<int>(*threads);
    if (auto s = parse_type_name(positional[2], options.type, options.mix); !s) return fail(s.error());
    if (policy_path) {
        std::ifstream in(*policy_path, std::ios::binary);
        if (!in) return fail(Error{"cannot read the policy file " + *policy_path});
        std::ostringstream text;
        text << in.rdbuf();
        auto rules = parse_quantize_policy(text.str());
        if (!rules) return fail(wrap_error(*policy_path, rules.error()));
        options.rules = std::move(*rules);
    }
    ImportanceMatrix importance;
    if (imatrix_path) {
        auto loaded = load_importance_matrix(*imatrix_path);
        if (!loaded) return fail(loaded.error());
        importance = std::move(*loaded);
        options.importance = &importance;
        options.importance_file = *imatrix_path;
        std::fprintf(stderr, "importance matrix: %zu matrices from %u chunks\n", importance.entries.size(),
                     importance.chunk_count);
    }
    options.progress = terminal_progress();
    const Status s = quantize_model(positional[0], positional[1], options);
    if (options.progress) std::fputs("\n", stderr);
    if (!s) return fail(s.error());
    std::fprintf(stderr, "wrote %s\n", positional[1].c_str());
    return 0;
}

}  // namespace tessera::cli

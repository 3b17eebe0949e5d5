// tessera-cli convert: a Hugging Face checkpoint folder (config.json, safetensors,
// tokenizer.json) to a GGUF file.
#include <cstdio>

#include "commands.h"
#include "convert/convert.h"
#include "progress_line.h"
#include "quant/quant_mix.h"

namespace tessera::cli {

int convert_command(Args& args) {
    auto out = args.option({"-o", "--output"});
    auto type_name = args.option({"--type"});
    auto threads = args.integer({"-t", "--threads"}, 0, 0, 256);
    if (!threads) return fail(threads.error());
    const auto positional = args.positional();
    if (positional.size() != 1 || !out) return fail(Error{"convert needs HF_FOLDER and -o OUT.gguf"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    ConvertOptions options;
    options.n_threads = static_cast<int>(*threads);
    if (type_name) {
        TensorType type{};
        if (auto s = parse_type_name(*type_name, type, options.mix); !s) return fail(s.error());
        options.type = type;
    }
    options.progress = terminal_progress();
    const Status s = convert_hf_checkpoint(positional[0], *out, options);
    if (options.progress) std::fputs("\n", stderr);
    if (!s) return fail(s.error());
    std::fprintf(stderr, "wrote %s\n", out->c_str());
    return 0;
}

}  // namespace tessera::cli

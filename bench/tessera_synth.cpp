// tessera-synth: writes a synthetic NAS model (random weights, the block plan of a JSON spec).
//   tessera-synth SPEC.json OUT.gguf [--type TYPE] [--tokenizer-from VOCAB.gguf] [--threads N]
// TYPE: f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q2_k q3_k q4_k q5_k q6_k, or a llama.cpp mix
// q3_k_m q4_k_m q5_k_m. Quantization runs on all cores, one tensor at a time, rows split.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "synthetic_hf.h"
#include "synthetic_model.h"

namespace {

using namespace tessera;

int usage() {
    std::fprintf(stderr,
                 "usage: tessera-synth SPEC.json OUT.gguf [--type f32|f16|bf16|q8_0|q4_0|q4_1|q5_0|q5_1|q2_k|q3_k|"
                 "q4_k|q5_k|q6_k|q4_k_m|q5_k_m|q3_k_m] [--tokenizer-from VOCAB.gguf] [--threads N]\n"
                 "       tessera-synth SPEC.json OUT_FOLDER --hf-tokenizer-from HF_FOLDER   (a bf16 Hugging Face checkpoint)\n");
    return 2;
}

int fail(const std::string& message) {
    std::fprintf(stderr, "tessera-synth: %s\n", message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string spec_path, out_path, type_name = "f32", tokenizer_from, hf_tokenizer;
    int threads = 0;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
        if (arg == "--type") {
            const char* v = value();
            if (!v) return usage();
            type_name = v;
        } else if (arg == "--tokenizer-from") {
            const char* v = value();
            if (!v) return usage();
            tokenizer_from = v;
        } else if (arg == "--hf-tokenizer-from") {
            const char* v = value();
            if (!v) return usage();
            hf_tokenizer = v;
        } else if (arg == "--threads") {
            const char* v = value();
            if (!v) return usage();
            threads = std::atoi(v);
        } else if (arg == "-h" || arg == "--help") {
            usage();
            return 0;
        } else if (!arg.empty() && arg[0] == '-') {
            return usage();
        } else if (spec_path.empty()) {
            spec_path = arg;
        } else if (out_path.empty()) {
            out_path = arg;
        } else {
            return usage();
        }
    }
    if (spec_path.empty() || out_path.empty()) return usage();

    std::ifstream in(spec_path);
    if (!in) return fail("cannot read '" + spec_path + "'");
    std::stringstream text;
    text << in.rdbuf();
    auto spec = spec_from_json(text.str());
    if (!spec) return fail(spec_path + ": " + spec.error().message);
    if (Status s = parse_type_name(type_name, spec->type, spec->mix); !s) return fail(s.error().message);
    spec->tokenizer_from = tokenizer_from;
    if (!hf_tokenizer.empty()) {  // a Hugging Face folder instead of a GGUF file
        if (Status s = write_synthetic_hf_checkpoint(*spec, out_path, hf_tokenizer); !s) return fail(s.error().message);
        std::printf("wrote the Hugging Face checkpoint %s (bf16)\n", out_path.c_str());
        return 0;
    }

    const auto start = std::chrono::steady_clock::now();
    SyntheticWriteOptions options;
    options.n_threads = threads;
    options.progress = [&](const SyntheticProgress& p) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::fprintf(stderr, "\r[%zu/%zu] %5.1f%% %6.0f MiB %5.1f s  %-32s %-5s", p.tensor_index + 1, p.tensor_count,
                     100.0 * static_cast<double>(p.bytes_done) / static_cast<double>(std::max<uint64_t>(1, p.bytes_total)),
                     static_cast<double>(p.bytes_done) / (1024.0 * 1024.0), seconds, p.tensor->name.c_str(),
                     std::string(tensor_type_info(p.tensor->type).name).c_str());
        std::fflush(stderr);
    };
    Status written = write_synthetic_model(*spec, out_path, options);
    std::fprintf(stderr, "\n");
    if (!written) return fail(written.error().message);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wrote %s: %zu layers, type %s, %.1f s\n", out_path.c_str(), spec->layers.size(),
                spec->mix.empty() ? std::string(tensor_type_info(spec->type).name).c_str() : spec->mix.c_str(), seconds);
    return 0;
}

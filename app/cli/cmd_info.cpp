// tessera-cli info MODEL: what the file holds and what the NAS search pruned.
#include <cstdio>

#include "commands.h"
#include "model/memory_estimate.h"
#include "model/model.h"

namespace tessera::cli {

int fail(const Error& error) {
    std::fprintf(stderr, "error: %s\n", error.message.c_str());
    return 1;
}

namespace {

std::string human_count(double n) {
    const char* units[] = {"", " K", " M", " B", " T"};
    int u = 0;
    while (n >= 1000.0 && u < 4) {
        n /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", n, units[u]);
    return buf;
}

}  // namespace

int info_command(Args& args) {
    auto pos = args.positional();
    auto model_opt = args.option({"-m", "--model"});
    if (model_opt) pos.insert(pos.begin(), *model_opt);
    if (pos.size() != 1) return fail(Error{"info needs exactly one model path: tessera-cli info MODEL"});
    if (auto s = args.check_unused(); !s) return fail(s.error());

    auto loaded = Model::load(pos[0]);
    if (!loaded) return fail(loaded.error());
    const Model& model = **loaded;
    const ModelConfig& c = model.config();

    std::printf("model:         %s\n", pos[0].c_str());
    if (!c.name.empty()) std::printf("name:          %s\n", c.name.c_str());
    std::printf("architecture:  %s\n", c.architecture.c_str());
    std::printf("parameters:    %s (%lld)\n", human_count(static_cast<double>(model.parameter_count())).c_str(),
                static_cast<long long>(model.parameter_count()));
    std::printf("file size:     %s (%llu bytes)\n", human_bytes(model.file().file_size()).c_str(),
                static_cast<unsigned long long>(model.file().file_size()));
    std::printf("tensor types:  %s\n", model.tensor_type_summary().c_str());
    std::printf("shape:         embedding %lld, %lld heads of %lld, vocab %lld, trained context %lld\n",
                static_cast<long long>(c.n_embd), static_cast<long long>(c.n_head), static_cast<long long>(c.head_dim),
                static_cast<long long>(c.n_vocab), static_cast<long long>(c.n_ctx_train));
    std::printf("rope:          base %g%s\n", static_cast<double>(c.rope_base), model.rope_freqs().empty() ? "" : ", llama3 scaling (rope_freqs)");
    std::printf("output:        %s\n", model.tied_output() ? "tied to token embeddings" : "own matrix");
    std::printf("layers:        %lld (%s)\n", static_cast<long long>(c.n_layer()), describe_layer_kinds(c.layers).c_str());
    std::printf("kv cache:      %s per 1,000 tokens of context (f16)\n",
                human_bytes(static_cast<uint64_t>(c.kv_bytes_per_token()) * 1000).c_str());
    std::printf("\nlayer map:\n  layer  attention   ffn\n");
    for (size_t i = 0; i < c.layers.size(); ++i)
        std::printf("  %5zu  %-10s  %s\n", i, describe_attention(c.layers[i]).c_str(), describe_ffn(c.layers[i]).c_str());
    return 0;
}

}  // namespace tessera::cli

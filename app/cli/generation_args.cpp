#include "generation_args.h"

#include <random>


namespace tessera::cli {

const char* const kGenerationOptionsHelp =
    "       sampling: [--temp T] [--top-k K] [--top-p P] [--min-p P] [--repeat-penalty R]\n"
    "                 [--repeat-last-n N] [--presence-penalty P] [--frequency-penalty P] [--seed S]\n"
    "                 [--stop TEXT]... (temperature 0 is greedy)\n";

Result<GenerationSettings> parse_generation_settings(Args& args, int64_t default_max_tokens) {
    GenerationSettings g;
    auto n = args.integer({"-n", "--n-predict"}, default_max_tokens, 0, int64_t{1} << 24);
    auto temp = args.number({"--temp"}, 0.0);
    auto top_k = args.integer({"--top-k"}, 0, 0, INT32_MAX);
    auto top_p = args.number({"--top-p"}, 1.0);
    auto min_p = args.number({"--min-p"}, 0.0);
    auto repeat = args.number({"--repeat-penalty"}, 1.0);
    auto last_n = args.integer({"--repeat-last-n"}, 64, 0, INT32_MAX);
    auto presence = args.number({"--presence-penalty"}, 0.0);
    auto frequency = args.number({"--frequency-penalty"}, 0.0);
    auto seed = args.integer({"--seed"}, -1, -1, INT64_MAX);
    if (!n) return n.error();
    if (!top_k) return top_k.error();
    if (!last_n) return last_n.error();
    if (!seed) return seed.error();
    for (const auto* x : {&temp, &top_p, &min_p, &repeat, &presence, &frequency})
        if (!*x) return x->error();
    g.max_tokens = *n;
    g.sampling.temperature = static_cast<float>(*temp);
    g.sampling.top_k = static_cast<int32_t>(*top_k);
    g.sampling.top_p = static_cast<float>(*top_p);
    g.sampling.min_p = static_cast<float>(*min_p);
    g.sampling.repeat_penalty = static_cast<float>(*repeat);
    g.sampling.penalty_last_n = static_cast<int32_t>(*last_n);
    g.sampling.presence_penalty = static_cast<float>(*presence);
    g.sampling.frequency_penalty = static_cast<float>(*frequency);
    g.sampling.seed = *seed >= 0 ? static_cast<uint64_t>(*seed) : std::random_device{}();
    g.stop = args.options({"--stop"});
    TESSERA_TRY(validate(g.sampling));
    return g;
}

// The CPU stays the default until a Vulkan decode is measured faster on a real GPU: the
// stage-1 shaders are the simple correct versions, and on lavapipe the CPU backend wins.
const char* const kDeviceOptionHelp =
    "       device: --device cpu|vulkan|vulkan:N (default cpu; vulkan picks the device 'tessera-cli devices'\n"
    "               marks default, N is its index or part of its name; the CPU stays the default until the\n"
    "               Vulkan kernels are measured faster on real GPUs)\n"
    "       --gpu-layers auto|N, -ngl N (Vulkan; default auto: as many layers as the GPU's memory holds,\n"
    "               best compute per byte first; the others run on the CPU)\n";

Result<BackendSpec> parse_device(Args& args) {
    auto spec = parse_backend(args.option({"--device"}).value_or("cpu"));
    auto layers = parse_gpu_layers(args.option({"--gpu-layers", "-ngl"}).value_or("auto"));
    if (!spec) return spec.error();
    if (!layers) return layers.error();
    spec->gpu_layers = *layers;
    return spec;
}

Result<Backend> make_backend(const Model& model, const BackendSpec& device, int64_t n_ctx, int threads) {
    BackendOptions options;
    options.n_ctx = std::min(n_ctx, model.config().n_ctx_train);
    options.n_threads = threads;
    return create_backend(model, device, options);
}

}  // namespace tessera::cli

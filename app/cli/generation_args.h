// Options shared by the commands that generate (run, chat): sampling, limits, stop
// strings, threads, context size and device, and loading the model with its tokenizer.
#pragma once

#include <memory>
#include <string>

#include "backend/backend_choice.h"
#include "cli_args.h"
#include "model/model.h"
#include "session/generator.h"
#include "session/loaded_model.h"
#include "tokenizer/tokenizer.h"

namespace tessera::cli {

// -n N, --temp T, --top-k K, --top-p P, --min-p P, --repeat-penalty R, --repeat-last-n N,
// --presence-penalty P, --frequency-penalty P, --seed S (default: a random seed, printed
// when sampling), --stop TEXT (repeatable).
Result<GenerationSettings> parse_generation_settings(Args& args, int64_t default_max_tokens);
extern const char* const kGenerationOptionsHelp;

// --device cpu|vulkan[:N] (run, chat, eval, serve), default cpu; with Vulkan,
// --gpu-layers auto|N (-ngl) puts N layers on the GPU and the rest on the CPU.
Result<BackendSpec> parse_device(Args& args);
extern const char* const kDeviceOptionHelp;
// The chosen backend with n_ctx tokens of KV cache, capped at the training context.
Result<Backend> make_backend(const Model& model, const BackendSpec& device, int64_t n_ctx, int threads);

}  // namespace tessera::cli

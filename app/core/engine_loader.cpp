#include "engine_loader.h"

#include <algorithm>

#include "chat/builtin_templates.h"
#include "session/loaded_model.h"

namespace tessera::app {

Result<std::unique_ptr<LoadedEngine>> load_engine(const LoadRequest& request, ProgressCallback progress) {
    const std::string path = request.path.toStdString();
    const std::string device = request.device == QLatin1String("auto") ? "cpu" : request.device.toStdString();
    auto spec = parse_backend(device);
    if (!spec) return spec.error();
    spec->gpu_layers = request.gpu_layers;
    auto loaded = std::make_unique<LoadedEngine>();
    auto files = load_model_and_tokenizer(path);
    if (!files) return files.error();
    loaded->model = std::move(files->model);
    loaded->tokenizer = std::move(files->tokenizer);
    BackendOptions options;
    options.n_ctx = std::min<int64_t>(request.context_tokens, loaded->model->config().n_ctx_train);
    options.n_threads = request.threads;
    options.load_progress = std::move(progress);
    auto backend = create_backend(*loaded->model, *spec, options);
    if (!backend) return wrap_error(path, backend.error());
    loaded->backend = std::move(*backend);
    ChatSessionOptions session_options;
    // A chat keeps going past the context: the oldest turns are left out (and reported).
    session_options.context_policy = ContextPolicy::kDropOldestTurns;
    loaded->session = std::make_unique<ChatSession>(*loaded->backend.evaluator, *loaded->tokenizer,
                                                    chat::read_model_chat_info(loaded->model->file()),
                                                    session_options);
    return loaded;
}

}  // namespace tessera::app

#include "engine_loader.h"

#include <algorithm>

#include "chat/builtin_templates.h"
#include "tokenizer/vocab_from_gguf.h"

namespace tessera::app {

Result<std::unique_ptr<LoadedEngine>> load_engine(const LoadRequest& request) {
    const std::string path = request.path.toStdString();
    auto loaded = std::make_unique<LoadedEngine>();
    auto model = Model::load(path);
    if (!model) return model.error();
    loaded->model = std::move(*model);
    auto vocab = vocab_from_gguf(loaded->model->file());
    if (!vocab) return wrap_error(path, vocab.error());
    auto tokenizer = Tokenizer::create(std::move(vocab.value()));
    if (!tokenizer) return wrap_error(path, tokenizer.error());
    loaded->tokenizer = std::move(*tokenizer);
    cpu::ForwardOptions options;
    options.n_ctx = std::min<int64_t>(request.context_tokens, loaded->model->config().n_ctx_train);
    options.n_threads = request.threads;
    auto forward = cpu::CpuForward::create(*loaded->model, options);
    if (!forward) return wrap_error(path, forward.error());
    loaded->forward = std::move(*forward);
    ChatSessionOptions session_options;
    // A chat keeps going past the context: the oldest turns are left out (and reported).
    session_options.context_policy = ContextPolicy::kDropOldestTurns;
    loaded->session = std::make_unique<ChatSession>(*loaded->forward, *loaded->tokenizer,
                                                    chat::read_model_chat_info(loaded->model->file()),
                                                    session_options);
    return loaded;
}

}  // namespace tessera::app

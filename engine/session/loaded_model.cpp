#include "session/loaded_model.h"

#include "tokenizer/vocab_from_gguf.h"

namespace tessera {

Result<LoadedModel> load_model_and_tokenizer(const std::string& path) {
    LoadedModel m;
    auto model = Model::load(path);
    if (!model) return model.error();
    m.model = std::move(*model);
    auto vocab = vocab_from_gguf(m.model->file());
    if (!vocab) return wrap_error(path, vocab.error());
    auto tokenizer = Tokenizer::create(std::move(vocab.value()));
    if (!tokenizer) return wrap_error(path, tokenizer.error());
    m.tokenizer = std::move(*tokenizer);
    return m;
}

}  // namespace tessera

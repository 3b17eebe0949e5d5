#include "engine_worker.h"

#include <QFileInfo>
#include <algorithm>

#include "backend/cpu/forward.h"
#include "chat/builtin_templates.h"
#include "logging.h"
#include "model/model.h"
#include "session/chat_session.h"
#include "tokenizer/vocab_from_gguf.h"

namespace tessera::app {

// Declared in destruction order's reverse: the session uses the forward pass and the
// tokenizer, which use the model.
struct EngineWorker::Loaded {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;
    std::unique_ptr<cpu::CpuForward> forward;
    std::unique_ptr<ChatSession> session;
};

namespace {

Result<std::unique_ptr<EngineWorker::Loaded>> load(const LoadRequest& request) {
    const std::string path = request.path.toStdString();
    auto loaded = std::make_unique<EngineWorker::Loaded>();
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

}  // namespace

EngineWorker::EngineWorker(QObject* parent) : QObject(parent) {}
EngineWorker::~EngineWorker() = default;

void EngineWorker::requestStop(quint64 id) {
    quint64 seen = stop_up_to_.load();
    while (seen < id && !stop_up_to_.compare_exchange_weak(seen, id)) {
    }
    cancel_.store(true);
}

void EngineWorker::loadModel(const LoadRequest& request) {
    loaded_.reset();  // the old model's memory is freed before the new one is mapped
    auto loaded = load(request);
    if (!loaded) {
        qCWarning(lcEngine) << "loading failed:" << loaded.error().message.c_str();
        emit modelFailed(QString::fromStdString(loaded.error().message));
        return;
    }
    loaded_ = std::move(*loaded);
    qCInfo(lcEngine) << "loaded" << request.path << "context" << loaded_->session->n_ctx();
    emit modelLoaded(QFileInfo(request.path).completeBaseName(), loaded_->session->n_ctx());
}

void EngineWorker::generate(const GenerationRequest& request) {
    if (!loaded_) {
        emit replyFailed(request.id, tr("No model is loaded."));
        return;
    }
    // A stop that arrived before this request started still applies to it.
    cancel_.store(false);
    if (stop_up_to_.load() >= request.id) cancel_.store(true);
    const quint64 id = request.id;
    auto reply = loaded_->session->reply(
        request.messages, request.settings,
        [this, id](std::string_view piece) {
            emit textPiece(id, QString::fromUtf8(piece.data(), static_cast<qsizetype>(piece.size())));
        },
        &cancel_);
    if (!reply) {
        emit replyFailed(id, QString::fromStdString(reply.error().message));
        return;
    }
    const GenerationStats& s = reply->stats;
    emit replyFinished(id, s, s.prompt_tokens + s.generated_tokens);
}

}  // namespace tessera::app

#include "engine_worker.h"

#include <QFileInfo>

#include "logging.h"

namespace tessera::app {

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
    auto loaded = load_engine(request);
    if (!loaded) {
        qCWarning(lcEngine) << "loading failed:" << loaded.error().message.c_str();
        emit modelFailed(QString::fromStdString(loaded.error().message));
        return;
    }
    loaded_ = std::move(*loaded);
    qCInfo(lcEngine) << "loaded" << request.path << "context" << loaded_->session->n_ctx();
    emit modelLoaded(QFileInfo(request.path).completeBaseName(), loaded_->session->n_ctx(),
                     QString::fromStdString(loaded_->backend.description));
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
    ChatSessionOptions options = loaded_->session->options();
    options.reasoning = request.reasoning;
    options.context_limit = request.context_limit;
    loaded_->session->set_options(options);
    if (request.forget_cache) loaded_->session->forget_cache();
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

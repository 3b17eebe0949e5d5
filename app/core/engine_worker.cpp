#include "engine_worker.h"

#include <QFileInfo>

#include "logging.h"
#include "progress_throttle.h"
#include "utf8_text.h"

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
    last_request_ = request;
    loaded_.reset();  // the old model's memory is freed before the new one is mapped
    auto loaded = load_engine(request, ProgressThrottle([this](double fraction) { emit loadProgress(fraction); },
                                                        request.progress_interval_ms));
    if (!loaded) {
        qCWarning(lcEngine) << "loading failed:" << loaded.error().message.c_str();
        emit modelFailed(QString::fromStdString(loaded.error().message));
        return;
    }
    loaded_ = std::move(*loaded);
    qCInfo(lcEngine) << "loaded" << request.path << "context" << loaded_->session->n_ctx();
    emit modelLoaded(QFileInfo(request.path).completeBaseName(), loaded_->session->n_ctx(),
                     QString::fromStdString(loaded_->backend.description),
                     static_cast<qint64>(loaded_->session->max_token_bytes()));
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
            emit textPiece(id, from_utf8(piece));
        },
        &cancel_);
    if (!reply) {
        QString error = QString::fromStdString(reply.error().message);
        const bool gpu_failed = loaded_->backend.evaluator->device_failed();
        if (gpu_failed) error += tr(" The model is loaded again on the CPU.");
        emit replyFailed(id, error);
        if (gpu_failed) reload_on_cpu();
        return;
    }
    const GenerationStats& s = reply->stats;
    emit replyFinished(id, s, s.prompt_tokens + s.generated_tokens);
}

void EngineWorker::reload_on_cpu() {
    LoadRequest request = last_request_;
    request.device = QStringLiteral("cpu");
    qCWarning(lcEngine) << "the GPU failed during a reply; loading" << request.path << "on the CPU";
    loadModel(request);
}

}  // namespace tessera::app

#include "engine_thread.h"

#include <QFileInfo>

namespace tessera::app {

EngineThread::EngineThread(QObject* parent) : QObject(parent), worker_(new EngineWorker) {
    qRegisterMetaType<tessera::GenerationStats>();
    thread_.setObjectName(QStringLiteral("engine"));
    worker_->moveToThread(&thread_);
    connect(worker_, &EngineWorker::modelLoaded, this,
            [this](const QString& name, qint64 context, const QString& device) {
        --loads_queued_;
        model_name_ = name;
        context_size_ = context;
        device_ = device;
        setState(State::Ready);
    }, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::modelFailed, this, [this](const QString& error) {
        --loads_queued_;
        model_name_.clear();
        context_size_ = 0;
        setState(State::Failed, error);
    }, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::textPiece, this, &EngineThread::textPiece, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::replyFinished, this, &EngineThread::replyFinished, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::replyFailed, this, &EngineThread::replyFailed, Qt::QueuedConnection);
    thread_.start();
}

EngineThread::~EngineThread() {
    worker_->requestStop(last_request_);  // a reply in progress ends within one token
    thread_.quit();
    thread_.wait();
    delete worker_;
}

void EngineThread::setEngineSettings(const EngineSettings& settings) {
    settings_ = settings;
    if (state_ != State::Ready && state_ != State::Loading) {
        device_ = settings.device == QLatin1String("auto") ? QStringLiteral("CPU") : settings.device;
        emit stateChanged();
    }
}

void EngineThread::load(const QString& path) {
    model_name_ = QFileInfo(path).completeBaseName();
    model_path_ = path;
    offered_model_.clear();
    setState(State::Loading);
    LoadRequest request;
    request.path = path;
    request.context_tokens = settings_.context_length;
    request.threads = settings_.threads;
    request.device = settings_.device;
    request.gpu_layers = settings_.gpu_layers;
    ++loads_queued_;
    QMetaObject::invokeMethod(worker_, [w = worker_, request] { w->loadModel(request); }, Qt::QueuedConnection);
}

void EngineThread::offer(const QString& path, const QString& reason) {
    offered_model_ = path;
    model_name_ = QFileInfo(path).completeBaseName();
    setState(State::NoModel, reason);
}

void EngineThread::generate(GenerationRequest request) {
    last_request_ = request.id;
    QMetaObject::invokeMethod(worker_, [w = worker_, r = std::move(request)] { w->generate(r); },
                              Qt::QueuedConnection);
}

void EngineThread::setState(State state, QString error) {
    state_ = state;
    error_text_ = std::move(error);
    emit stateChanged();
}

}  // namespace tessera::app

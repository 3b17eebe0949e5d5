#include "engine_thread.h"

#include <QFileInfo>
#include <cerrno>
#include <cstring>
#include <sys/resource.h>
#include <unistd.h>

#include "logging.h"

namespace tessera::app {
namespace {

// The engine yields the CPU to the window: its thread runs at a lower priority, and the CPU
// backend's pool threads, created on it at load, inherit that. When both want a core (a
// machine with few of them), the GUI thread gets it at once instead of waiting out the
// engine's time slice; an idle window leaves the engine every core.
constexpr int kEngineNice = 5;

void lower_this_threads_priority() {
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kEngineNice) != 0)
        qCWarning(lcEngine) << "could not lower the engine thread's priority:" << std::strerror(errno);
}

}  // namespace

EngineThread::EngineThread(QObject* parent)
    : QObject(parent), worker_(new EngineWorker), remote_client_(new RemoteChatClient) {
    qRegisterMetaType<tessera::GenerationStats>();
    thread_.setObjectName(QStringLiteral("engine"));
    worker_->moveToThread(&thread_);
    remote_client_->moveToThread(&thread_);
    // The network client's sockets belong to the engine thread: it is deleted there, as the
    // thread ends (a request still running is aborted by its destructor).
    connect(&thread_, &QThread::finished, remote_client_, &QObject::deleteLater);
    connect(worker_, &EngineWorker::modelLoaded, this,
            [this](const QString& name, qint64 context, const QString& device, qint64 max_token_bytes) {
        --loads_queued_;
        model_name_ = name;
        context_size_ = context;
        max_token_bytes_ = max_token_bytes;
        device_ = device;
        setState(State::Ready);
    }, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::modelFailed, this, [this](const QString& error) {
        --loads_queued_;
        model_name_.clear();
        context_size_ = 0;
        setState(State::Failed, error);
    }, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::loadProgress, this, [this](double fraction) {
        if (state_ != State::Loading) return;  // a late report of a load already ended
        load_progress_ = fraction;
        emit loadProgressChanged();
    }, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::textPiece, this, &EngineThread::textPiece, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::replyFinished, this, &EngineThread::replyFinished, Qt::QueuedConnection);
    connect(worker_, &EngineWorker::replyFailed, this, &EngineThread::replyFailed, Qt::QueuedConnection);
    connect(remote_client_, &RemoteChatClient::textPiece, this, &EngineThread::textPiece, Qt::QueuedConnection);
    connect(remote_client_, &RemoteChatClient::replyFinished, this, &EngineThread::replyFinished, Qt::QueuedConnection);
    connect(remote_client_, &RemoteChatClient::replyFailed, this, &EngineThread::replyFailed, Qt::QueuedConnection);
    connect(remote_client_, &RemoteChatClient::replyInterrupted, this, &EngineThread::replyInterrupted,
            Qt::QueuedConnection);
    thread_.start();
    QMetaObject::invokeMethod(worker_, [] { lower_this_threads_priority(); }, Qt::QueuedConnection);
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
    remote_endpoint_.reset();
    model_name_ = QFileInfo(path).completeBaseName();
    model_path_ = path;
    offered_model_.clear();
    load_progress_ = 0.0;
    emit loadProgressChanged();
    setState(State::Loading);
    LoadRequest request;
    request.path = path;
    request.context_tokens = settings_.context_length;
    request.threads = settings_.threads;
    request.device = settings_.device;
    request.gpu_layers = settings_.gpu_layers;
    request.progress_interval_ms = progress_interval_ms_;
    ++loads_queued_;
    QMetaObject::invokeMethod(worker_, [w = worker_, request] { w->loadModel(request); }, Qt::QueuedConnection);
}

void EngineThread::offer(const QString& path, const QString& reason) {
    offered_model_ = path;
    model_name_ = QFileInfo(path).completeBaseName();
    setState(State::NoModel, reason);
}

void EngineThread::useRemote(const RemoteEndpoint& endpoint) {
    remote_endpoint_ = endpoint;
    model_name_ = endpoint.model_id;
    model_path_ = remote_model_uri(endpoint.server_id, endpoint.model_id);
    offered_model_.clear();
    device_ = tr("Remote: %1").arg(endpoint.server_name);
    context_size_ = 0;  // the server's own; not known here
    setState(State::Ready);
}

void EngineThread::forgetRemote(const QString& reason) {
    remote_endpoint_.reset();
    model_name_.clear();
    model_path_.clear();
    offered_model_.clear();
    device_ = settings_.device == QLatin1String("auto") ? QStringLiteral("CPU") : settings_.device;
    setState(State::NoModel, reason);
}

void EngineThread::stop(quint64 id) {
    worker_->requestStop(id);
    QMetaObject::invokeMethod(remote_client_, [c = remote_client_, id] { c->stop(id); }, Qt::QueuedConnection);
}

void EngineThread::generate(GenerationRequest request) {
    last_request_ = request.id;
    if (remote_endpoint_) {
        RemoteRequest remote{request.id, *remote_endpoint_, std::move(request.messages), request.settings};
        QMetaObject::invokeMethod(remote_client_, [c = remote_client_, r = std::move(remote)] { c->generate(r); },
                                  Qt::QueuedConnection);
        return;
    }
    QMetaObject::invokeMethod(worker_, [w = worker_, r = std::move(request)] { w->generate(r); },
                              Qt::QueuedConnection);
}

void EngineThread::setState(State state, QString error) {
    state_ = state;
    error_text_ = std::move(error);
    emit stateChanged();
}

}  // namespace tessera::app

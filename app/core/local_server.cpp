#include "local_server.h"

#include "logging.h"
#include "server.h"

namespace tessera::app {

LocalServer::LocalServer(AppSettings& settings, EngineThread& engine, QObject* parent)
    : QObject(parent), settings_(settings), engine_(engine) {
    connect(&settings_, &AppSettings::serverEnabledChanged, this, [this] {
        error_text_.clear();
        update();
    });
    connect(&settings_, &AppSettings::serverPortChanged, this, [this] {
        stop();  // listens again on the new port
        update();
    });
    connect(&settings_, &AppSettings::serverTokenChanged, this, [this] {
        if (api_) api_->set_token(settings_.serverToken().toStdString());
    });
    // Loading frees the model the server uses: it stops first (Loading is set before the
    // worker is asked to load), and starts again once the new model is ready.
    connect(&engine_, &EngineThread::stateChanged, this, &LocalServer::update);
    update();
}

LocalServer::~LocalServer() { stop(); }

QString LocalServer::url() const {
    return running() ? QStringLiteral("http://127.0.0.1:%1/v1").arg(port_) : QString();
}

QString LocalServer::statusText() const {
    if (running()) return tr("Listening on %1.").arg(addresses_.join(tr(" and ")));
    if (!settings_.serverEnabled()) return tr("Off.");
    if (!error_text_.isEmpty()) return tr("Not running.");
    return tr("On: it starts when a model is loaded.");
}

void LocalServer::update() {
    const bool wanted = settings_.serverEnabled() && engine_.loadedEngine() != nullptr;
    if (!wanted) {
        stop();
    } else if (!running() && error_text_.isEmpty()) {
        start();
    }
}

void LocalServer::start() {
    LoadedEngine* loaded = engine_.loadedEngine();
    server::ServerOptions options;
    options.port = settings_.serverPort();
    options.model_id = engine_.modelName().toStdString();
    options.security.token = settings_.serverToken().toStdString();
    options.slot = engine_.evaluatorSlot();
    wrapped_ = wrapper_ ? wrapper_(*loaded->backend.evaluator, *loaded->tokenizer) : nullptr;
    Evaluator& evaluator = wrapped_ ? *wrapped_ : *loaded->backend.evaluator;
    auto api = std::make_unique<server::ApiServer>(evaluator, *loaded->tokenizer,
                                                   chat::read_model_chat_info(loaded->model->file()), options);
    auto bound = api->bind();
    if (!bound) {
        error_text_ = tr("The local server could not start: %1. Choose another port, or 0 for any free port.")
                          .arg(QString::fromStdString(bound.error().message));
        qCWarning(lcServer) << "local server:" << bound.error().message.c_str();
        api.reset();
        wrapped_.reset();
        emit stateChanged();
        return;
    }
    port_ = *bound;
    addresses_.clear();
    for (const std::string& host : api->listening_hosts()) {
        const QString shown = QString::fromStdString(host);
        addresses_ << (shown.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
                          .arg(shown)
                          .arg(port_);
    }
    api_ = std::move(api);
    thread_ = std::thread([api = api_.get()] { api->run(); });
    qCInfo(lcServer) << "local server listening on" << addresses_;
    emit stateChanged();
}

void LocalServer::stop() {
    const bool had_error = !error_text_.isEmpty();
    error_text_.clear();
    if (!api_) {
        if (had_error) emit stateChanged();
        return;
    }
    api_->stop();  // cancels a generation in progress and closes every connection
    thread_.join();
    api_.reset();  // the listening sockets close here: the port is free
    wrapped_.reset();
    port_ = 0;
    addresses_.clear();
    qCInfo(lcServer) << "local server stopped";
    emit stateChanged();
}

}  // namespace tessera::app

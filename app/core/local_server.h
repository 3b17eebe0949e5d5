// The local OpenAI-compatible API server inside the app (off until the settings page turns
// it on): the model the app has loaded, served on 127.0.0.1 and ::1 with the settings' port
// and token (app/server's ApiServer on a thread of its own).
//   1. It runs only while it is on and a model is Ready. A load stops it first (the engine
//      is Loading before its worker frees the old model); Ready starts it again.
//   2. Chat and server share the model through the engine's evaluator slot: one generation
//      at a time (a request while the chat writes gets 429, the chat refuses to start while
//      a request runs), and each forgets its cached prefix after the other ran.
//   3. Stopping cuts off a client mid-stream and closes the listening sockets before it
//      returns, so the port is free: turned off, a new port, a reload, the app quitting.
//   4. A regenerated token applies to the running server at once.
//   5. A start that failed (port in use) keeps its reason in errorText and is tried again
//      only when the settings or the model change.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>
#include <functional>
#include <memory>
#include <thread>

#include "app_settings.h"
#include "engine_thread.h"

namespace tessera::server {
class ApiServer;
}

namespace tessera::app {

class LocalServer : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(bool running READ running NOTIFY stateChanged)
    Q_PROPERTY(int port READ port NOTIFY stateChanged)  // the port listened on; 0 when not running
    // "127.0.0.1:8080", "[::1]:8080": where it listens (empty when not running).
    Q_PROPERTY(QStringList addresses READ addresses NOTIFY stateChanged)
    // The base URL clients use ("http://127.0.0.1:8080/v1"); empty when not running.
    Q_PROPERTY(QString url READ url NOTIFY stateChanged)
    // One line for the settings page: off, waiting for a model, or where it listens.
    Q_PROPERTY(QString statusText READ statusText NOTIFY stateChanged)
    // Why it could not start (the port is in use, ...), with what to do; empty otherwise.
    Q_PROPERTY(QString errorText READ errorText NOTIFY stateChanged)

public:
    LocalServer(AppSettings& settings, EngineThread& engine, QObject* parent = nullptr);
    ~LocalServer() override;

    bool running() const { return api_ != nullptr; }
    int port() const { return port_; }
    QStringList addresses() const { return addresses_; }
    QString url() const;
    QString statusText() const;
    QString errorText() const { return error_text_; }

    // For tests: the server's generations run through what this makes of the loaded model's
    // evaluator (one that can hold them at a gate); the chat keeps using it directly. Takes
    // effect at the next start.
    using EvaluatorWrapper = std::function<std::unique_ptr<Evaluator>(Evaluator& loaded, const Tokenizer& tokenizer)>;
    void setEvaluatorWrapper(EvaluatorWrapper wrapper) { wrapper_ = std::move(wrapper); }

signals:
    void stateChanged();

private:
    // Starts or stops it to match the settings and the engine.
    void update();
    void start();
    void stop();

    AppSettings& settings_;
    EngineThread& engine_;
    EvaluatorWrapper wrapper_;
    std::unique_ptr<Evaluator> wrapped_;      // what wrapper_ made; outlives api_
    std::unique_ptr<server::ApiServer> api_;  // null: not running
    std::thread thread_;                      // runs api_
    int port_ = 0;
    QStringList addresses_;
    QString error_text_;
};

}  // namespace tessera::app

// The engine as the GUI thread sees it: a QThread hosting the EngineWorker, the loaded
// model's name, device and context size, and the load state. Every call returns at once;
// requests reach the worker queued and results come back as queued signals. The model is
// either a local file (the EngineWorker runs it) or a model of a remote server (the
// RemoteChatClient, on the same thread, asks the server); both answer with the same signals.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>
#include <QtQml/qqmlregistration.h>
#include <memory>

#include "app_settings.h"
#include "engine_worker.h"
#include "evaluator_slot.h"
#include "remote_chat_client.h"

namespace tessera::app {

class EngineThread : public QObject {
    Q_OBJECT
    QML_NAMED_ELEMENT(Engine)
    QML_UNCREATABLE("The engine is created by the application")
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString modelName READ modelName NOTIFY stateChanged)
    Q_PROPERTY(QString modelPath READ modelPath NOTIFY stateChanged)
    // A model not loaded automatically (the last run stopped while loading it); empty when none.
    Q_PROPERTY(QString offeredModel READ offeredModel NOTIFY stateChanged)
    // What runs the loaded model ("CPU, 4 threads, avx2 kernels", "Vulkan: ..."); the
    // chosen device before the first load.
    Q_PROPERTY(QString device READ device NOTIFY stateChanged)
    Q_PROPERTY(qint64 contextSize READ contextSize NOTIFY stateChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY stateChanged)
    // While loading: the share of the weights read or uploaded so far (0..1).
    Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
    // The model is served by a remote server (modelPath is then "remote:<server>/<model>").
    Q_PROPERTY(bool remote READ remote NOTIFY stateChanged)

public:
    enum class State { NoModel, Loading, Ready, Failed };
    Q_ENUM(State)

    explicit EngineThread(QObject* parent = nullptr);
    ~EngineThread() override;  // stops a running reply, then joins the thread

    State state() const { return state_; }
    QString modelName() const { return model_name_; }
    QString modelPath() const { return model_path_; }
    QString offeredModel() const { return offered_model_; }
    QString device() const { return device_; }
    qint64 contextSize() const { return context_size_; }
    // Bytes of text that a context of `tokens` can hold at most (0: not known, as for a remote
    // model): a longer message cannot fit whatever it says.
    qint64 textCapacity(qint64 tokens) const { return remote() ? 0 : tokens * max_token_bytes_; }
    QString errorText() const { return error_text_; }
    double loadProgress() const { return load_progress_; }
    bool remote() const { return remote_endpoint_.has_value(); }

    // Device, threads, offload and context for the next load (the settings page's).
    void setEngineSettings(const EngineSettings& settings);
    // How often load progress may be reported (33 ms: about 30 times a second; 0: every step).
    void setLoadProgressInterval(int ms) { progress_interval_ms_ = ms; }
    Q_INVOKABLE void load(const QString& path);
    // Replies come from this remote model from now on (ready at once: the server is asked
    // when a reply is wanted). A later load() goes back to local files.
    void useRemote(const RemoteEndpoint& endpoint);
    // The remote model's server was removed: no model, with the reason shown.
    void forgetRemote(const QString& reason);
    const std::optional<RemoteEndpoint>& remoteEndpoint() const { return remote_endpoint_; }
    // Shows `path` as loadable, with the reason it was not loaded, without loading it.
    void offer(const QString& path, const QString& reason);
    Q_INVOKABLE void loadOffered() { load(QString(offered_model_)); }  // a copy: load() clears it
    void generate(GenerationRequest request);
    void stop(quint64 id);
    // For tests that act on the engine's own thread (a stop right after the first piece).
    EngineWorker* worker() const { return worker_; }
    // The id of the newest generation request (tests put text into its stream).
    quint64 lastRequestId() const { return last_request_; }
    // Who runs the loaded model now: the chat or the local server, one at a time.
    const std::shared_ptr<server::EvaluatorSlot>& evaluatorSlot() const { return slot_; }
    // The loaded model for the local server while the state is Ready and no other load is
    // queued (the worker frees the model at the next load); null otherwise.
    LoadedEngine* loadedEngine() const {
        return state_ == State::Ready && loads_queued_ == 0 ? worker_->loaded() : nullptr;
    }

signals:
    void stateChanged();
    void loadProgressChanged();
    void textPiece(quint64 id, const QString& piece);
    void replyFinished(quint64 id, const tessera::GenerationStats& stats, qint64 contextUsed);
    void replyFailed(quint64 id, const QString& error);
    // A remote reply cut off after it began (connection lost, server silent): its text stays.
    void replyInterrupted(quint64 id, const tessera::GenerationStats& stats, const QString& reason);

private:
    void setState(State state, QString error = {});

    QThread thread_;
    EngineWorker* worker_;  // lives on thread_; deleted after the thread ends
    std::shared_ptr<server::EvaluatorSlot> slot_ = std::make_shared<server::EvaluatorSlot>();
    RemoteChatClient* remote_client_;  // likewise
    std::optional<RemoteEndpoint> remote_endpoint_;  // set while a remote model is in use
    State state_ = State::NoModel;
    QString model_name_;
    QString model_path_;
    QString offered_model_;
    QString error_text_;
    QString device_ = QStringLiteral("CPU");
    EngineSettings settings_;
    qint64 context_size_ = 0;
    qint64 max_token_bytes_ = 0;
    double load_progress_ = 0.0;
    int progress_interval_ms_ = 33;
    quint64 last_request_ = 0;
    int loads_queued_ = 0;  // loads the worker has not answered yet
};

}  // namespace tessera::app

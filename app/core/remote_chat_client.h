// A remote OpenAI-compatible server as a peer of the local engine: it lives on the engine's
// thread and answers a generation with the same signals as EngineWorker (textPiece,
// replyFinished, replyFailed), plus replyInterrupted when a reply that had begun could not
// end (the connection lost, the server silent too long): its text is kept.
//
// One request at a time: POST {base}/v1/chat/completions with stream:true and
// stream_options.include_usage, the conversation's sampling options, and the key from the
// secret store (read here, off the GUI thread). The events are parsed as they arrive.
//   1. Time limits: no byte within first_byte_timeout_ms of sending, or a silence longer
//      than idle_timeout_ms between bytes, ends the request; a slow server that keeps
//      sending is never cut off.
//   2. Exactly one of replyFinished / replyFailed / replyInterrupted ends each request.
//   3. stop(id) aborts the request; what arrived is kept (replyFinished, cancelled).
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <memory>
#include <optional>
#include <vector>

#include "chat/chat_template.h"
#include "remote_endpoint.h"
#include "session/generator.h"
#include "sse_parser.h"

#include <QNetworkReply>

class QNetworkAccessManager;

namespace tessera::app {

struct RemoteRequest {
    quint64 id = 0;
    RemoteEndpoint endpoint;
    std::vector<chat::ChatMessage> messages;
    GenerationSettings settings;
};

// The JSON body of a streaming chat completion for this request.
QByteArray chat_completion_body(const RemoteRequest& request);

class RemoteChatClient : public QObject {
    Q_OBJECT
public:
    explicit RemoteChatClient(QObject* parent = nullptr);
    ~RemoteChatClient() override;

    // This object's thread only (EngineThread queues them).
    void generate(const RemoteRequest& request);
    void stop(quint64 id);  // the request with this id, or an older one

signals:
    void textPiece(quint64 id, const QString& piece);
    void replyFinished(quint64 id, const tessera::GenerationStats& stats, qint64 contextUsed);
    void replyFailed(quint64 id, const QString& error);
    void replyInterrupted(quint64 id, const tessera::GenerationStats& stats, const QString& reason);

private:
    struct Active;
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void handleEvent(const QByteArray& data);
    void abortWith(QString reason);
    void endWithProblem(const QString& problem);
    GenerationStats stats() const;

    QNetworkAccessManager* network_ = nullptr;  // made on first use, on this thread
    std::unique_ptr<Active> active_;
    QTimer timer_;  // first byte, then idle
    quint64 stop_up_to_ = 0;
};

}  // namespace tessera::app

// The engine on its own thread: owns the model, its tokenizer, the backend's forward pass and
// the chat session. It is reached only through queued calls (EngineThread makes them) and
// answers with queued signals carrying only the new piece of text, so the GUI thread never
// waits on inference. Cancellation is an atomic flag the generation loop reads every token.
#pragma once

#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include "chat/chat_template.h"
#include "engine_loader.h"
#include "session/generator.h"

namespace tessera::app {

struct GenerationRequest {
    quint64 id = 0;
    std::vector<chat::ChatMessage> messages;  // the conversation, ending with the user's message
    GenerationSettings settings;
    std::optional<bool> reasoning;  // the conversation's reasoning switch; absent: as the prompt says
    int64_t context_limit = 0;      // the conversation's context length; 0: the loaded context
    // The local server ran the evaluator since the last reply: the cached prefix is not trusted.
    bool forget_cache = false;
};

class EngineWorker : public QObject {
    Q_OBJECT
public:
    explicit EngineWorker(QObject* parent = nullptr);
    ~EngineWorker() override;

    // Any thread: the generation with this id (or an older one) stops within one token.
    void requestStop(quint64 id);

    // Worker thread only (EngineThread queues them).
    void loadModel(const LoadRequest& request);
    void generate(const GenerationRequest& request);
    // The loaded model, tokenizer and evaluator; null while none is. Read it from another
    // thread only while no load is queued (EngineThread's state is Ready).
    LoadedEngine* loaded() const { return loaded_.get(); }

signals:
    // device: what runs it ("CPU, 4 threads, avx2 kernels", "Vulkan: llvmpipe ...").
    // maxTokenBytes: the longest token as text, so that a message too long for any context is
    // known before it is stored or tokenized (U1).
    void modelLoaded(const QString& name, qint64 contextTokens, const QString& device, qint64 maxTokenBytes);
    void modelFailed(const QString& error);
    // While a model loads: the share of its weights read or uploaded (0..1, rising, 1 last),
    // at most about 30 times a second.
    void loadProgress(double fraction);
    void textPiece(quint64 id, const QString& piece);
    // The reply ended (finish reason in the stats: cancelled when stopped).
    void replyFinished(quint64 id, const tessera::GenerationStats& stats, qint64 contextUsed);
    void replyFailed(quint64 id, const QString& error);

private:
    // The GPU failed under a reply (lost, out of its memory): the same model is loaded
    // again on the CPU, which does not share the fault; modelLoaded or modelFailed follows.
    void reload_on_cpu();

    std::unique_ptr<LoadedEngine> loaded_;
    LoadRequest last_request_;
    std::atomic<bool> cancel_{false};
    std::atomic<quint64> stop_up_to_{0};
};

}  // namespace tessera::app

Q_DECLARE_METATYPE(tessera::GenerationStats)

// What QML calls to chat: send, stop, regenerate, edit, switch between siblings, open and
// start conversations. The controller is the only writer of the shown conversation:
//   1. The user's message is committed to the history before generation starts.
//   2. The reply is a streaming row, written in batches as text arrives (storage/streaming.h)
//      and finished with its stats; a stopped reply keeps its text and is marked interrupted.
//   3. At most one reply is generated at a time; send/regenerate/edit are refused meanwhile,
//      and while the local server answers a request (they share the model's evaluator).
//   4. Every call returns at once: the engine works on its thread; errors become errorText.
//   5. Streamed text reaches the message list at most once per frame (16 ms), and all of it
//      before the reply's final state is shown.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QtQml/qqmlregistration.h>
#include <list>
#include <optional>

#include "app_settings.h"
#include "app_storage.h"
#include "conversation_list_model.h"
#include "conversation_options.h"
#include "data_actions.h"
#include "device_list_model.h"
#include "downloads.h"
#include "engine_thread.h"
#include "local_server.h"
#include "message_list_model.h"
#include "model_catalog_model.h"
#include "model_library.h"
#include "remote_servers.h"
#include "storage/streaming.h"

namespace tessera::app {

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(tessera::app::EngineThread* engine READ engine CONSTANT)
    Q_PROPERTY(tessera::app::MessageListModel* messages READ messages CONSTANT)
    Q_PROPERTY(tessera::app::ConversationListModel* conversations READ conversations CONSTANT)
    Q_PROPERTY(tessera::app::ModelCatalogModel* models READ models CONSTANT)
    // Import and delete of model files (the models page); the models folder is DATA_DIR/models.
    Q_PROPERTY(tessera::app::ModelLibrary* library READ library CONSTANT)
    // The settings page: the app's settings, the Vulkan devices, backup and export.
    Q_PROPERTY(tessera::app::AppSettings* settings READ settings CONSTANT)
    Q_PROPERTY(tessera::app::DeviceListModel* devices READ devices CONSTANT)
    Q_PROPERTY(tessera::app::DataActions* dataActions READ dataActions CONSTANT)
    // Model downloads into the same folder (the models page's Downloads section).
    Q_PROPERTY(tessera::app::Downloads* downloads READ downloads CONSTANT)
    // The local OpenAI-compatible server on the loaded model (the settings page turns it on).
    Q_PROPERTY(tessera::app::LocalServer* localServer READ localServer CONSTANT)
    // Remote OpenAI-compatible servers (the models page's Servers section); their models
    // are in `models` too, for the picker.
    Q_PROPERTY(tessera::app::RemoteServers* remoteServers READ remoteServers CONSTANT)
    Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationChanged)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(double tokensPerSecond READ tokensPerSecond NOTIFY statsChanged)
    Q_PROPERTY(qint64 contextUsed READ contextUsed NOTIFY statsChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    // The shown conversation's system prompt (PRODUCT.md 8: per conversation, not per model);
    // set before the first message, it is stored with the conversation when that is created.
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY systemPromptChanged)
    // The shown conversation's own sampling, reasoning and context length (conversation_options.h
    // lists the keys); like the system prompt, kept for a new chat until its first message.
    Q_PROPERTY(QVariantMap conversationOptions READ conversationOptions NOTIFY conversationOptionsChanged)

public:
    ChatController(AppStorage& storage, EngineThread& engine, QObject* parent = nullptr);
    ~ChatController() override;  // a reply still streaming is saved as interrupted

    EngineThread* engine() const { return &engine_; }
    MessageListModel* messages() { return &messages_; }
    ConversationListModel* conversations() { return &conversations_; }
    ModelCatalogModel* models() { return &models_; }
    ModelLibrary* library() { return &library_; }
    AppSettings* settings() { return &app_settings_; }
    DeviceListModel* devices() { return &devices_; }
    DataActions* dataActions() { return &data_actions_; }
    Downloads* downloads() { return &downloads_; }
    LocalServer* localServer() { return &local_server_; }
    RemoteServers* remoteServers() { return &remote_servers_; }
    qint64 conversationId() const { return conversation_id_; }
    bool generating() const { return reply_.has_value(); }
    double tokensPerSecond() const { return tokens_per_second_; }
    qint64 contextUsed() const { return context_used_; }
    QString errorText() const { return error_text_; }
    QString systemPrompt() const { return system_prompt_; }
    void setSystemPrompt(const QString& prompt);
    QVariantMap conversationOptions() const { return options_to_map(options_); }
    // Replaces the conversation's options; a value out of range is refused (errorText names
    // it) and nothing changes.
    Q_INVOKABLE bool setConversationOptions(const QVariantMap& options);
    // Why these options would be refused ("" when they are fine), for a form to show as typed.
    Q_INVOKABLE QString optionsProblem(const QVariantMap& options) const;
    // The values a conversation gets for what it leaves unset (shown as placeholders).
    Q_INVOKABLE QVariantMap defaultOptions() const;

    // Sampling and limits for the next replies. With random_seed, each reply draws a new
    // seed (a regenerated reply differs); otherwise settings.sampling.seed is used as is.
    void setGenerationSettings(const GenerationSettings& settings, bool random_seed);

    Q_INVOKABLE void newChat();
    Q_INVOKABLE void openConversation(qint64 id);
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    Q_INVOKABLE bool regenerate(qint64 assistantMessageId);
    Q_INVOKABLE bool editMessage(qint64 messageId, const QString& text);
    Q_INVOKABLE void switchSibling(qint64 messageId, int delta);
    // A long conversation opens on its newest page (kMessagePageSize messages); this puts
    // the page above the first shown message in front of it (the chat view calls it when
    // scrolled to the top). False when there is nothing older or it could not be read.
    Q_INVOKABLE bool loadOlderMessages();
    // A new conversation holding a copy of the branch `id` shows (its settings too), opened;
    // the original is untouched. False with errorText when there is nothing to copy.
    Q_INVOKABLE bool forkConversation(qint64 id);
    Q_INVOKABLE void clearError();
    // Loads the model again with the current engine settings (device, threads, offload,
    // context); the history is untouched. Refused (false, errorText) while a reply streams.
    Q_INVOKABLE bool reloadModel();
    // Loads the model at `path` from the picker: a file, or a remote model
    // ("remote:<server id>/<model id>", ModelCatalogModel). False with errorText when the
    // remote server is gone.
    Q_INVOKABLE bool loadModel(const QString& path);
    // The answer of the last reply shown (Ctrl+Shift+C copies it); empty when there is none.
    Q_INVOKABLE QString lastReplyText() const;

signals:
    void conversationChanged();
    void generatingChanged();
    void statsChanged();
    void errorTextChanged();
    void systemPromptChanged();
    void conversationOptionsChanged();
    // The reply was stored in its final state (complete, interrupted or error).
    void replyStored(qint64 messageId);

private:
    struct Reply {
        quint64 request_id;
        std::int64_t conversation_id;
        storage::StreamingReply row;
        int pieces = 0;
        QElapsedTimer since_first_piece;
        QString unshown;  // text not yet in the message list (shown once per frame)
        bool told_unsaved = false;  // the "not saved yet" message was shown for this reply
        bool holds_slot = false;    // the engine's evaluator slot, given back when it ends
    };

    bool canStartReply();
    // False, with errorText, for a message longer than the loaded context can ever hold.
    bool fitsTheContext(const QString& text);
    static QString serverBusyMessage();
    bool startReply(storage::StreamingReply row);
    // Shows the current path again; with keep_older, from the first shown message's place
    // on (the older pages the user loaded stay), otherwise from the newest page.
    bool reloadMessages(bool keep_older = true);
    void loadConversationSettings();
    void onTextPiece(quint64 id, const QString& piece);
    void onReplyFinished(quint64 id, const GenerationStats& stats, qint64 context_used);
    void onReplyFailed(quint64 id, const QString& error);
    // A remote reply cut off after it began: kept as interrupted, with the reason shown.
    void onReplyInterrupted(quint64 id, const GenerationStats& stats, const QString& reason);
    void finishReply(const GenerationStats& stats, qint64 context_used, bool interrupted);
    // The remote model in use follows its server's edits, and is let go when it is removed.
    void followRemoteServer();
    void showPendingText();
    void endReply();
    // S4: a finished reply whose final write failed with a passing error (disk full, busy)
    // is kept here, shown as it is, and saved by the retry timer once the write succeeds.
    bool keepUnsaved(const storage::DbStatus& saved);
    void retryUnsaved();
    void tellUnsaved(const storage::DbError& error);
    bool check(const storage::DbStatus& status, const QString& what);
    void setError(const QString& text);
    std::optional<std::string> modelName() const;

    AppStorage& storage_;
    EngineThread& engine_;
    MessageListModel messages_;
    ConversationListModel conversations_;
    ModelCatalogModel models_;
    ModelLibrary library_;
    AppSettings app_settings_;
    DeviceListModel devices_;
    DataActions data_actions_;
    Downloads downloads_;
    LocalServer local_server_;  // after the settings it reads; stopped before they go
    RemoteServers remote_servers_;
    GenerationSettings settings_;
    bool random_seed_ = true;
    qint64 conversation_id_ = 0;  // 0: a new chat not stored yet
    std::optional<Reply> reply_;
    QTimer show_timer_;
    std::list<storage::StreamingReply> unsaved_;  // a list: StreamingReply cannot be assigned
    QTimer save_retry_timer_;
    QString unsaved_message_;  // the error text shown for them, cleared once all are saved  // a fast model writes hundreds of pieces a second; the view needs one per frame
    quint64 next_request_ = 1;
    double tokens_per_second_ = 0.0;
    qint64 context_used_ = 0;
    QString error_text_;
    QString system_prompt_;  // of the shown conversation, or for the one the next send creates
    ConversationOptions options_;  // likewise
};

}  // namespace tessera::app

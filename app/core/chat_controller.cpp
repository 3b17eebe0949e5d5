#include "chat_controller.h"

#include <random>

#include "logging.h"
#include "utf8_text.h"

namespace tessera::app {
namespace {

constexpr qsizetype kTitleLength = 60;

QString title_for(const QString& first_message) {
    // Only the start is read: a pasted 50 MB message must not cost the GUI thread a pass over it (U1).
    QString line = first_message.left(kTitleLength * 16).trimmed().section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > kTitleLength) line = line.left(kTitleLength - 1) + QChar(0x2026);
    return line.isEmpty() ? ChatController::tr("New chat") : line;
}

GenerationSettings default_settings() {
    GenerationSettings s;
    s.max_tokens = 512;
    s.sampling.temperature = 0.8f;
    s.sampling.top_k = 40;
    s.sampling.top_p = 0.95f;
    s.sampling.min_p = 0.05f;
    s.sampling.repeat_penalty = 1.1f;
    return s;
}

storage::MessageStats to_message_stats(const GenerationStats& s) {
    storage::MessageStats m;
    m.prompt_tokens = s.prompt_tokens;
    m.completion_tokens = s.generated_tokens;
    if (s.generated_tokens > 0) {
        m.time_to_first_token_ms = s.time_to_first_token_seconds * 1000.0;
        m.tokens_per_second = s.decode_tokens_per_second();
    }
    return m;
}

}  // namespace

ChatController::ChatController(AppStorage& storage, EngineThread& engine, QObject* parent)
    : QObject(parent),
      storage_(storage),
      engine_(engine),
      messages_(this),
      conversations_(storage.conversations(), this),
      models_(storage.db(), storage::system_clock_ms, this),
      library_(storage.db(), QString::fromStdString((storage.data_dir() / "models").string()), models_, this),
      app_settings_(storage.db(), QString::fromStdString(storage.data_dir().string()), this),
      devices_(this),
      data_actions_(QString::fromStdString(storage.data_dir().string()), this),
      downloads_(QString::fromStdString(storage.db().path().string()), library_.modelsFolder(), {},
                 storage.report().read_only ? QString::fromStdString(storage.report().read_only_reason) : QString(), this),
      local_server_(app_settings_, engine_, this),
      remote_servers_(storage.db(), storage.data_dir(), this),
      settings_(default_settings()) {
    engine_.setEngineSettings(app_settings_.engineSettings());
    connect(&app_settings_, &AppSettings::engineSettingsChanged, this,
            [this] { engine_.setEngineSettings(app_settings_.engineSettings()); });
    show_timer_.setSingleShot(true);
    show_timer_.setInterval(16);
    connect(&show_timer_, &QTimer::timeout, this, &ChatController::showPendingText);
    save_retry_timer_.setInterval(1000);  // each reply keeps its own backoff; this only polls
    connect(&save_retry_timer_, &QTimer::timeout, this, &ChatController::retryUnsaved);
    connect(&engine_, &EngineThread::textPiece, this, &ChatController::onTextPiece);
    connect(&engine_, &EngineThread::replyFinished, this, &ChatController::onReplyFinished);
    connect(&engine_, &EngineThread::replyFailed, this, &ChatController::onReplyFailed);
    connect(&engine_, &EngineThread::replyInterrupted, this, &ChatController::onReplyInterrupted);
    connect(&remote_servers_, &RemoteServers::serversChanged, &models_, &ModelCatalogModel::refresh);
    connect(&remote_servers_, &RemoteServers::serversChanged, this, &ChatController::followRemoteServer);
    connect(&conversations_, &ConversationListModel::errorOccurred, this, &ChatController::setError);
    connect(&models_, &ModelCatalogModel::errorOccurred, this, &ChatController::setError);
    connect(&downloads_, &Downloads::modelRegistered, &models_, &ModelCatalogModel::refresh);
    connect(&conversations_, &ConversationListModel::removed, this, [this](qint64 id) {
        if (id == conversation_id_) newChat();
    });
}

ChatController::~ChatController() {
    if (!reply_) return;
    engine_.stop(reply_->request_id);
    // The engine's last pieces will not arrive; what did is kept.
    if (auto s = reply_->row.stop({}); !s)
        qCWarning(lcChat) << "saving the stopped reply:" << s.error().message.c_str();
}

bool ChatController::reloadModel() {
    if (reply_) {
        setError(tr("Stop the reply first: the model cannot be reloaded while it writes."));
        return false;
    }
    if (engine_.modelPath().isEmpty()) {
        setError(tr("No model to reload: choose one in the header."));
        return false;
    }
    return loadModel(engine_.modelPath());
}

bool ChatController::loadModel(const QString& path) {
    const auto remote = parse_remote_model_uri(path);
    if (!remote) {
        engine_.load(path);
        return true;
    }
    auto endpoint = remote_servers_.endpoint(remote->server_id, remote->model_id);
    if (!endpoint) {
        setError(remote_servers_.errorText());
        return false;
    }
    engine_.useRemote(*endpoint);
    return true;
}

void ChatController::followRemoteServer() {
    const auto& current = engine_.remoteEndpoint();
    if (!current) return;
    const auto server = remote_servers_.server(current->server_id);
    if (!server) {
        engine_.forgetRemote(tr("The server of %1 was removed: choose another model.").arg(current->model_id));
        return;
    }
    // An edited server (address, key, time limits) applies from the next reply on.
    if (auto endpoint = remote_servers_.endpoint(current->server_id, current->model_id)) engine_.useRemote(*endpoint);
}

void ChatController::setGenerationSettings(const GenerationSettings& settings, bool random_seed) {
    settings_ = settings;
    random_seed_ = random_seed;
}

void ChatController::newChat() {
    if (reply_) stop();
    conversation_id_ = 0;
    messages_.clear();
    if (!system_prompt_.isEmpty()) {
        system_prompt_.clear();
        emit systemPromptChanged();
    }
    if (options_ != ConversationOptions{}) {
        options_ = {};
        emit conversationOptionsChanged();
    }
    context_used_ = 0;
    emit statsChanged();
    emit conversationChanged();
}

void ChatController::openConversation(qint64 id) {
    if (id == conversation_id_) return;
    if (reply_) stop();
    conversation_id_ = id;
    reloadMessages(false);
    loadConversationSettings();
    emit conversationChanged();
}

bool ChatController::send(const QString& text) {
    if (text.trimmed().isEmpty() || !canStartReply() || !fitsTheContext(text)) return false;
    std::optional<std::int64_t> parent;
    if (conversation_id_ == 0) {
        storage::ConversationSettings settings;
        settings.title = to_utf8(title_for(text));
        if (!system_prompt_.trimmed().isEmpty()) settings.system_prompt = to_utf8(system_prompt_);
        store_options(options_, settings);
        auto created = storage_.conversations().create_conversation(settings);
        if (!check(status_of(created), tr("starting a conversation"))) return false;
        conversation_id_ = *created;
        emit conversationChanged();
    } else {
        auto c = storage_.conversations().conversation(conversation_id_);
        if (!check(status_of(c), tr("reading the conversation"))) return false;
        parent = c->current_leaf_id;
    }
    // The user's message is committed here, before any inference (invariant 1).
    auto turn = storage::begin_turn(storage_.conversations(), conversation_id_, parent, to_utf8(text),
                                    modelName());
    if (!check(status_of(turn), tr("saving your message"))) return false;
    return startReply(std::move(turn->reply));
}

bool ChatController::fitsTheContext(const QString& text) {
    // U1: a 50 MB paste would cost the GUI thread seconds to store, only for the engine to
    // refuse it. UTF-8 has at least one byte per UTF-16 unit, so text.size() is a lower bound
    // of its bytes: over the capacity, it cannot fit. It is refused here, unstored, and stays
    // in the composer to be shortened.
    const qint64 context = options_.context_length ? std::min<qint64>(*options_.context_length, engine_.contextSize())
                                                   : engine_.contextSize();
    const qint64 capacity = engine_.textCapacity(context);
    if (capacity <= 0 || text.size() <= capacity) return true;
    setError(tr("This message is too long for the context: %1 characters, and a context of %2 tokens holds at most "
                "%3 characters of text. Shorten it, or raise the context length in the conversation's settings.")
                 .arg(text.size())
                 .arg(context)
                 .arg(capacity));
    return false;
}

bool ChatController::forkConversation(qint64 id) {
    if (reply_) {  // the fork would copy a reply still being written
        setError(tr("Wait for the reply to finish, or stop it."));
        return false;
    }
    auto c = storage_.conversations().conversation(id);
    if (!check(status_of(c), tr("reading the conversation"))) return false;
    if (!c->current_leaf_id) {
        setError(tr("This conversation has no messages to fork."));
        return false;
    }
    auto fork = storage_.conversations().fork(*c->current_leaf_id);
    if (!check(status_of(fork), tr("forking the conversation"))) return false;
    conversations_.refresh();
    openConversation(*fork);
    return true;
}

void ChatController::setSystemPrompt(const QString& prompt) {
    if (prompt == system_prompt_) return;
    if (conversation_id_ != 0) {
        auto c = storage_.conversations().conversation(conversation_id_);
        if (!check(status_of(c), tr("reading the conversation"))) return;
        c->settings.system_prompt = prompt.trimmed().isEmpty() ? std::nullopt : std::optional(to_utf8(prompt));
        if (!check(storage_.conversations().update_settings(conversation_id_, c->settings),
                   tr("saving the system prompt")))
            return;
    }
    system_prompt_ = prompt;
    emit systemPromptChanged();
}

bool ChatController::setConversationOptions(const QVariantMap& map) {
    auto options = options_from_map(map);
    if (!options) {
        setError(QString::fromStdString(options.error().message));
        return false;
    }
    if (*options == options_) return true;
    if (conversation_id_ != 0) {
        auto c = storage_.conversations().conversation(conversation_id_);
        if (!check(status_of(c), tr("reading the conversation"))) return false;
        store_options(*options, c->settings);
        if (!check(storage_.conversations().update_settings(conversation_id_, c->settings),
                   tr("saving the conversation's settings")))
            return false;
    }
    options_ = *options;
    emit conversationOptionsChanged();
    return true;
}

QString ChatController::optionsProblem(const QVariantMap& options) const {
    auto parsed = options_from_map(options);
    return parsed ? QString() : QString::fromStdString(parsed.error().message);
}

QVariantMap ChatController::defaultOptions() const {
    const SamplerSettings& s = settings_.sampling;
    ConversationOptions d;
    d.temperature = s.temperature;
    d.top_p = s.top_p;
    d.top_k = s.top_k;
    d.min_p = s.min_p;
    d.repeat_penalty = s.repeat_penalty;
    d.max_tokens = settings_.max_tokens;
    d.context_length = engine_.contextSize();
    QVariantMap map = options_to_map(d);
    map.remove(QStringLiteral("reasoning"));
    return map;
}

void ChatController::loadConversationSettings() {
    auto c = storage_.conversations().conversation(conversation_id_);
    system_prompt_ = c ? QString::fromStdString(c->settings.system_prompt.value_or("")) : QString();
    emit systemPromptChanged();
    options_ = {};
    if (c) {
        auto options = options_from_settings(c->settings);
        if (options)
            options_ = *options;
        else  // the conversation still opens, with the defaults
            setError(tr("This conversation's settings could not be read (%1); the defaults apply.")
                         .arg(QString::fromStdString(options.error().message)));
    }
    emit conversationOptionsChanged();
}

void ChatController::stop() {
    if (reply_) engine_.stop(reply_->request_id);
}

bool ChatController::regenerate(qint64 assistantMessageId) {
    if (!canStartReply()) return false;
    auto message = storage_.conversations().message(assistantMessageId);
    if (!check(status_of(message), tr("reading the message"))) return false;
    if (message->role != storage::Role::assistant || !message->parent_id) {
        setError(tr("Only a reply can be regenerated."));
        return false;
    }
    auto row = storage::StreamingReply::begin(storage_.conversations(), message->conversation_id,
                                              *message->parent_id, modelName());
    if (!check(status_of(row), tr("starting a new reply"))) return false;
    return startReply(std::move(*row));
}

bool ChatController::editMessage(qint64 messageId, const QString& text) {
    if (text.trimmed().isEmpty() || !canStartReply()) return false;
    auto original = storage_.conversations().message(messageId);
    if (!check(status_of(original), tr("reading the message"))) return false;
    // The edit is a new sibling; the original and the replies under it stay.
    auto edited = storage_.conversations().edit_message(messageId, to_utf8(text));
    if (!check(status_of(edited), tr("saving the edit"))) return false;
    if (original->role != storage::Role::user) return reloadMessages();
    auto row = storage::StreamingReply::begin(storage_.conversations(), original->conversation_id, *edited,
                                              modelName());
    if (!check(status_of(row), tr("starting a new reply"))) return false;
    return startReply(std::move(*row));
}

void ChatController::switchSibling(qint64 messageId, int delta) {
    if (reply_) return;  // the shown path is being written
    auto siblings = storage_.conversations().siblings(messageId);
    if (!check(status_of(siblings), tr("reading the branches"))) return;
    qsizetype at = -1;
    for (size_t i = 0; i < siblings->size(); ++i)
        if ((*siblings)[i].id == messageId) at = static_cast<qsizetype>(i);
    const qsizetype target = at + delta;
    if (at < 0 || target < 0 || target >= static_cast<qsizetype>(siblings->size())) return;
    auto shown = storage_.conversations().switch_to_branch((*siblings)[static_cast<size_t>(target)].id);
    if (!check(status_of(shown), tr("switching branches"))) return;
    reloadMessages();
}

void ChatController::clearError() {
    if (error_text_.isEmpty()) return;
    error_text_.clear();
    emit errorTextChanged();
}

QString ChatController::lastReplyText() const {
    for (int i = messages_.rowCount() - 1; i >= 0; --i)
        if (messages_.row(i).role == QLatin1String("assistant")) return messages_.row(i).answer;
    return {};
}

bool ChatController::canStartReply() {
    if (reply_) {
        setError(tr("Wait for the reply to finish, or stop it."));
        return false;
    }
    if (engine_.state() != EngineThread::State::Ready) {
        setError(engine_.state() == EngineThread::State::Loading ? tr("The model is still loading.")
                                                                 : tr("No model is loaded."));
        return false;
    }
    if (engine_.evaluatorSlot()->holder() == server::EvaluatorSlot::User::kServer) {
        setError(serverBusyMessage());
        return false;
    }
    return true;
}

QString ChatController::serverBusyMessage() {
    return tr("The local server is answering a request; the chat can start when it has finished.");
}

bool ChatController::startReply(storage::StreamingReply row) {
    const std::int64_t conversation = conversation_id_;
    reply_.emplace(Reply{next_request_++, conversation, std::move(row)});
    // Taken here, not only checked in canStartReply: a server request may have come since.
    bool server_ran = false;
    reply_->holds_slot = engine_.evaluatorSlot()->try_take(server::EvaluatorSlot::User::kChat, &server_ran);
    if (!reply_->holds_slot) {
        onReplyFailed(reply_->request_id, serverBusyMessage());
        return false;
    }
    // The path now ends with the empty streaming reply; the engine gets what precedes it.
    auto path = storage_.conversations().current_path(conversation);
    if (!check(status_of(path), tr("reading the conversation"))) {
        onReplyFailed(reply_->request_id, error_text_);
        return false;
    }
    GenerationRequest request;
    request.id = reply_->request_id;
    request.settings = apply_options(settings_, options_);
    if (random_seed_ && !options_.seed) request.settings.sampling.seed = std::random_device{}();
    request.reasoning = options_.reasoning;
    request.context_limit = options_.context_length.value_or(0);
    request.forget_cache = server_ran;
    auto c = storage_.conversations().conversation(conversation);
    if (c && c->settings.system_prompt) request.messages.push_back({"system", *c->settings.system_prompt});
    for (const auto& m : *path)
        if (m.id != reply_->row.message_id())
            request.messages.push_back({std::string(storage::to_string(m.role)), m.content});
    reloadMessages();
    conversations_.refresh();  // the conversation moves to the top
    emit generatingChanged();
    engine_.generate(std::move(request));
    return true;
}

bool ChatController::reloadMessages(bool keep_older) {
    if (conversation_id_ == 0) {
        messages_.clear();
        return true;
    }
    // Edits, regenerations and branch switches change the path below the first shown
    // message's parent, so stopping there keeps every shown page and the rows above the change.
    std::int64_t limit = kMessagePageSize;
    std::optional<std::int64_t> above;
    if (keep_older && messages_.rowCount() > 0) {
        above = messages_.row(0).parent_id;
        limit = messages_.rowCount() + kMessagePageSize;  // a bound should `above` be off the path
    }
    auto rows = load_path_rows(storage_.conversations(), conversation_id_, limit, above);
    if (!check(status_of(rows), tr("reading the conversation"))) return false;
    messages_.setRows(std::move(*rows));
    return true;
}

bool ChatController::loadOlderMessages() {
    if (!messages_.hasOlder()) return false;
    auto rows = load_rows_from(storage_.conversations(), *messages_.row(0).parent_id);
    if (!check(status_of(rows), tr("reading older messages"))) return false;
    messages_.prependRows(std::move(*rows));
    return true;
}

void ChatController::onTextPiece(quint64 id, const QString& piece) {
    if (!reply_ || id != reply_->request_id) return;
    if (reply_->pieces++ == 0) reply_->since_first_piece.start();
    reply_->unshown += piece;
    if (!show_timer_.isActive()) show_timer_.start();
    // A failed write keeps the text in memory and is retried at the next batch (S4).
    if (auto s = reply_->row.append(to_utf8(piece)); !s)
        qCWarning(lcChat) << "saving the reply:" << s.error().message.c_str();
    if (reply_->row.save_state() == storage::SaveState::retrying && !reply_->told_unsaved) {
        reply_->told_unsaved = true;
        tellUnsaved(*reply_->row.last_write_error());
    }
    const qint64 ms = reply_->since_first_piece.elapsed();
    if (ms >= 250) {  // a steady figure, updated a few times a second
        tokens_per_second_ = (reply_->pieces - 1) * 1000.0 / static_cast<double>(ms);
        emit statsChanged();
    }
}

void ChatController::showPendingText() {
    if (!reply_ || reply_->unshown.isEmpty()) return;
    if (reply_->conversation_id == conversation_id_) messages_.appendToLast(reply_->unshown);
    reply_->unshown.clear();
}

void ChatController::onReplyFinished(quint64 id, const GenerationStats& stats, qint64 context_used) {
    if (!reply_ || id != reply_->request_id) return;
    finishReply(stats, context_used, stats.finish == FinishReason::kCancelled);
}

void ChatController::onReplyInterrupted(quint64 id, const GenerationStats& stats, const QString& reason) {
    if (!reply_ || id != reply_->request_id) return;
    finishReply(stats, stats.prompt_tokens + stats.generated_tokens, true);
    setError(reason);
}

void ChatController::finishReply(const GenerationStats& stats, qint64 context_used, bool interrupted) {
    showPendingText();
    const storage::MessageStats message_stats = to_message_stats(stats);
    const std::int64_t message_id = reply_->row.message_id();
    auto saved = interrupted ? reply_->row.stop(message_stats) : reply_->row.finish(message_stats);
    const bool kept = keepUnsaved(saved);
    if (!kept) check(saved, tr("saving the reply"));
    if (reply_->conversation_id == conversation_id_)
        messages_.finishLast(interrupted ? storage::MessageState::interrupted : storage::MessageState::complete,
                             message_stats);
    tokens_per_second_ = stats.decode_tokens_per_second();
    context_used_ = context_used;
    emit statsChanged();
    endReply();
    if (!kept) emit replyStored(message_id);  // otherwise once retryUnsaved has saved it
}

void ChatController::onReplyFailed(quint64 id, const QString& error) {
    if (!reply_ || id != reply_->request_id) return;
    showPendingText();
    const std::int64_t message_id = reply_->row.message_id();
    auto saved = reply_->row.fail(to_utf8(error));
    const bool kept = keepUnsaved(saved);
    if (!kept) check(saved, tr("saving the failed reply"));
    if (reply_->conversation_id == conversation_id_)
        messages_.finishLast(storage::MessageState::error, {}, error);
    setError(error);
    endReply();
    if (!kept) emit replyStored(message_id);
}

bool ChatController::keepUnsaved(const storage::DbStatus& saved) {
    if (saved.ok() || !reply_->row.closing() || !storage::is_retryable(saved.error())) return false;
    tellUnsaved(saved.error());
    unsaved_.push_back(std::move(reply_->row));
    save_retry_timer_.start();
    return true;
}

void ChatController::tellUnsaved(const storage::DbError& error) {
    qCWarning(lcChat) << "the reply is not saved yet:" << error.message.c_str();
    unsaved_message_ = tr("The reply is not saved yet (%1); saving is retried.").arg(QString::fromStdString(error.message));
    setError(unsaved_message_);
}

void ChatController::retryUnsaved() {
    for (auto it = unsaved_.begin(); it != unsaved_.end();) {
        const auto status = it->flush_if_due();  // writes when its backoff allows
        const std::int64_t id = it->message_id();
        if (it->save_state() == storage::SaveState::closed) {
            it = unsaved_.erase(it);
            emit replyStored(id);
        } else if (!status) {  // retrying cannot fix it: said, and given up
            check(status, tr("saving the reply"));
            it = unsaved_.erase(it);
        } else {
            ++it;
        }
    }
    if (unsaved_.empty()) {
        save_retry_timer_.stop();
        if (error_text_ == unsaved_message_) clearError();
        unsaved_message_.clear();
    }
}

void ChatController::endReply() {
    show_timer_.stop();
    if (reply_->holds_slot) engine_.evaluatorSlot()->release();
    reply_.reset();
    emit generatingChanged();
}

bool ChatController::check(const storage::DbStatus& status, const QString& what) {
    if (status) return true;
    qCWarning(lcChat) << what << status.error().message.c_str();
    setError(tr("Error %1: %2").arg(what, QString::fromStdString(status.error().message)));
    return false;
}

void ChatController::setError(const QString& text) {
    error_text_ = text;
    emit errorTextChanged();
}

std::optional<std::string> ChatController::modelName() const {
    if (engine_.modelName().isEmpty()) return std::nullopt;
    return engine_.modelName().toStdString();
}

}  // namespace tessera::app

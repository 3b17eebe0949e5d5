#include "storage/streaming.h"

#include <sqlite3.h>

#include <algorithm>

#include "storage/transaction.h"

namespace tessera::storage {

bool is_retryable(const DbError& error) {
    switch (error.primary_code()) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return true;
    default:
        return false;
    }
}

DbResult<StreamingReply> StreamingReply::begin(ConversationStore& store, std::int64_t conversation_id,
                                               std::int64_t parent_id, std::optional<std::string> model,
                                               Duration flush_interval) {
    NewMessage reply;
    reply.parent_id = parent_id;
    reply.role = Role::assistant;
    reply.state = MessageState::streaming;
    reply.model = std::move(model);
    STORAGE_ASSIGN(std::int64_t id, store.add_message(conversation_id, reply));
    return StreamingReply(store, id, conversation_id, flush_interval);
}

StreamingReply::Duration StreamingReply::delay() const {
    if (failures_ == 0) return interval_;
    // Backoff: the interval doubled per consecutive failure, up to kMaxRetryDelay (but
    // never sooner than a normal batch).
    Duration d = interval_;
    for (int i = 0; i < failures_ && d < kMaxRetryDelay; ++i) d *= 2;
    return std::max(interval_, std::min(d, kMaxRetryDelay));
}

DbStatus StreamingReply::quiet(DbStatus status) const {
    if (!status.ok() && is_retryable(status.error())) return {};
    return status;
}

DbStatus StreamingReply::append(std::string_view text) {
    if (state_ == SaveState::closed || close_)
        return DbError{"message " + std::to_string(message_id_) + " is no longer streaming", kErrorMisuse};
    pending_.append(text);
    return flush_if_due();
}

DbStatus StreamingReply::flush_if_due() {
    if (state_ == SaveState::closed || (pending_.empty() && !close_)) return {};
    if (clock_() < next_write_at()) return {};
    return quiet(write());
}

DbStatus StreamingReply::flush() {
    if (state_ == SaveState::closed)
        return DbError{"message " + std::to_string(message_id_) + " is no longer streaming", kErrorMisuse};
    return write();
}

DbStatus StreamingReply::write() {
    last_attempt_ = clock_();
    DbStatus status;
    if (close_) {
        status = write_close();
    } else if (!pending_.empty()) {
        if (saved_bytes_ + pending_.size() > kMaxMessageBytes)
            return DbError{"the reply exceeds the message size limit", kErrorTooBig};
        // One statement: atomic, and the row always holds a prefix of the reply (invariant 3).
        status = store_->db().run("UPDATE messages SET content = content || ? WHERE id = ? AND state = 'streaming'",
                                  pending_, message_id_);
        if (status.ok() && store_->db().changes() == 0)
            return DbError{"message " + std::to_string(message_id_) + " is no longer streaming", kErrorMisuse};
        if (status.ok()) {
            saved_bytes_ += pending_.size();
            pending_.clear();
        }
    }
    if (status.ok()) {
        failures_ = 0;
        last_error_.reset();
        if (state_ == SaveState::retrying) state_ = SaveState::saving;
    } else if (is_retryable(status.error())) {
        ++failures_;
        last_error_ = status.error();
        state_ = SaveState::retrying;
    }
    return status;
}

DbStatus StreamingReply::write_close() {
    if (saved_bytes_ + pending_.size() > kMaxMessageBytes)
        return DbError{"the reply exceeds the message size limit", kErrorTooBig};
    // Text and final state in one transaction: a row is never "complete" with text missing,
    // and the memory is cleared only once both are committed.
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(store_->db()));
    const Close& c = *close_;
    // The finished text is packed (text_codec.h); while streaming it stays plain, so each
    // batch is a cheap append.
    STORAGE_ASSIGN(Statement update,
                   store_->db().prepare("UPDATE messages SET state = ?, error_text = ?, prompt_tokens = ?, "
                                        "completion_tokens = ?, ttft_ms = ?, tokens_per_second = ?, "
                                        "content = tessera_pack(content || ?) WHERE id = ? AND state = 'streaming'"));
    STORAGE_TRY(update.bind_all(to_string(c.state), c.error_text, c.stats.prompt_tokens, c.stats.completion_tokens,
                                c.stats.time_to_first_token_ms, c.stats.tokens_per_second, pending_, message_id_));
    STORAGE_TRY(update.run());
    if (store_->db().changes() == 0)
        return DbError{"message " + std::to_string(message_id_) + " is no longer streaming", kErrorMisuse};
    STORAGE_TRY(store_->db().run("UPDATE conversations SET updated_at = ? WHERE id = ?", store_->now(),
                                 conversation_id_));
    STORAGE_TRY(tx.commit());
    saved_bytes_ += pending_.size();
    pending_.clear();
    close_.reset();
    state_ = SaveState::closed;
    return {};
}

DbStatus StreamingReply::request_close(Close close) {
    if (state_ == SaveState::closed)
        return DbError{"message " + std::to_string(message_id_) + " is already saved in its final state",
                       kErrorMisuse};
    close_ = std::move(close);  // asked again (a retry by hand): the latest request wins
    return write();
}

DbStatus StreamingReply::finish(const MessageStats& stats) {
    return request_close({MessageState::complete, stats, std::nullopt});
}

DbStatus StreamingReply::fail(std::string_view error_text) {
    return request_close({MessageState::error, {}, std::string(error_text)});
}

DbStatus StreamingReply::stop(const MessageStats& stats) {
    return request_close({MessageState::interrupted, stats, std::nullopt});
}

DbResult<Turn> begin_turn(ConversationStore& store, std::int64_t conversation_id,
                          std::optional<std::int64_t> parent_id, std::string user_text,
                          std::optional<std::string> model, StreamingReply::Duration flush_interval) {
    NewMessage user;
    user.parent_id = parent_id;
    user.role = Role::user;
    user.content = std::move(user_text);
    STORAGE_ASSIGN(std::int64_t user_id, store.add_message(conversation_id, user));  // committed here
    STORAGE_ASSIGN(StreamingReply reply,
                   StreamingReply::begin(store, conversation_id, user_id, std::move(model), flush_interval));
    return Turn{user_id, std::move(reply)};
}

DbResult<std::int64_t> recover_interrupted_replies(Database& db) {
    if (db.read_only()) return std::int64_t{0};
    STORAGE_TRY(db.run("UPDATE messages SET state = 'interrupted' WHERE state = 'streaming'"));
    return static_cast<std::int64_t>(db.changes());
}

}  // namespace tessera::storage

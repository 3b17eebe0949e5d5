#include "storage/streaming.h"

#include "storage/transaction.h"

namespace tessera::storage {

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

DbStatus StreamingReply::append(std::string_view text) {
    pending_.append(text);
    if (clock_() - last_write_ < interval_) return {};
    return flush();
}

DbStatus StreamingReply::flush() {
    last_write_ = clock_();  // a failing disk is retried next interval, not per token
    if (pending_.empty()) return {};
    if (saved_bytes_ + pending_.size() > kMaxMessageBytes)
        return DbError{"the reply exceeds the message size limit", kErrorTooBig};
    // One statement: atomic, and the row always holds a prefix of the reply (invariant 3).
    STORAGE_TRY(store_->db().run("UPDATE messages SET content = content || ? WHERE id = ? AND state = 'streaming'",
                                 pending_, message_id_));
    if (store_->db().changes() == 0)
        return DbError{"message " + std::to_string(message_id_) + " is no longer streaming", kErrorMisuse};
    saved_bytes_ += pending_.size();
    pending_.clear();
    return {};
}

DbStatus StreamingReply::close_row(MessageState state, const MessageStats& stats,
                                   std::optional<std::string> error_text) {
    // Text and final state in one transaction: a row is never "complete" with text missing.
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(store_->db()));
    STORAGE_TRY(flush());
    STORAGE_TRY(store_->db().run("UPDATE messages SET state = ?, error_text = ?, prompt_tokens = ?, "
                                 "completion_tokens = ?, ttft_ms = ?, tokens_per_second = ? WHERE id = ?",
                                 to_string(state), error_text, stats.prompt_tokens, stats.completion_tokens,
                                 stats.time_to_first_token_ms, stats.tokens_per_second, message_id_));
    STORAGE_TRY(store_->db().run("UPDATE conversations SET updated_at = ? WHERE id = ?", store_->now(),
                                 conversation_id_));
    return tx.commit();
}

DbStatus StreamingReply::finish(const MessageStats& stats) { return close_row(MessageState::complete, stats, {}); }

DbStatus StreamingReply::fail(std::string_view error_text) {
    return close_row(MessageState::error, {}, std::string(error_text));
}

DbStatus StreamingReply::stop(const MessageStats& stats) {
    return close_row(MessageState::interrupted, stats, {});
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

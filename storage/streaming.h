// A reply saved while it streams.
//
// States of the row: streaming -> complete | error; streaming -> interrupted (stopped by
// the user through stop(), or found at start-up by recover_interrupted_replies, the
// process having died).
// States of the writer (save_state()):
//   saving    every write so far succeeded; new text waits in memory for the next batch.
//   retrying  the last write failed with a passing error (disk full, I/O, busy): the text
//             and, once asked for, the final state are kept in memory and retried with
//             backoff (flush_if_due, or the next append) until a write succeeds (S4).
//   closed    the final state is committed; nothing is left in memory.
// Invariants:
//   1. The user's message is committed before begin() returns a writer, so nothing the
//      user wrote depends on the generation succeeding (begin_turn does both, in order).
//   2. Text reaches the database in batches: append() writes at most once per flush
//      interval (a few times a second), never per token; while retrying, at most once
//      per backoff delay (doubling up to kMaxRetryDelay).
//   3. A failed write keeps the unwritten text in memory, so the database holds a prefix
//      of the reply at all times and the reply is completed once a write succeeds.
//   4. The row leaves the streaming state only through finish(), fail(), stop(), or recovery;
//      the text and the final state are committed together.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/conversation_store.h"

namespace tessera::storage {

enum class SaveState { saving, retrying, closed };

// Errors that pass (disk full, I/O error, another writer holding the lock): worth retrying.
bool is_retryable(const DbError& error);

class StreamingReply {
public:
    using Duration = std::chrono::steady_clock::duration;
    using TimePoint = std::chrono::steady_clock::time_point;
    using Clock = TimePoint (*)();
    static constexpr Duration kDefaultFlushInterval = std::chrono::milliseconds(250);
    static constexpr Duration kMaxRetryDelay = std::chrono::seconds(8);

    StreamingReply(StreamingReply&&) noexcept = default;
    StreamingReply(const StreamingReply&) = delete;
    StreamingReply& operator=(const StreamingReply&) = delete;
    StreamingReply& operator=(StreamingReply&&) = delete;

    // Adds an empty streaming assistant reply under parent_id (a regenerate is just
    // another begin() under the same parent) and shows it.
    static DbResult<StreamingReply> begin(ConversationStore& store, std::int64_t conversation_id,
                                          std::int64_t parent_id, std::optional<std::string> model,
                                          Duration flush_interval = kDefaultFlushInterval);

    // Buffers text; writes when the interval (or, while retrying, the backoff delay) has
    // passed since the last attempt. A retryable failure is not returned: it shows in
    // save_state() and last_write_error(); only errors that retrying cannot fix are.
    DbStatus append(std::string_view text);
    // Writes whatever is due (the buffered text, or a pending final state) if its time has
    // come; for a timer while no tokens arrive. Returns errors as append() does.
    DbStatus flush_if_due();
    // Writes the buffered text now and returns the outcome, retryable or not.
    DbStatus flush();

    // The final state, committed with the remaining text. On a retryable failure the
    // error is returned and the final state is kept: flush_if_due() (or calling the same
    // function again) commits it once space is back; keep the writer alive until closed.
    DbStatus finish(const MessageStats& stats);
    DbStatus fail(std::string_view error_text);
    // The user stopped the reply: its text and stats are kept, the row is interrupted.
    DbStatus stop(const MessageStats& stats);

    std::int64_t message_id() const { return message_id_; }
    std::size_t saved_bytes() const { return saved_bytes_; }      // in the database
    std::size_t pending_bytes() const { return pending_.size(); } // only in memory
    SaveState save_state() const { return state_; }
    bool closing() const { return close_.has_value(); }          // final state asked for, not committed
    const std::optional<DbError>& last_write_error() const { return last_error_; }  // while retrying
    TimePoint next_write_at() const { return last_attempt_ + delay(); }
    // The time source of the flush interval (steady_clock::now); tests drive it by hand so
    // the batching is checked by counting writes, not by measuring time.
    void set_clock(Clock clock) {
        clock_ = clock;
        last_attempt_ = clock_();
    }

private:
    struct Close {
        MessageState state;
        MessageStats stats;
        std::optional<std::string> error_text;
    };

    StreamingReply(ConversationStore& store, std::int64_t message_id, std::int64_t conversation_id,
                   Duration interval)
        : store_(&store), message_id_(message_id), conversation_id_(conversation_id), interval_(interval) {}
    Duration delay() const;
    DbStatus write();  // the buffered text, and the final state when one is asked for
    DbStatus write_close();
    DbStatus request_close(Close close);
    DbStatus quiet(DbStatus status) const;  // retryable failures become ok (seen in save_state)

    ConversationStore* store_;
    std::int64_t message_id_;
    std::int64_t conversation_id_;
    Duration interval_;
    Clock clock_ = &std::chrono::steady_clock::now;
    TimePoint last_attempt_ = clock_();
    std::string pending_;
    std::size_t saved_bytes_ = 0;
    SaveState state_ = SaveState::saving;
    int failures_ = 0;  // consecutive failed writes: the backoff exponent
    std::optional<DbError> last_error_;
    std::optional<Close> close_;
};

struct Turn {
    std::int64_t user_message_id;
    StreamingReply reply;
};

// The user's message, committed, then the streaming reply under it (invariant 1).
DbResult<Turn> begin_turn(ConversationStore& store, std::int64_t conversation_id,
                          std::optional<std::int64_t> parent_id, std::string user_text,
                          std::optional<std::string> model,
                          StreamingReply::Duration flush_interval = StreamingReply::kDefaultFlushInterval);

// At start-up: every row still streaming becomes interrupted, keeping its text. Returns how many.
DbResult<std::int64_t> recover_interrupted_replies(Database& db);

}  // namespace tessera::storage

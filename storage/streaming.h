// A reply saved while it streams.
//
// States of the row: streaming -> complete | error; streaming -> interrupted (stopped by
// the user through stop(), or found at start-up by recover_interrupted_replies, the
// process having died).
// Invariants:
//   1. The user's message is committed before begin() returns a writer, so nothing the
//      user wrote depends on the generation succeeding (begin_turn does both, in order).
//   2. Text reaches the database in batches: append() writes at most once per flush
//      interval (a few times a second), never per token.
//   3. A failed write (SQLITE_FULL, I/O) keeps the unwritten text in memory; the next
//      flush retries it, so the database holds a prefix of the reply at all times (S4).
//   4. The row leaves the streaming state only through finish(), fail(), stop(), or recovery.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "storage/conversation_store.h"

namespace tessera::storage {

class StreamingReply {
public:
    using Duration = std::chrono::steady_clock::duration;
    using TimePoint = std::chrono::steady_clock::time_point;
    using Clock = TimePoint (*)();
    static constexpr Duration kDefaultFlushInterval = std::chrono::milliseconds(250);

    StreamingReply(StreamingReply&&) noexcept = default;
    StreamingReply(const StreamingReply&) = delete;
    StreamingReply& operator=(const StreamingReply&) = delete;
    StreamingReply& operator=(StreamingReply&&) = delete;

    // Adds an empty streaming assistant reply under parent_id (a regenerate is just
    // another begin() under the same parent) and shows it.
    static DbResult<StreamingReply> begin(ConversationStore& store, std::int64_t conversation_id,
                                          std::int64_t parent_id, std::optional<std::string> model,
                                          Duration flush_interval = kDefaultFlushInterval);

    // Buffers text; flushes when the interval has passed since the last write.
    DbStatus append(std::string_view text);
    DbStatus flush();  // writes the buffered text now
    DbStatus finish(const MessageStats& stats);
    DbStatus fail(std::string_view error_text);
    // The user stopped the reply: its text and stats are kept, the row is interrupted.
    DbStatus stop(const MessageStats& stats);

    std::int64_t message_id() const { return message_id_; }
    std::size_t saved_bytes() const { return saved_bytes_; }      // in the database
    std::size_t pending_bytes() const { return pending_.size(); } // only in memory
    // The time source of the flush interval (steady_clock::now); tests drive it by hand so
    // the batching is checked by counting writes, not by measuring time.
    void set_clock(Clock clock) {
        clock_ = clock;
        last_write_ = clock_();
    }

private:
    StreamingReply(ConversationStore& store, std::int64_t message_id, std::int64_t conversation_id,
                   Duration interval)
        : store_(&store), message_id_(message_id), conversation_id_(conversation_id), interval_(interval) {}
    DbStatus close_row(MessageState state, const MessageStats& stats, std::optional<std::string> error_text);

    ConversationStore* store_;
    std::int64_t message_id_;
    std::int64_t conversation_id_;
    Duration interval_;
    Clock clock_ = &std::chrono::steady_clock::now;
    TimePoint last_write_ = clock_();
    std::string pending_;
    std::size_t saved_bytes_ = 0;
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

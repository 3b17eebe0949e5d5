// A conversation's shown path as rows for the message list: each stored message with its
// reasoning split from its answer and its place among its siblings.
#pragma once

#include <QString>
#include <cstdint>
#include <optional>
#include <vector>

#include "storage/conversation_store.h"

namespace tessera::app {

struct MessageRow {
    std::int64_t id = 0;
    std::optional<std::int64_t> parent_id;  // none for the conversation's first message
    QString role;       // "user", "assistant", "system"
    QString reasoning;  // the <think> part of a reply, without the tags
    QString answer;     // what follows it (the whole text when there is no reasoning)
    storage::MessageState state = storage::MessageState::complete;
    QString error_text;
    int sibling_index = 0;  // 0-based
    int sibling_count = 1;
    QString model;
    storage::MessageStats stats;
};

MessageRow to_row(const storage::Message& message, int sibling_index, int sibling_count);

// A long conversation is shown a page at a time: the newest rows first, older pages as the
// user scrolls up.
inline constexpr std::int64_t kMessagePageSize = 200;

// The end of the conversation's current path, root-most first, with sibling positions: the
// newest `limit` messages, or with `above` (a message on the path) every message below it.
storage::DbResult<std::vector<MessageRow>> load_path_rows(storage::ConversationStore& store,
                                                          std::int64_t conversation_id,
                                                          std::int64_t limit = kMessagePageSize,
                                                          std::optional<std::int64_t> above = std::nullopt);
// The page above a shown row: `parent_id` (that row's parent) and up to `limit` - 1 of its ancestors.
storage::DbResult<std::vector<MessageRow>> load_rows_from(storage::ConversationStore& store, std::int64_t parent_id,
                                                          std::int64_t limit = kMessagePageSize);

// "42 tokens · 310.5 tokens/s · first token 12 ms"; empty without stats.
QString stats_text(const storage::MessageStats& stats);

}  // namespace tessera::app

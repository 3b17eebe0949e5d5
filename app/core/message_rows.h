// A conversation's shown path as rows for the message list: each stored message with its
// reasoning split from its answer and its place among its siblings.
#pragma once

#include <QString>
#include <cstdint>
#include <vector>

#include "storage/conversation_store.h"

namespace tessera::app {

struct MessageRow {
    std::int64_t id = 0;
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

// The conversation's current path, root first, with sibling positions.
storage::DbResult<std::vector<MessageRow>> load_path_rows(storage::ConversationStore& store,
                                                          std::int64_t conversation_id);

// "42 tokens · 310.5 tokens/s · first token 12 ms"; empty without stats.
QString stats_text(const storage::MessageStats& stats);

}  // namespace tessera::app

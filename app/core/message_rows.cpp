#include "message_rows.h"

#include <QStringList>

#include "chat/reasoning.h"

namespace tessera::app {

MessageRow to_row(const storage::Message& message, int sibling_index, int sibling_count) {
    MessageRow row;
    row.id = message.id;
    row.parent_id = message.parent_id;
    row.role = QString::fromUtf8(storage::to_string(message.role).data(),
                                 static_cast<qsizetype>(storage::to_string(message.role).size()));
    if (message.role == storage::Role::assistant) {
        auto split = chat::split_reasoning(message.content);
        row.reasoning = QString::fromStdString(split.reasoning);
        row.answer = QString::fromStdString(split.answer);
    } else {
        row.answer = QString::fromStdString(message.content);
    }
    row.state = message.state;
    row.error_text = QString::fromStdString(message.error_text.value_or(""));
    row.sibling_index = sibling_index;
    row.sibling_count = sibling_count;
    row.model = QString::fromStdString(message.model.value_or(""));
    row.stats = message.stats;
    return row;
}

namespace {

storage::DbResult<std::vector<MessageRow>> rows_of(storage::ConversationStore& store,
                                                   const std::vector<storage::Message>& path) {
    std::vector<MessageRow> rows;
    rows.reserve(path.size());
    for (const auto& message : path) {
        // Only the count and position are needed; siblings() is one indexed query per message.
        STORAGE_ASSIGN(auto siblings, store.siblings(message.id));
        int index = 0;
        for (size_t i = 0; i < siblings.size(); ++i)
            if (siblings[i].id == message.id) index = static_cast<int>(i);
        rows.push_back(to_row(message, index, static_cast<int>(siblings.size())));
    }
    return rows;
}

}  // namespace

storage::DbResult<std::vector<MessageRow>> load_path_rows(storage::ConversationStore& store,
                                                          std::int64_t conversation_id, std::int64_t limit,
                                                          std::optional<std::int64_t> above) {
    STORAGE_ASSIGN(auto conversation, store.conversation(conversation_id));
    if (!conversation.current_leaf_id) return std::vector<MessageRow>{};
    STORAGE_ASSIGN(auto path, store.path_tail(*conversation.current_leaf_id, limit, above));
    return rows_of(store, path);
}

storage::DbResult<std::vector<MessageRow>> load_rows_from(storage::ConversationStore& store, std::int64_t parent_id,
                                                          std::int64_t limit) {
    STORAGE_ASSIGN(auto path, store.path_tail(parent_id, limit));
    return rows_of(store, path);
}

QString stats_text(const storage::MessageStats& stats) {
    QStringList parts;
    if (stats.completion_tokens) parts << QStringLiteral("%1 tokens").arg(*stats.completion_tokens);
    if (stats.tokens_per_second) parts << QStringLiteral("%1 tokens/s").arg(*stats.tokens_per_second, 0, 'f', 1);
    if (stats.time_to_first_token_ms)
        parts << QStringLiteral("first token %1 ms").arg(*stats.time_to_first_token_ms, 0, 'f', 0);
    return parts.join(QStringLiteral(" · "));
}

}  // namespace tessera::app

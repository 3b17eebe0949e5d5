#include "storage/conversation_store.h"

#include <chrono>
#include <limits>

#include "storage/transaction.h"

namespace tessera::storage {
namespace {

constexpr const char* kConversationColumns =
    "id, title, pinned, folder, model, system_prompt, sampling_json, reasoning, created_at, updated_at, "
    "current_leaf_id, deleted_at";

Conversation read_conversation(const Statement& s) {
    Conversation c;
    c.id = s.column_int64(0);
    c.settings.title = s.column_text(1);
    c.settings.pinned = s.column_int64(2) != 0;
    c.settings.folder = s.column_optional_text(3);
    c.settings.model = s.column_optional_text(4);
    c.settings.system_prompt = s.column_optional_text(5);
    c.settings.sampling_json = s.column_optional_text(6);
    c.settings.reasoning = s.column_optional_text(7);
    c.created_at_ms = s.column_int64(8);
    c.updated_at_ms = s.column_int64(9);
    c.current_leaf_id = s.column_optional_int64(10);
    c.deleted_at_ms = s.column_optional_int64(11);
    return c;
}

constexpr const char* kMessageColumns =
    "id, conversation_id, parent_id, sibling_index, role, tessera_text(content), state, error_text, model, "
    "prompt_tokens, completion_tokens, ttft_ms, tokens_per_second, created_at";

Message read_message(const Statement& s) {
    Message m;
    m.id = s.column_int64(0);
    m.conversation_id = s.column_int64(1);
    m.parent_id = s.column_optional_int64(2);
    m.sibling_index = s.column_int64(3);
    m.role = role_from_string(s.column_text(4)).value_or(Role::user);
    m.content = s.column_text(5);
    m.state = state_from_string(s.column_text(6)).value_or(MessageState::complete);
    m.error_text = s.column_optional_text(7);
    m.model = s.column_optional_text(8);
    m.stats.prompt_tokens = s.column_optional_int64(9);
    m.stats.completion_tokens = s.column_optional_int64(10);
    m.stats.time_to_first_token_ms = s.column_optional_double(11);
    m.stats.tokens_per_second = s.column_optional_double(12);
    m.created_at_ms = s.column_int64(13);
    return m;
}

DbError not_found(std::string_view what, std::int64_t id) {
    return DbError{std::string(what) + " " + std::to_string(id) + " does not exist", kErrorNotFound};
}

}  // namespace

std::int64_t system_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
}

DbResult<std::int64_t> ConversationStore::create_conversation(const ConversationSettings& s) {
    std::int64_t now = clock_();
    STORAGE_TRY(db_.run("INSERT INTO conversations (title, pinned, folder, model, system_prompt, sampling_json, "
                        "reasoning, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        s.title, s.pinned, s.folder, s.model, s.system_prompt, s.sampling_json, s.reasoning, now,
                        now));
    return db_.last_insert_rowid();
}

DbResult<Conversation> ConversationStore::conversation(std::int64_t id) {
    STORAGE_ASSIGN(Statement stmt,
                   db_.prepare(std::string("SELECT ") + kConversationColumns + " FROM conversations WHERE id = ?"));
    STORAGE_TRY(stmt.bind(1, id));
    STORAGE_ASSIGN(bool found, stmt.step());
    if (!found) return not_found("conversation", id);
    return read_conversation(stmt);
}

DbStatus ConversationStore::update_settings(std::int64_t id, const ConversationSettings& s) {
    STORAGE_TRY(db_.run("UPDATE conversations SET title = ?, pinned = ?, folder = ?, model = ?, system_prompt = ?, "
                        "sampling_json = ?, reasoning = ?, updated_at = ? WHERE id = ?",
                        s.title, s.pinned, s.folder, s.model, s.system_prompt, s.sampling_json, s.reasoning, clock_(),
                        id));
    if (db_.changes() == 0) return not_found("conversation", id);
    return {};
}

DbResult<std::vector<Conversation>> ConversationStore::recent_conversations(int limit, int offset) {
    STORAGE_ASSIGN(Statement stmt, db_.prepare(std::string("SELECT ") + kConversationColumns +
                                               " FROM conversations WHERE deleted_at IS NULL "
                                               "ORDER BY pinned DESC, updated_at DESC, id DESC LIMIT ? OFFSET ?"));
    STORAGE_TRY(stmt.bind_all(limit, offset));
    std::vector<Conversation> out;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        out.push_back(read_conversation(stmt));
    }
    return out;
}

DbResult<std::vector<Conversation>> ConversationStore::deleted_conversations() {
    STORAGE_ASSIGN(Statement stmt, db_.prepare(std::string("SELECT ") + kConversationColumns +
                                               " FROM conversations WHERE deleted_at IS NOT NULL "
                                               "ORDER BY deleted_at DESC"));
    std::vector<Conversation> out;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        out.push_back(read_conversation(stmt));
    }
    return out;
}

DbStatus ConversationStore::soft_delete(std::int64_t id) {
    STORAGE_TRY(db_.run("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", clock_(), id));
    if (db_.changes() == 0) return not_found("conversation (not in the bin)", id);
    return {};
}

DbStatus ConversationStore::undo_delete(std::int64_t id) {
    STORAGE_TRY(db_.run("UPDATE conversations SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL", id));
    if (db_.changes() == 0) return not_found("deleted conversation", id);
    return {};
}

DbStatus ConversationStore::purge(std::int64_t id) {
    // Only from the bin, so a purge can never skip the undo step.
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(db_));
    STORAGE_TRY(db_.run("DELETE FROM conversations WHERE id = ? AND deleted_at IS NOT NULL", id));
    if (db_.changes() == 0) return not_found("deleted conversation", id);
    return tx.commit();
}

DbResult<std::int64_t> ConversationStore::purge_deleted_before(std::int64_t time_ms) {
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(db_));
    STORAGE_TRY(db_.run("DELETE FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?", time_ms));
    std::int64_t purged = db_.changes();
    STORAGE_TRY(tx.commit());
    return purged;
}

DbResult<std::int64_t> ConversationStore::insert_message(std::int64_t conversation_id, const NewMessage& m,
                                                         bool make_current) {
    if (m.content.size() > kMaxMessageBytes) {
        return DbError{"the message is " + std::to_string(m.content.size() >> 20) + " MiB; messages are limited to " +
                           std::to_string(kMaxMessageBytes >> 20) + " MiB",
                       kErrorTooBig};
    }
    if (m.parent_id) {
        STORAGE_ASSIGN(std::int64_t parent_conversation,
                       db_.query_int("SELECT conversation_id FROM messages WHERE id = ?", *m.parent_id));
        if (parent_conversation != conversation_id)
            return DbError{"message " + std::to_string(*m.parent_id) + " belongs to another conversation",
                           kErrorMisuse};
    }
    std::int64_t sibling_index = 0;
    if (m.parent_id) {
        STORAGE_ASSIGN(sibling_index, db_.query_int("SELECT count(*) FROM messages WHERE parent_id = ?", *m.parent_id));
    } else {
        STORAGE_ASSIGN(sibling_index, db_.query_int("SELECT count(*) FROM messages WHERE conversation_id = ? "
                                                    "AND parent_id IS NULL", conversation_id));
    }
    std::int64_t now = clock_();
    STORAGE_TRY(db_.run("INSERT INTO messages (conversation_id, parent_id, sibling_index, role, content, state, model, "
                        "prompt_tokens, completion_tokens, ttft_ms, tokens_per_second, created_at) "
                        "VALUES (?, ?, ?, ?, tessera_pack(?), ?, ?, ?, ?, ?, ?, ?)",  // text_codec.h
                        conversation_id, m.parent_id, sibling_index, to_string(m.role), m.content,
                        to_string(m.state), m.model, m.stats.prompt_tokens, m.stats.completion_tokens,
                        m.stats.time_to_first_token_ms, m.stats.tokens_per_second, m.created_at_ms.value_or(now)));
    std::int64_t id = db_.last_insert_rowid();
    if (make_current) {
        STORAGE_TRY(db_.run("UPDATE conversations SET current_leaf_id = ?, updated_at = ? WHERE id = ?", id, now,
                            conversation_id));
    }
    return id;
}

DbResult<std::int64_t> ConversationStore::add_message(std::int64_t conversation_id, const NewMessage& message) {
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(db_));
    STORAGE_ASSIGN(std::int64_t id, insert_message(conversation_id, message, true));
    STORAGE_TRY(tx.commit());
    return id;
}

template <typename... Args>
DbResult<std::vector<Message>> ConversationStore::query_messages(std::string_view sql, const Args&... args) {
    STORAGE_ASSIGN(Statement stmt, db_.prepare(sql));
    STORAGE_TRY(stmt.bind_all(args...));
    std::vector<Message> out;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        out.push_back(read_message(stmt));
    }
    return out;
}

DbResult<Message> ConversationStore::message(std::int64_t id) {
    STORAGE_ASSIGN(auto rows,
                   query_messages(std::string("SELECT ") + kMessageColumns + " FROM messages WHERE id = ?", id));
    if (rows.empty()) return not_found("message", id);
    return std::move(rows.front());
}

DbResult<std::vector<Message>> ConversationStore::path_to(std::int64_t leaf_id) {
    return path_tail(leaf_id, std::numeric_limits<std::int64_t>::max());
}

DbResult<std::vector<Message>> ConversationStore::path_tail(std::int64_t leaf_id, std::int64_t limit,
                                                            std::optional<std::int64_t> above) {
    // Walks parent links by primary key: one lookup per level, and no further than asked.
    STORAGE_ASSIGN(auto rows, query_messages(std::string("WITH RECURSIVE path(id, depth) AS ("
                                                         "SELECT ?1, 0 UNION ALL SELECT m.parent_id, path.depth + 1 "
                                                         "FROM messages m JOIN path ON m.id = path.id "
                                                         "WHERE m.parent_id IS NOT NULL AND m.parent_id IS NOT ?3 "
                                                         "AND path.depth + 1 < ?2) SELECT ") +
                                                 kMessageColumns +
                                                 " FROM path JOIN messages USING (id) ORDER BY path.depth DESC",
                                             leaf_id, limit, above));
    if (rows.empty()) return not_found("message", leaf_id);
    return rows;
}

DbResult<std::vector<Message>> ConversationStore::current_path(std::int64_t conversation_id) {
    STORAGE_ASSIGN(Conversation c, conversation(conversation_id));
    if (!c.current_leaf_id) return std::vector<Message>{};
    return path_to(*c.current_leaf_id);
}

DbResult<std::vector<Message>> ConversationStore::siblings(std::int64_t message_id) {
    STORAGE_ASSIGN(Message m, message(message_id));
    if (m.parent_id) return children(*m.parent_id);
    return query_messages(std::string("SELECT ") + kMessageColumns +
                              " FROM messages WHERE conversation_id = ? AND parent_id IS NULL ORDER BY sibling_index",
                          m.conversation_id);
}

DbResult<std::vector<Message>> ConversationStore::children(std::int64_t message_id) {
    return query_messages(std::string("SELECT ") + kMessageColumns +
                              " FROM messages WHERE parent_id = ? ORDER BY sibling_index",
                          message_id);
}

DbResult<std::vector<Message>> ConversationStore::all_messages(std::int64_t conversation_id) {
    // Breadth-first from the roots, so every parent precedes its children.
    return query_messages(std::string("WITH RECURSIVE tree(id, depth) AS ("
                                      "SELECT id, 0 FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL "
                                      "UNION ALL SELECT m.id, tree.depth + 1 FROM messages m JOIN tree "
                                      "ON m.parent_id = tree.id) SELECT ") +
                              kMessageColumns +
                              " FROM tree JOIN messages USING (id) ORDER BY tree.depth, parent_id, sibling_index",
                          conversation_id);
}

DbResult<std::int64_t> ConversationStore::edit_message(std::int64_t message_id, std::string content) {
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(db_));
    STORAGE_ASSIGN(Message original, message(message_id));
    NewMessage edited;
    edited.parent_id = original.parent_id;
    edited.role = original.role;
    edited.content = std::move(content);
    edited.model = original.model;
    STORAGE_ASSIGN(std::int64_t id, insert_message(original.conversation_id, edited, true));
    STORAGE_TRY(tx.commit());
    return id;
}

DbStatus ConversationStore::set_current_leaf(std::int64_t conversation_id, std::int64_t leaf_id) {
    STORAGE_ASSIGN(Message leaf, message(leaf_id));
    if (leaf.conversation_id != conversation_id)
        return DbError{"message " + std::to_string(leaf_id) + " belongs to another conversation", kErrorMisuse};
    // Showing another branch is not an edit: updated_at stays, so the list order does not jump.
    return db_.run("UPDATE conversations SET current_leaf_id = ? WHERE id = ?", leaf_id, conversation_id);
}

DbResult<std::int64_t> ConversationStore::switch_to_branch(std::int64_t message_id) {
    STORAGE_ASSIGN(Message start, message(message_id));
    STORAGE_ASSIGN(Statement newest_child,
                   db_.prepare("SELECT id FROM messages WHERE parent_id = ? ORDER BY sibling_index DESC LIMIT 1"));
    std::int64_t leaf = message_id;
    for (;;) {
        newest_child.reset();
        STORAGE_TRY(newest_child.bind(1, leaf));
        STORAGE_ASSIGN(bool has_child, newest_child.step());
        if (!has_child) break;
        leaf = newest_child.column_int64(0);
    }
    STORAGE_TRY(set_current_leaf(start.conversation_id, leaf));
    return leaf;
}

DbResult<std::int64_t> ConversationStore::fork(std::int64_t leaf_id) {
    STORAGE_ASSIGN(Transaction tx, Transaction::begin(db_));
    STORAGE_ASSIGN(std::vector<Message> path, path_to(leaf_id));
    STORAGE_ASSIGN(Conversation source, conversation(path.front().conversation_id));
    ConversationSettings settings = source.settings;
    settings.title = source.settings.title.empty() ? "Fork" : source.settings.title + " (fork)";
    settings.pinned = false;
    STORAGE_ASSIGN(std::int64_t fork_id, create_conversation(settings));
    std::optional<std::int64_t> parent;
    for (const Message& m : path) {
        NewMessage copy{parent, m.role, m.content, m.state, m.model, m.stats, m.created_at_ms};
        STORAGE_ASSIGN(std::int64_t id, insert_message(fork_id, copy, true));
        STORAGE_TRY(db_.run("UPDATE messages SET error_text = ? WHERE id = ?", m.error_text, id));
        parent = id;
    }
    STORAGE_TRY(tx.commit());
    return fork_id;
}

}  // namespace tessera::storage

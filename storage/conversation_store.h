// Conversations and their message trees.
//
// Invariants:
//   1. Nothing is overwritten: editing or regenerating adds a sibling (same parent, next
//      sibling_index); only a streaming reply's content grows, and only while streaming.
//   2. A message's parent is in the same conversation; sibling_index is unique and dense
//      per parent (0, 1, 2 ...) in insertion order.
//   3. current_leaf_id is a message of the conversation, or none for an empty one.
//   4. A conversation is in the bin when deleted_at is set: hidden from lists and search,
//      restorable until purged (after the grace period, or on request).
//   5. Every write that spans several rows is one transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "storage/database.h"
#include "storage/model.h"

namespace tessera::storage {

using Clock = std::function<std::int64_t()>;  // milliseconds since the Unix epoch
std::int64_t system_clock_ms();

class ConversationStore {
public:
    explicit ConversationStore(Database& db, Clock clock = system_clock_ms) : db_(db), clock_(std::move(clock)) {}

    // Conversations.
    DbResult<std::int64_t> create_conversation(const ConversationSettings& settings);
    DbResult<Conversation> conversation(std::int64_t id);
    DbStatus update_settings(std::int64_t id, const ConversationSettings& settings);
    // Not in the bin; pinned first, then most recently updated.
    DbResult<std::vector<Conversation>> recent_conversations(int limit, int offset = 0);
    DbResult<std::vector<Conversation>> deleted_conversations();

    DbStatus soft_delete(std::int64_t id);
    DbStatus undo_delete(std::int64_t id);
    DbStatus purge(std::int64_t id);                                // only from the bin
    DbResult<std::int64_t> purge_deleted_before(std::int64_t time_ms);  // returns how many

    // Messages.
    DbResult<std::int64_t> add_message(std::int64_t conversation_id, const NewMessage& message);
    DbResult<Message> message(std::int64_t id);
    // Root first, leaf last.
    DbResult<std::vector<Message>> path_to(std::int64_t leaf_id);
    // The end of that path, root-most first, for a long conversation shown a page at a time:
    // at most `limit` messages, none from `above` upwards (`above` must lie on the path;
    // nullopt: up to the root).
    DbResult<std::vector<Message>> path_tail(std::int64_t leaf_id, std::int64_t limit,
                                             std::optional<std::int64_t> above = std::nullopt);
    DbResult<std::vector<Message>> current_path(std::int64_t conversation_id);
    // The message and its siblings, in sibling order (the message itself included).
    DbResult<std::vector<Message>> siblings(std::int64_t message_id);
    DbResult<std::vector<Message>> children(std::int64_t message_id);
    DbResult<std::vector<Message>> all_messages(std::int64_t conversation_id);  // parents before children

    // A new sibling with the same parent and role: the edited text, shown from now on.
    DbResult<std::int64_t> edit_message(std::int64_t message_id, std::string content);
    // Shows the branch through message_id: the leaf reached by following the newest child.
    DbResult<std::int64_t> switch_to_branch(std::int64_t message_id);
    DbStatus set_current_leaf(std::int64_t conversation_id, std::int64_t leaf_id);
    // A new conversation holding a copy of the path root..leaf_id; returns its id.
    DbResult<std::int64_t> fork(std::int64_t leaf_id);

    Database& db() { return db_; }
    std::int64_t now() const { return clock_(); }

    // Inserts without a transaction of its own (callers hold one).
    DbResult<std::int64_t> insert_message(std::int64_t conversation_id, const NewMessage& message,
                                          bool make_current);

private:
    template <typename... Args>
    DbResult<std::vector<Message>> query_messages(std::string_view sql, const Args&... args);

    Database& db_;
    Clock clock_;
};

}  // namespace tessera::storage

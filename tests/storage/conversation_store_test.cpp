#include <sqlite3.h>

#include "storage/conversation_store.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class ConversationStoreTest : public testing::TempDirTest {
protected:
    void SetUp() override {
        TempDirTest::SetUp();
        db_ = open_migrated();
        store_ = std::make_unique<ConversationStore>(db_, [this] { return clock_ms_; });
    }
    std::int64_t add(std::int64_t conversation, std::optional<std::int64_t> parent, Role role, std::string text) {
        NewMessage m;
        m.parent_id = parent;
        m.role = role;
        m.content = std::move(text);
        return must(store_->add_message(conversation, m));
    }
    static std::vector<std::string> contents(const std::vector<Message>& messages) {
        std::vector<std::string> out;
        for (const auto& m : messages) out.push_back(m.content);
        return out;
    }

    Database db_;
    std::int64_t clock_ms_ = 1'000'000;
    std::unique_ptr<ConversationStore> store_;
};

TEST_F(ConversationStoreTest, ConversationSettingsRoundTrip) {
    ConversationSettings s;
    s.title = "Trip planning";
    s.pinned = true;
    s.folder = "travel";
    s.model = "nemotron-51b-q4";
    s.system_prompt = "You are terse.";
    s.sampling_json = R"({"temperature":0.7})";
    s.reasoning = "off";
    auto id = must(store_->create_conversation(s));
    auto c = must(store_->conversation(id));
    EXPECT_EQ(c.settings.title, "Trip planning");
    EXPECT_TRUE(c.settings.pinned);
    EXPECT_EQ(c.settings.folder, "travel");
    EXPECT_EQ(c.settings.model, "nemotron-51b-q4");
    EXPECT_EQ(c.settings.system_prompt, "You are terse.");
    EXPECT_EQ(c.settings.sampling_json, R"({"temperature":0.7})");
    EXPECT_EQ(c.settings.reasoning, "off");
    EXPECT_EQ(c.created_at_ms, 1'000'000);
    EXPECT_FALSE(c.current_leaf_id.has_value());
    s.title = "Renamed";
    s.folder.reset();
    clock_ms_ += 5;
    ASSERT_OK(store_->update_settings(id, s));
    c = must(store_->conversation(id));
    EXPECT_EQ(c.settings.title, "Renamed");
    EXPECT_FALSE(c.settings.folder.has_value());
    EXPECT_EQ(c.updated_at_ms, 1'000'005);
    auto missing = store_->conversation(999);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().extended_code, kErrorNotFound);
}

TEST_F(ConversationStoreTest, PathSiblingsEditAndBranchSwitching) {
    auto c = must(store_->create_conversation({"tree"}));
    auto u1 = add(c, std::nullopt, Role::user, "hello");
    auto a1 = add(c, u1, Role::assistant, "hi");
    auto u2 = add(c, a1, Role::user, "question");
    auto a2 = add(c, u2, Role::assistant, "answer one");
    EXPECT_EQ(contents(must(store_->current_path(c))),
              (std::vector<std::string>{"hello", "hi", "question", "answer one"}));

    // Regenerate: a sibling reply; the old one stays.
    auto a2b = add(c, u2, Role::assistant, "answer two");
    EXPECT_EQ(must(store_->conversation(c)).current_leaf_id, a2b);
    auto sibs = must(store_->siblings(a2));
    ASSERT_EQ(sibs.size(), 2u);
    EXPECT_EQ(sibs[0].id, a2);
    EXPECT_EQ(sibs[0].sibling_index, 0);
    EXPECT_EQ(sibs[1].id, a2b);
    EXPECT_EQ(sibs[1].sibling_index, 1);

    // Edit the first question: a sibling user message; the original subtree is kept.
    auto u2_edit = must(store_->edit_message(u2, "better question"));
    EXPECT_EQ(must(store_->message(u2_edit)).parent_id, a1);
    EXPECT_EQ(contents(must(store_->current_path(c))),
              (std::vector<std::string>{"hello", "hi", "better question"}));
    EXPECT_EQ(must(store_->message(u2)).content, "question");  // nothing overwritten
    auto a3 = add(c, u2_edit, Role::assistant, "answer to better");

    // Switch back to the original question: follows the newest child down to a leaf.
    EXPECT_EQ(must(store_->switch_to_branch(u2)), a2b);
    EXPECT_EQ(contents(must(store_->current_path(c))),
              (std::vector<std::string>{"hello", "hi", "question", "answer two"}));
    EXPECT_EQ(must(store_->switch_to_branch(a2)), a2);
    EXPECT_EQ(must(store_->switch_to_branch(u2_edit)), a3);
    EXPECT_EQ(must(store_->children(a1)).size(), 2u);
    EXPECT_EQ(must(store_->all_messages(c)).size(), 7u);

    // Root siblings (editing the first message).
    auto u1_edit = must(store_->edit_message(u1, "hello again"));
    auto roots = must(store_->siblings(u1_edit));
    ASSERT_EQ(roots.size(), 2u);
    EXPECT_EQ(roots[1].id, u1_edit);
    EXPECT_FALSE(roots[1].parent_id.has_value());
}

TEST_F(ConversationStoreTest, PathTailReadsALongPathAPageAtATime) {
    auto c = must(store_->create_conversation({"long"}));
    std::vector<std::int64_t> ids;
    std::optional<std::int64_t> parent;
    for (int i = 0; i < 10; ++i) {
        ids.push_back(add(c, parent, i % 2 ? Role::assistant : Role::user, "m" + std::to_string(i)));
        parent = ids.back();
    }
    // The newest page, root-most first.
    EXPECT_EQ(contents(must(store_->path_tail(ids[9], 3))), (std::vector<std::string>{"m7", "m8", "m9"}));
    // The page above it: from the parent of the oldest shown message.
    EXPECT_EQ(contents(must(store_->path_tail(ids[6], 3))), (std::vector<std::string>{"m4", "m5", "m6"}));
    // The last page is short; a limit past the root gives the whole path.
    EXPECT_EQ(contents(must(store_->path_tail(ids[1], 3))), (std::vector<std::string>{"m0", "m1"}));
    EXPECT_EQ(must(store_->path_tail(ids[9], 100)).size(), 10u);
    // Stopping above a message keeps what lies below it, however many.
    EXPECT_EQ(contents(must(store_->path_tail(ids[9], 100, ids[5]))),
              (std::vector<std::string>{"m6", "m7", "m8", "m9"}));
    EXPECT_EQ(contents(must(store_->path_tail(ids[9], 2, ids[5]))), (std::vector<std::string>{"m8", "m9"}));
    EXPECT_FALSE(store_->path_tail(999, 3).ok());
}

TEST_F(ConversationStoreTest, ParentFromAnotherConversationIsRefused) {
    auto c1 = must(store_->create_conversation({"one"}));
    auto c2 = must(store_->create_conversation({"two"}));
    auto m1 = add(c1, std::nullopt, Role::user, "x");
    NewMessage m;
    m.parent_id = m1;
    m.content = "y";
    auto result = store_->add_message(c2, m);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().extended_code, kErrorMisuse);
    auto leaf = store_->set_current_leaf(c2, m1);
    EXPECT_FALSE(leaf.ok());
}

TEST_F(ConversationStoreTest, ForkCopiesThePathIntoANewConversation) {
    ConversationSettings s{"source"};
    s.system_prompt = "be brief";
    auto c = must(store_->create_conversation(s));
    auto u1 = add(c, std::nullopt, Role::user, "a");
    auto a1 = add(c, u1, Role::assistant, "b");
    add(c, a1, Role::user, "c (not forked)");
    add(c, u1, Role::assistant, "b' (sibling, not forked)");
    auto fork = must(store_->fork(a1));
    EXPECT_NE(fork, c);
    auto forked = must(store_->conversation(fork));
    EXPECT_EQ(forked.settings.title, "source (fork)");
    EXPECT_EQ(forked.settings.system_prompt, "be brief");
    EXPECT_EQ(contents(must(store_->current_path(fork))), (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(must(store_->all_messages(fork)).size(), 2u);
    EXPECT_EQ(must(store_->all_messages(c)).size(), 4u);  // the source is untouched
}

TEST_F(ConversationStoreTest, RecentListOrdersPinnedThenUpdated) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 5; ++i) {
        clock_ms_ += 10;
        ids.push_back(must(store_->create_conversation({"c" + std::to_string(i)})));
    }
    clock_ms_ += 10;
    add(ids[1], std::nullopt, Role::user, "bump");  // updated most recently
    ConversationSettings pinned{"c3"};
    pinned.pinned = true;
    ASSERT_OK(store_->update_settings(ids[3], pinned));
    auto recent = must(store_->recent_conversations(3));
    ASSERT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent[0].id, ids[3]);
    EXPECT_EQ(recent[1].id, ids[1]);
    EXPECT_EQ(recent[2].id, ids[4]);
    EXPECT_EQ(must(store_->recent_conversations(10, 3)).size(), 2u);
}

TEST_F(ConversationStoreTest, SoftDeleteUndoAndPurge) {
    auto keep = must(store_->create_conversation({"keep"}));
    auto gone = must(store_->create_conversation({"gone"}));
    auto m = add(gone, std::nullopt, Role::user, "text of gone");
    add(gone, m, Role::assistant, "reply");

    ASSERT_OK(store_->soft_delete(gone));
    EXPECT_EQ(must(store_->recent_conversations(10)).size(), 1u);
    EXPECT_EQ(must(store_->deleted_conversations()).size(), 1u);
    EXPECT_FALSE(store_->soft_delete(gone).ok());  // already in the bin
    ASSERT_OK(store_->undo_delete(gone));
    EXPECT_EQ(must(store_->recent_conversations(10)).size(), 2u);
    EXPECT_EQ(must(store_->all_messages(gone)).size(), 2u);  // undo brings everything back

    EXPECT_FALSE(store_->purge(gone).ok());  // purge only from the bin
    ASSERT_OK(store_->soft_delete(gone));
    // Grace period: not purged while younger than the cut-off.
    EXPECT_EQ(must(store_->purge_deleted_before(clock_ms_)), 0);
    clock_ms_ += 1000;
    EXPECT_EQ(must(store_->purge_deleted_before(clock_ms_)), 1);
    EXPECT_FALSE(store_->conversation(gone).ok());
    EXPECT_EQ(must(db_.query_int("SELECT count(*) FROM messages")), 0);  // cascaded
    EXPECT_EQ(must(db_.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'gone'")), 0);
    EXPECT_TRUE(store_->conversation(keep).ok());

    auto now_gone = must(store_->create_conversation({"purge now"}));
    ASSERT_OK(store_->soft_delete(now_gone));
    ASSERT_OK(store_->purge(now_gone));  // on request
    EXPECT_FALSE(store_->conversation(now_gone).ok());
    EXPECT_EQ(must(db_.query_text("PRAGMA integrity_check")), "ok");
    EXPECT_EQ(must(db_.query_int("SELECT count(*) FROM pragma_foreign_key_check")), 0);
}

// S9: a 100 MB message is rejected cleanly; the database is unchanged.
TEST_F(ConversationStoreTest, HugeMessageIsRejectedCleanly) {
    auto c = must(store_->create_conversation({"big"}));
    NewMessage m;
    m.content.assign(100u << 20, 'x');
    auto result = store_->add_message(c, m);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().extended_code, kErrorTooBig);
    EXPECT_NE(result.error().message.find("100 MiB"), std::string::npos);
    EXPECT_EQ(must(db_.query_int("SELECT count(*) FROM messages")), 0);
    // Just under the limit is stored.
    m.content.assign(1u << 20, 'y');
    auto id = must(store_->add_message(c, m));
    EXPECT_EQ(must(store_->message(id)).content.size(), 1u << 20);
}

}  // namespace
}  // namespace tessera::storage

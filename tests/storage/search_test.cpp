#include <algorithm>

#include "storage/conversation_store.h"
#include "storage/search.h"
#include "storage/streaming.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class SearchTest : public testing::TempDirTest {
protected:
    void SetUp() override {
        TempDirTest::SetUp();
        db_ = open_migrated();
        store_ = std::make_unique<ConversationStore>(db_);
    }
    std::int64_t add(std::int64_t c, std::string text) {
        NewMessage m;
        m.content = std::move(text);
        return must(store_->add_message(c, m));
    }
    Database db_;
    std::unique_ptr<ConversationStore> store_;
};

TEST_F(SearchTest, FindsMessagesAndTitlesWithSnippetsAndRanking) {
    auto rust = must(store_->create_conversation({"Rust lifetimes"}));
    auto cooking = must(store_->create_conversation({"Cooking"}));
    auto once = add(cooking, "a recipe mentioning a borrow checker once among many other words about onions");
    auto many = add(rust, "borrow checker, borrow checker: the borrow checker rejects this");
    add(cooking, "nothing relevant here");

    auto hits = must(search(db_, "borrow checker"));
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].message_id, many);  // more occurrences in a shorter text rank first
    EXPECT_EQ(hits[1].message_id, once);
    EXPECT_LT(hits[0].rank, hits[1].rank);
    EXPECT_EQ(hits[0].conversation_title, "Rust lifetimes");
    EXPECT_NE(hits[1].snippet.find("[borrow] [checker]"), std::string::npos) << hits[1].snippet;

    auto title_hits = must(search(db_, "lifetim"));  // prefix on the last word
    ASSERT_EQ(title_hits.size(), 1u);
    EXPECT_FALSE(title_hits[0].message_id.has_value());
    EXPECT_EQ(title_hits[0].snippet, "Rust [lifetimes]");
}

TEST_F(SearchTest, IndexFollowsInsertsUpdatesDeletesAndTheBin) {
    auto c = must(store_->create_conversation({"chat"}));
    auto turn = must(begin_turn(*store_, c, std::nullopt, "question", std::nullopt, std::chrono::hours(1)));
    ASSERT_OK(turn.reply.append("zebra stripes"));
    ASSERT_OK(turn.reply.flush());
    EXPECT_EQ(must(search(db_, "zebra")).size(), 1u);  // streamed text is searchable
    ASSERT_OK(turn.reply.append(" and giraffes"));
    ASSERT_OK(turn.reply.finish({}));
    EXPECT_EQ(must(search(db_, "giraffes")).size(), 1u);
    EXPECT_EQ(must(search(db_, "zebra")).size(), 1u);

    ASSERT_OK(store_->update_settings(c, {"Savanna animals"}));
    EXPECT_EQ(must(search(db_, "savanna")).size(), 1u);
    EXPECT_EQ(must(search(db_, "chat")).size(), 0u);  // the old title is gone from the index

    ASSERT_OK(store_->soft_delete(c));
    EXPECT_EQ(must(search(db_, "zebra")).size(), 0u);  // the bin is not searched
    ASSERT_OK(store_->undo_delete(c));
    EXPECT_EQ(must(search(db_, "zebra")).size(), 1u);
    ASSERT_OK(store_->soft_delete(c));
    ASSERT_OK(store_->purge(c));
    EXPECT_EQ(must(db_.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'zebra'")), 0);
    // The external-content index agrees with its tables.
    ASSERT_OK(db_.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
    ASSERT_OK(db_.exec("INSERT INTO titles_fts(titles_fts, rank) VALUES ('integrity-check', 1)"));
}

TEST_F(SearchTest, CommonWordsAreRankedAmongTheNewestMatches) {
    auto c = must(store_->create_conversation({"history"}));
    // The best match (three occurrences, short) is the oldest.
    auto best_old = add(c, "kettle kettle kettle");
    std::vector<std::int64_t> ids;
    for (int i = 0; i < 10; ++i) ids.push_back(add(c, "a long message that names the kettle once among many words " +
                                                         std::to_string(i)));
    auto all = must(search(db_, "kettle", {.limit = 3, .rank_window = 0}));
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].message_id, best_old);  // ranked among all matches
    auto windowed = must(search(db_, "kettle", {.limit = 3, .rank_window = 4}));
    ASSERT_EQ(windowed.size(), 3u);
    for (const auto& hit : windowed) {  // only the 4 newest matches were candidates
        EXPECT_GE(*hit.message_id, ids[6]);
        EXPECT_NE(hit.snippet.find("[kettle]"), std::string::npos) << hit.snippet;
    }
    auto wide = must(search(db_, "kettle", {.limit = 3, .rank_window = 11}));
    EXPECT_EQ(wide[0].message_id, best_old);  // fewer matches than the window: full ranking
}

TEST_F(SearchTest, UserTextWithOperatorsAndQuotesIsTakenLiterally) {
    auto c = must(store_->create_conversation({"ops"}));
    add(c, "use NOT carefully; the \"quoted\" word and C++ AND friends");
    for (const char* text : {"NOT", "\"quoted\"", "C++", "AND", "(", "*", "\"", "NEAR(a b)", "col:x"}) {
        auto hits = search(db_, text);
        EXPECT_TRUE(hits.ok()) << text << ": " << hits.error().message;
    }
    EXPECT_EQ(must(search(db_, "NOT")).size(), 1u);
    EXPECT_EQ(must(search(db_, "quoted")).size(), 1u);
    EXPECT_EQ(must(search(db_, "   ")).size(), 0u);
    EXPECT_EQ(must(to_fts_query(db_, "a \"bcd")), "\"a\" \"bcd\"*");
    EXPECT_EQ(must(to_fts_query(db_, "a bc")), "\"a\" \"bc\"");  // too short for a prefix
    // Words as the index splits them, folded; a last word under 3 letters is not a prefix.
    EXPECT_EQ(must(to_fts_query(db_, "Don't NEAR(a b)")), "\"don\" \"t\" \"near\" \"a\" \"b\"");
    EXPECT_EQ(must(to_fts_query(db_, "Éclair")), "\"eclair\"*");
}

// A last word longer than the index's 3-letter prefixes is expanded into the whole words
// that start with it (fast where FTS5 would merge every posting of the prefix first).
TEST_F(SearchTest, LongPrefixesFindEveryWordThatStartsSoAndNothingElse) {
    auto c = must(store_->create_conversation({"minerals"}));
    auto terbium = add(c, "terbium glows green under ultraviolet light");
    auto terbinafine = add(c, "terbinafine treats a fungal infection");
    add(c, "termites ate the terrace");
    EXPECT_EQ(must(to_messages_query(db_, "green Terbi")), "\"green\" AND (\"terbinafine\" OR \"terbium\")");
    EXPECT_EQ(must(to_fts_query(db_, "green Terbi")), "\"green\" \"terbi\"*");  // titles keep the prefix
    auto hits = must(search_messages(db_, "terbi"));
    ASSERT_EQ(hits.size(), 2u);
    std::vector<std::int64_t> ids{*hits[0].message_id, *hits[1].message_id};
    std::sort(ids.begin(), ids.end());
    EXPECT_EQ(ids, (std::vector<std::int64_t>{terbium, terbinafine}));
    for (const auto& hit : hits) EXPECT_NE(hit.snippet.find("[terbi"), std::string::npos) << hit.snippet;
    EXPECT_EQ(must(search_messages(db_, "green terbi")).size(), 1u);  // every word must occur
    EXPECT_TRUE(must(search_messages(db_, "terbx")).empty());        // no word starts so
    EXPECT_EQ(must(search(db_, "minera")).size(), 1u);               // a title prefix still matches

    // More completions than kMaxPrefixWords: the first ones, in order, are used.
    std::string many;
    for (int i = 0; i < kMaxPrefixWords + 40; ++i) many += "zqxa" + std::to_string(1000 + i) + " ";
    add(c, many);
    const std::string query = must(to_messages_query(db_, "zqxa"));
    EXPECT_EQ(static_cast<int>(std::count(query.begin(), query.end(), '"')), 2 * kMaxPrefixWords);
    EXPECT_EQ(must(search_messages(db_, "zqxa")).size(), 1u);
}

// detail=none has no phrases: text the tokenizer splits (apostrophes, hyphens) is still found.
TEST_F(SearchTest, WordsWithPunctuationInsideAreFound) {
    auto c = must(store_->create_conversation({"punctuation"}));
    auto id = add(c, "I don't know the e-mail address of the café owner, 3.5 stars");
    for (const char* text : {"don't", "e-mail", "Cafe", "3.5", "don\u2019t"}) {
        auto hits = must(search_messages(db_, text));
        ASSERT_EQ(hits.size(), 1u) << text;
        EXPECT_EQ(hits[0].message_id, id);
    }
    EXPECT_EQ(must(search_messages(db_, "don't stars")).size(), 1u);
    EXPECT_EQ(must(search_messages(db_, "don't moon")).size(), 0u);
}

}  // namespace
}  // namespace tessera::storage

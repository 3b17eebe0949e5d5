#include <sqlite3.h>

#include <random>

#include "storage/conversation_store.h"
#include "storage/search.h"
#include "storage/text_codec.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class TextCodecTest : public testing::TempDirTest {};

std::string sample_text(std::size_t size) {
    std::string out;
    std::mt19937 rng(7);
    const char* words[] = {"the", "model", "answers", "quickly", "when", "asked", "about", "kettles", "and", "tea"};
    while (out.size() < size) out += std::string(words[rng() % 10]) + " ";
    out.resize(size);
    return out;
}

TEST(TextCodec, PackedTextRoundTripsAndIsSmaller) {
    for (std::size_t size : {std::size_t{100}, std::size_t{200}, std::size_t{5000}, std::size_t{1} << 20}) {
        std::string text = sample_text(size);
        auto packed = pack_text(text);
        ASSERT_TRUE(packed.has_value()) << size;
        EXPECT_LT(packed->size(), text.size());
        EXPECT_EQ(must(unpack_text(*packed)), text);
    }
    EXPECT_FALSE(pack_text("short").has_value());  // below kPackMinBytes: kept as text
    std::string random_bytes(300, '\0');
    std::mt19937 rng(1);
    for (char& c : random_bytes) c = static_cast<char>(rng());
    EXPECT_FALSE(pack_text(random_bytes).has_value());  // would not shrink
}

TEST(TextCodec, DamagedOrUnknownBlobIsAnErrorNotGarbage) {
    std::string packed = *pack_text(sample_text(400));
    std::string truncated = packed.substr(0, packed.size() / 2);
    auto r = unpack_text(truncated);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().primary_code(), SQLITE_CORRUPT);
    EXPECT_NE(r.error().message.find("damaged"), std::string::npos);
    std::string future = packed;
    future[0] = 9;  // a format this version does not know
    auto f = unpack_text(future);
    ASSERT_FALSE(f.ok());
    EXPECT_NE(f.error().message.find("unknown format"), std::string::npos);
}

// Through the store: long messages are stored packed, read back whole, and searchable;
// short ones and streaming replies stay plain text.
TEST_F(TextCodecTest, StoreKeepsLongMessagesPackedAndSearchable) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    const std::string long_text = sample_text(3000) + " quillwort";
    NewMessage m;
    m.content = long_text;
    auto long_id = must(store.add_message(c, m));
    m.content = "hi";
    auto short_id = must(store.add_message(c, m));
    EXPECT_EQ(must(db.query_text("SELECT typeof(content) FROM messages WHERE id = " + std::to_string(long_id))), "blob");
    EXPECT_LT(must(db.query_int("SELECT length(content) FROM messages WHERE id = ?", long_id)),
              static_cast<std::int64_t>(long_text.size()) / 2);
    EXPECT_EQ(must(db.query_text("SELECT typeof(content) FROM messages WHERE id = " + std::to_string(short_id))), "text");
    EXPECT_EQ(must(store.message(long_id)).content, long_text);
    EXPECT_EQ(must(store.message(short_id)).content, "hi");
    auto hits = must(search_messages(db, "quillwort"));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].message_id, long_id);
    EXPECT_NE(hits[0].snippet.find("[quillwort]"), std::string::npos) << hits[0].snippet;
    // A damaged packed row is reported, not returned as garbage.
    ASSERT_OK(db.run("UPDATE messages SET content = x'01ffffff00' WHERE id = ?", short_id));
    auto damaged = store.message(short_id);
    ASSERT_FALSE(damaged.ok());
    EXPECT_NE(damaged.error().message.find("damaged"), std::string::npos) << damaged.error().message;
    // It is left out of the index, but never blocks other writes or its own deletion.
    EXPECT_EQ(must(store.message(long_id)).content, long_text);
    ASSERT_OK(db.run("DELETE FROM messages WHERE id = ?", short_id));
    ASSERT_OK(db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
}

}  // namespace
}  // namespace tessera::storage

#include <malloc.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "storage/export_import.h"
#include "storage/transaction.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class ExportImportTest : public testing::TempDirTest {
protected:
    void SetUp() override {
        TempDirTest::SetUp();
        db_ = open_migrated();
        store_ = std::make_unique<ConversationStore>(db_, [this] { return clock_ms_++; });
    }
    std::int64_t add(std::int64_t conversation, std::optional<std::int64_t> parent, Role role, std::string text) {
        NewMessage m;
        m.parent_id = parent;
        m.role = role;
        m.content = std::move(text);
        return must(store_->add_message(conversation, m));
    }
    std::int64_t count(const char* table) { return must(db_.query_int(std::string("SELECT count(*) FROM ") + table)); }

    // The tree as text, independent of ids: each message with its path of sibling indexes.
    std::vector<std::string> shape(std::int64_t conversation) {
        std::vector<std::string> out;
        std::unordered_map<std::int64_t, std::string> key;
        for (const Message& m : must(store_->all_messages(conversation))) {
            std::string k = (m.parent_id ? key.at(*m.parent_id) + "/" : std::string()) + std::to_string(m.sibling_index);
            key[m.id] = k;
            out.push_back(k + " " + std::string(to_string(m.role)) + " " + std::string(to_string(m.state)) + " " +
                          m.content + " " + m.error_text.value_or("-") + " " + m.model.value_or("-") + " " +
                          std::to_string(m.stats.completion_tokens.value_or(-1)) + " " +
                          std::to_string(m.stats.tokens_per_second.value_or(-1)) + " " +
                          std::to_string(m.created_at_ms));
        }
        std::sort(out.begin(), out.end());
        return out;
    }
    std::vector<std::string> shown(std::int64_t conversation) {
        std::vector<std::string> out;
        for (const Message& m : must(store_->current_path(conversation))) out.push_back(m.content);
        return out;
    }

    // hello -> hi -> {question -> {answer one, answer two (error)}, edited question -> answer three}
    std::int64_t make_tree() {
        ConversationSettings s;
        s.title = "Trip planning";
        s.folder = "travel";
        s.model = "nemotron-51b-q4";
        s.system_prompt = "You are terse.";
        s.sampling_json = R"({"temperature":0.7})";
        s.reasoning = "off";
        auto c = must(store_->create_conversation(s));
        auto u1 = add(c, std::nullopt, Role::user, "hello");
        auto a1 = add(c, u1, Role::assistant, "hi");
        auto u2 = add(c, a1, Role::user, "question");
        NewMessage answer{u2, Role::assistant, "answer one", MessageState::complete, "nemotron-51b-q4",
                          MessageStats{12, 34, 56.5, 78.25}, std::nullopt};
        must(store_->add_message(c, answer));
        auto a2b = add(c, u2, Role::assistant, "answer two");
        EXPECT_TRUE(db_.run("UPDATE messages SET state = 'error', error_text = 'out of memory' WHERE id = ?", a2b).ok());
        auto u2b = must(store_->edit_message(u2, "edited question"));
        add(c, u2b, Role::assistant, "answer three");
        EXPECT_TRUE(store_->switch_to_branch(a2b).ok());  // the shown leaf is not the newest message
        return c;
    }

    Database db_;
    std::int64_t clock_ms_ = 1'700'000'000'000;
    std::unique_ptr<ConversationStore> store_;
};

TEST_F(ExportImportTest, JsonRoundTripKeepsTreeSettingsAndShownLeaf) {
    auto c = make_tree();
    auto empty = must(store_->create_conversation({"empty"}));
    std::vector<std::int64_t> ids{c, empty};
    std::string text = must(export_json(*store_, ids));
    auto doc = nlohmann::json::parse(text);
    EXPECT_EQ(doc["format"], "tessera-conversations");
    EXPECT_EQ(doc["version"], kJsonExportVersion);

    auto report = must(import_json(*store_, text));
    ASSERT_EQ(report.conversation_ids.size(), 2u);
    EXPECT_EQ(report.messages, 7);
    auto copy = report.conversation_ids[0];
    EXPECT_NE(copy, c);  // never overwrites: new ids
    EXPECT_EQ(shape(copy), shape(c));
    EXPECT_EQ(shown(copy), shown(c));
    EXPECT_EQ(shown(copy), (std::vector<std::string>{"hello", "hi", "question", "answer two"}));
    auto original = must(store_->conversation(c));
    auto imported = must(store_->conversation(copy));
    EXPECT_EQ(imported.settings.title, original.settings.title);
    EXPECT_EQ(imported.settings.folder, original.settings.folder);
    EXPECT_EQ(imported.settings.model, original.settings.model);
    EXPECT_EQ(imported.settings.system_prompt, original.settings.system_prompt);
    EXPECT_EQ(imported.settings.sampling_json, original.settings.sampling_json);
    EXPECT_EQ(imported.settings.reasoning, original.settings.reasoning);
    EXPECT_EQ(imported.created_at_ms, original.created_at_ms);
    EXPECT_EQ(imported.updated_at_ms, original.updated_at_ms);
    EXPECT_TRUE(must(store_->all_messages(report.conversation_ids[1])).empty());
    EXPECT_EQ(count("conversations"), 4);
}

TEST_F(ExportImportTest, JsonImportTurnsStreamingIntoInterrupted) {
    auto c = must(store_->create_conversation({"s"}));
    auto u = add(c, std::nullopt, Role::user, "q");
    NewMessage partial{u, Role::assistant, "half a rep", MessageState::streaming, std::nullopt, {}, std::nullopt};
    must(store_->add_message(c, partial));
    std::vector<std::int64_t> ids{c};
    auto report = must(import_json(*store_, must(export_json(*store_, ids))));
    auto path = must(store_->current_path(report.conversation_ids[0]));
    ASSERT_EQ(path.size(), 2u);
    EXPECT_EQ(path[1].state, MessageState::interrupted);
    EXPECT_EQ(path[1].content, "half a rep");
}

TEST_F(ExportImportTest, MarkdownShowsTheShownPathAndMentionsBranches) {
    auto c = make_tree();
    std::string md = must(export_markdown(*store_, c));
    EXPECT_EQ(md.rfind("# Trip planning\n", 0), 0u) << md;
    auto at = [&](const std::string& s) { return md.find(s); };
    ASSERT_NE(at("## User\n\nhello"), std::string::npos) << md;
    ASSERT_NE(at("## Assistant\n\nhi"), std::string::npos);
    ASSERT_NE(at("## User\n\nquestion"), std::string::npos);
    ASSERT_NE(at("## Assistant (failed)\n\nanswer two"), std::string::npos);
    EXPECT_LT(at("hello"), at("\nhi\n"));
    EXPECT_LT(at("\nhi\n"), at("question"));
    EXPECT_LT(at("question"), at("answer two"));
    EXPECT_EQ(at("answer one"), std::string::npos);  // other branches are only mentioned
    EXPECT_EQ(at("answer three"), std::string::npos);
    EXPECT_NE(at("1 other version of this message"), std::string::npos);
    EXPECT_NE(at("out of memory"), std::string::npos);
    EXPECT_NE(at("holds 7 messages; 4 on the branch shown"), std::string::npos);
    EXPECT_NE(at("You are terse."), std::string::npos);

    must(store_->create_conversation({"second"}));
    std::string all = must(export_markdown_all(*store_));
    EXPECT_NE(all.find("# second"), std::string::npos);
    EXPECT_NE(all.find("# Trip planning"), std::string::npos);
}

// A small export as ChatGPT writes it: a null root, a hidden system message, an edited
// user message (two branches), a reasoning node to leave out, an image part.
constexpr const char* kChatGpt = R"json([
 {
  "title": "Sourdough help",
  "create_time": 1700000000.5,
  "update_time": 1700000900.25,
  "current_node": "a2b",
  "mapping": {
   "root": {"id": "root", "message": null, "parent": null, "children": ["sys"]},
   "sys": {"id": "sys", "parent": "root", "children": ["u1"],
           "message": {"id": "sys", "author": {"role": "system"}, "create_time": null,
                       "content": {"content_type": "text", "parts": [""]},
                       "metadata": {"is_visually_hidden_from_conversation": true}}},
   "u1": {"id": "u1", "parent": "sys", "children": ["a1"],
          "message": {"id": "u1", "author": {"role": "user"}, "create_time": 1700000001.0,
                      "content": {"content_type": "text", "parts": ["My starter smells like acetone."]}}},
   "a1": {"id": "a1", "parent": "u1", "children": ["u2", "u2b"],
          "message": {"id": "a1", "author": {"role": "assistant"}, "create_time": 1700000002.0,
                      "content": {"content_type": "text", "parts": ["It is hungry: feed it more often."]},
                      "metadata": {"model_slug": "gpt-4o"}}},
   "u2": {"id": "u2", "parent": "a1", "children": ["a2"],
          "message": {"id": "u2", "author": {"role": "user"}, "create_time": 1700000100.0,
                      "content": {"content_type": "text", "parts": ["How often?"]}}},
   "a2": {"id": "a2", "parent": "u2", "children": [],
          "message": {"id": "a2", "author": {"role": "assistant"}, "create_time": 1700000101.0,
                      "content": {"content_type": "text", "parts": ["Twice a day."]}}},
   "u2b": {"id": "u2b", "parent": "a1", "children": ["t"],
           "message": {"id": "u2b", "author": {"role": "user"}, "create_time": 1700000200.0,
                       "content": {"content_type": "multimodal_text",
                                   "parts": [{"content_type": "image_asset_pointer", "asset_pointer": "file-1"},
                                             "Here is a photo. How often should I feed it?"]}}},
   "t": {"id": "t", "parent": "u2b", "children": ["a2b"],
         "message": {"id": "t", "author": {"role": "assistant"}, "create_time": 1700000201.0,
                     "content": {"content_type": "thoughts", "thoughts": [{"summary": "x", "content": "y"}]}}},
   "a2b": {"id": "a2b", "parent": "t", "children": [],
           "message": {"id": "a2b", "author": {"role": "assistant"}, "create_time": 1700000202.0,
                       "content": {"content_type": "text", "parts": ["Every 12 hours at room temperature."]}}}
  }
 },
 {
  "title": null, "create_time": 1700001000.0, "update_time": 1700001000.0,
  "mapping": {
   "r": {"id": "r", "message": null, "parent": null, "children": ["q"]},
   "q": {"id": "q", "parent": "r", "children": [],
         "message": {"id": "q", "author": {"role": "user"}, "create_time": 1700001000.0,
                     "content": {"content_type": "text", "parts": ["hi"]}}}
  }
 }
])json";

TEST_F(ExportImportTest, ChatGptImportKeepsBranchesAndCurrentNode) {
    auto report = must(import_chatgpt(*store_, kChatGpt));
    ASSERT_EQ(report.conversation_ids.size(), 2u);
    EXPECT_EQ(report.messages, 7);
    EXPECT_EQ(report.skipped_nodes, 4);  // two null roots, the hidden system message, the thoughts
    auto c = report.conversation_ids[0];
    auto conv = must(store_->conversation(c));
    EXPECT_EQ(conv.settings.title, "Sourdough help");
    EXPECT_EQ(conv.created_at_ms, 1700000000500);
    EXPECT_EQ(conv.updated_at_ms, 1700000900250);
    EXPECT_EQ(shown(c), (std::vector<std::string>{"My starter smells like acetone.", "It is hungry: feed it more often.",
                                                  "[image]\nHere is a photo. How often should I feed it?",
                                                  "Every 12 hours at room temperature."}));
    auto path = must(store_->current_path(c));
    EXPECT_FALSE(path[0].parent_id.has_value());  // the skipped root and system message are gone
    EXPECT_EQ(path[0].created_at_ms, 1700000001000);
    EXPECT_EQ(path[1].model, "gpt-4o");
    EXPECT_EQ(path[3].role, Role::assistant);
    auto branches = must(store_->children(path[1].id));
    ASSERT_EQ(branches.size(), 2u);
    EXPECT_EQ(branches[0].content, "How often?");
    EXPECT_EQ(must(store_->children(branches[0].id)).at(0).content, "Twice a day.");
    EXPECT_EQ(must(store_->all_messages(c)).size(), 6u);
    // No current_node: the newest branch is shown.
    EXPECT_EQ(shown(report.conversation_ids[1]), (std::vector<std::string>{"hi"}));
}

TEST_F(ExportImportTest, MalformedInputAddsNothing) {
    make_tree();
    const auto conversations = count("conversations"), messages = count("messages");
    auto expect_format_error = [&](auto result, const std::string& needle) {
        ASSERT_FALSE(result.ok());
        EXPECT_EQ(result.error().extended_code, kErrorFormat);
        EXPECT_NE(result.error().message.find(needle), std::string::npos) << result.error().message;
        EXPECT_EQ(count("conversations"), conversations);
        EXPECT_EQ(count("messages"), messages);
    };
    expect_format_error(import_json(*store_, R"({"format": "tessera-conversations", "version": 1, "conv)"),
                        "not valid JSON");
    expect_format_error(import_json(*store_, R"({"hello": 1})"), "not a Tessera export");
    expect_format_error(import_json(*store_, R"({"format": "tessera-conversations", "version": 99,
                                                "conversations": []})"),
                        "newer than this Tessera reads");
    // The first conversation is good; the second is broken half-way: the first is rolled back too.
    std::vector<std::int64_t> ids{1};
    auto doc = nlohmann::json::parse(must(export_json(*store_, ids)));
    auto broken = doc["conversations"][0];
    broken["messages"][3]["parent_id"] = 424242;
    doc["conversations"].push_back(broken);
    expect_format_error(import_json(*store_, doc.dump()), "conversation 1: message");
    broken = doc["conversations"][0];
    broken["messages"][2]["role"] = "wizard";
    doc["conversations"][1] = broken;
    expect_format_error(import_json(*store_, doc.dump()), "unknown role \"wizard\"");
    broken["messages"][2]["role"] = 7;
    doc["conversations"][1] = broken;
    expect_format_error(import_json(*store_, doc.dump()), "is not a string");

    expect_format_error(import_chatgpt(*store_, "[{\"title\": \"x\", \"mapping\": "), "not valid JSON");
    expect_format_error(import_chatgpt(*store_, R"({"mapping": {}})"), "expected an array");
    std::string chatgpt = kChatGpt;
    chatgpt.insert(chatgpt.rfind(']'), R"(, {"title": "bad", "mapping": 5})");
    expect_format_error(import_chatgpt(*store_, chatgpt), "conversation 2 has no \"mapping\"");
}

TEST_F(ExportImportTest, JsonImportToleratesDuplicateSiblingIndexesAndRejectsCycles) {
    auto doc = nlohmann::json::parse(R"({"format": "tessera-conversations", "version": 1, "conversations": [
        {"title": "hand-written", "current_leaf_id": 3, "messages": [
            {"id": 1, "parent_id": null, "role": "user", "content": "q"},
            {"id": 2, "parent_id": 1, "sibling_index": 0, "role": "assistant", "content": "first"},
            {"id": 3, "parent_id": 1, "sibling_index": 0, "role": "assistant", "content": "second"}]}]})");
    auto report = must(import_json(*store_, doc.dump()));
    auto c = report.conversation_ids.at(0);
    EXPECT_EQ(shown(c), (std::vector<std::string>{"q", "second"}));
    auto kids = must(store_->children(must(store_->current_path(c)).at(0).id));
    ASSERT_EQ(kids.size(), 2u);
    EXPECT_EQ(kids[0].content, "first");  // file order breaks the tie
    EXPECT_EQ(kids[1].sibling_index, 1);

    doc["conversations"][0]["messages"][0]["parent_id"] = 3;  // 1 -> 3 -> 1: no root
    const auto before = count("messages");
    auto cyclic = import_json(*store_, doc.dump());
    ASSERT_FALSE(cyclic.ok());
    EXPECT_NE(cyclic.error().message.find("cycle"), std::string::npos) << cyclic.error().message;
    EXPECT_EQ(count("messages"), before);
}

TEST_F(ExportImportTest, DeeplyNestedJsonIsRejectedWithoutCrashing) {
    std::string deep(100'000, '[');
    deep += std::string(100'000, ']');
    auto result = import_json(*store_, deep);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().extended_code, kErrorFormat);
    EXPECT_FALSE(import_chatgpt(*store_, deep).ok());
    EXPECT_FALSE(import_chatgpt(*store_, "[" + deep + "]").ok());
    EXPECT_EQ(count("conversations"), 0);
}


// Discards what is written, counting it, and notes the most heap in use at any write.
class MeasuringSink : public std::streambuf {
public:
    std::size_t bytes = 0;
    std::size_t peak_heap = 0;
    static std::size_t heap_in_use() {
        struct mallinfo2 info = ::mallinfo2();
        return info.uordblks + info.hblkhd;  // small blocks + blocks mapped on their own
    }

protected:
    std::streamsize xsputn(const char*, std::streamsize n) override {
        bytes += static_cast<std::size_t>(n);
        peak_heap = std::max(peak_heap, heap_in_use());
        return n;
    }
    int overflow(int c) override {
        if (c != traits_type::eof()) ++bytes;
        peak_heap = std::max(peak_heap, heap_in_use());
        return c;
    }
};

class LargeExportTest : public ExportImportTest {};

// A history far larger than one conversation is exported with memory for about one
// conversation, to a file that replaces the old one whole, and imports back the same.
TEST_F(LargeExportTest, StreamsConversationByConversationAndRoundTrips) {
    constexpr int kConversations = 60, kMessages = 100;
    std::mt19937 rng(3);
    std::vector<std::int64_t> ids;
    {
        auto tx = must(Transaction::begin(db_));
        for (int c = 0; c < kConversations; ++c) {
            auto id = must(store_->create_conversation({"conversation " + std::to_string(c)}));
            std::optional<std::int64_t> parent;
            for (int m = 0; m < kMessages; ++m) {
                NewMessage message;
                message.parent_id = parent;
                message.role = m % 2 ? Role::assistant : Role::user;
                message.content.resize(3000);
                for (char& ch : message.content) ch = static_cast<char>('a' + rng() % 26);
                parent = must(store_->insert_message(id, message, true));
            }
            ids.push_back(id);
        }
        ASSERT_OK(tx.commit());
    }
    const std::size_t history_bytes = std::size_t{kConversations} * kMessages * 3000;  // 18 MB

    MeasuringSink sink;
    std::ostream out(&sink);
    const std::size_t before = MeasuringSink::heap_in_use();
    ASSERT_OK(export_json_to(*store_, ids, out));
    EXPECT_GT(sink.bytes, history_bytes);  // it is all there
    // One conversation is 300 KB of text; the whole history held at once would be 18 MB+.
    EXPECT_LT(sink.peak_heap - std::min(sink.peak_heap, before), std::size_t{4} << 20)
        << "peak heap growth " << (sink.peak_heap - before) << " bytes";

    const auto target = dir_ / "history.json";
    { std::ofstream old(target); old << "an older export"; }
    ASSERT_OK(export_json_file(*store_, ids, target));
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
        EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
    std::ifstream in(target, std::ios::binary);
    std::string text{std::istreambuf_iterator<char>(in), {}};
    EXPECT_EQ(text.rfind("{", 0), 0u);
    auto report = must(import_json(*store_, text));
    ASSERT_EQ(report.conversation_ids.size(), ids.size());
    EXPECT_EQ(report.messages, kConversations * kMessages);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        EXPECT_EQ(shape(report.conversation_ids[i]), shape(ids[i])) << i;
        EXPECT_EQ(shown(report.conversation_ids[i]), shown(ids[i])) << i;
    }
}

TEST_F(ExportImportTest, FailedFileExportLeavesNothingBehind) {
    auto c = make_tree();
    std::vector<std::int64_t> ids{c};
    auto missing = dir_ / "no such folder" / "export.json";
    DbStatus status = export_json_file(*store_, ids, missing);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("no such folder"), std::string::npos) << status.error().message;
    EXPECT_FALSE(std::filesystem::exists(missing.parent_path()));
    // An unwritable target (a directory in its place) keeps what is there and leaves no temporary file.
    auto blocked = dir_ / "blocked.json";
    std::filesystem::create_directories(blocked / "inside");
    ASSERT_FALSE(export_json_file(*store_, ids, blocked).ok());
    EXPECT_TRUE(std::filesystem::exists(blocked / "inside"));
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
        EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace tessera::storage

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "storage/search.h"
#include "storage/storage.h"
#include "storage/streaming.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using namespace std::chrono_literals;
using testing::must;

class StreamingTest : public testing::TempDirTest {};

TEST_F(StreamingTest, UserMessageIsCommittedBeforeTheReplyStarts) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "my question", "model-x"));
    // A second connection (another process after a crash) already sees both rows.
    auto other = must(Database::open(db.path()));
    EXPECT_EQ(must(other.query_text("SELECT content FROM messages WHERE role = 'user'")), "my question");
    EXPECT_EQ(must(other.query_text("SELECT state FROM messages WHERE role = 'assistant'")), "streaming");
    EXPECT_EQ(must(store.message(turn.reply.message_id())).parent_id, turn.user_message_id);
    EXPECT_EQ(must(store.conversation(c)).current_leaf_id, turn.reply.message_id());
}

TEST_F(StreamingTest, TextIsWrittenInBatchesNotPerToken) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "q", std::nullopt, 1h));
    std::string expected;
    for (int i = 0; i < 500; ++i) {
        std::string token = "t" + std::to_string(i) + " ";
        expected += token;
        ASSERT_OK(turn.reply.append(token));
    }
    // Inside one interval nothing was written: the tokens wait in memory.
    EXPECT_EQ(turn.reply.saved_bytes(), 0u);
    EXPECT_EQ(must(store.message(turn.reply.message_id())).content, "");
    ASSERT_OK(turn.reply.flush());
    EXPECT_EQ(must(store.message(turn.reply.message_id())).content, expected);

    // With a 20 ms interval and a token every 5 ms (a clock driven by hand), exactly one
    // write happens per 4 tokens: 400 tokens, 100 writes.
    auto turn2 = must(begin_turn(store, c, turn.reply.message_id(), "q2", std::nullopt, 20ms));
    static std::chrono::steady_clock::time_point fake_now{};
    fake_now = {};
    turn2.reply.set_clock([] { return fake_now; });
    int writes = 0;
    std::size_t last_saved = 0;
    for (int i = 0; i < 400; ++i) {
        fake_now += 5ms;
        ASSERT_OK(turn2.reply.append("x"));
        if (turn2.reply.saved_bytes() != last_saved) ++writes, last_saved = turn2.reply.saved_bytes();
    }
    EXPECT_EQ(writes, 100);
    EXPECT_EQ(turn2.reply.saved_bytes(), 400u);
    MessageStats stats{12, 400, 35.5, 41.25};
    ASSERT_OK(turn2.reply.finish(stats));
    auto done = must(store.message(turn2.reply.message_id()));
    EXPECT_EQ(done.state, MessageState::complete);
    EXPECT_EQ(done.content, std::string(400, 'x'));
    EXPECT_EQ(done.stats.completion_tokens, 400);
    EXPECT_EQ(done.stats.time_to_first_token_ms, 35.5);
    EXPECT_EQ(done.stats.tokens_per_second, 41.25);
    EXPECT_FALSE(turn2.reply.append("late").ok() && turn2.reply.flush().ok());  // no longer streaming
}

TEST_F(StreamingTest, FailedReplyKeepsTextAndError) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "q", std::nullopt, 1h));
    ASSERT_OK(turn.reply.append("partial"));
    ASSERT_OK(turn.reply.fail("out of memory on the GPU"));
    auto m = must(store.message(turn.reply.message_id()));
    EXPECT_EQ(m.state, MessageState::error);
    EXPECT_EQ(m.content, "partial");
    EXPECT_EQ(m.error_text, "out of memory on the GPU");
}

TEST_F(StreamingTest, StoppedReplyKeepsTextAndStatsAsInterrupted) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "q", std::nullopt, 1h));
    ASSERT_OK(turn.reply.append("half an ans"));
    MessageStats stats;
    stats.completion_tokens = 4;
    ASSERT_OK(turn.reply.stop(stats));
    auto m = must(store.message(turn.reply.message_id()));
    EXPECT_EQ(m.state, MessageState::interrupted);
    EXPECT_EQ(m.content, "half an ans");
    EXPECT_EQ(m.stats.completion_tokens, 4);
    EXPECT_FALSE(m.error_text.has_value());
}

TEST_F(StreamingTest, StartupTurnsLeftoverStreamingRowsIntoInterrupted) {
    std::int64_t reply_id = 0;
    {
        StorageOptions options;
        options.data_dir = dir_;
        auto opened = must(open_storage(options));
        ConversationStore store(opened.db);
        auto c = must(store.create_conversation({"chat"}));
        auto turn = must(begin_turn(store, c, std::nullopt, "q", std::nullopt, 1h));
        ASSERT_OK(turn.reply.append("half a reply"));
        ASSERT_OK(turn.reply.flush());
        reply_id = turn.reply.message_id();
        // Dropped without finish(): as if the app had died.
    }
    StorageOptions options;
    options.data_dir = dir_;
    auto opened = must(open_storage(options));
    EXPECT_EQ(opened.report.interrupted_replies, 1);
    ConversationStore store(opened.db);
    auto m = must(store.message(reply_id));
    EXPECT_EQ(m.state, MessageState::interrupted);
    EXPECT_EQ(m.content, "half a reply");
}

// S4 / disk full: an injected SQLITE_FULL (max_page_count) fails the write cleanly; the
// text stays in memory and is written once space is back; nothing already saved is hurt.
TEST_F(StreamingTest, DiskFullFailsCleanlyAndIsRetried) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "keep me", std::nullopt, 1h));
    ASSERT_OK(turn.reply.append("saved part. "));
    ASSERT_OK(turn.reply.flush());
    auto pages = must(db.query_int("PRAGMA page_count"));
    ASSERT_OK(db.exec("PRAGMA max_page_count=" + std::to_string(pages)));

    std::string big(200'000, 'z');
    ASSERT_OK(turn.reply.append(big));
    DbStatus full = turn.reply.flush();
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.error().primary_code(), SQLITE_FULL);
    EXPECT_NE(full.error().message.find("full"), std::string::npos);
    EXPECT_EQ(turn.reply.pending_bytes(), big.size());  // still in memory
    // Other writes fail the same clean way.
    NewMessage another;
    another.content = std::string(100'000, 'w');
    EXPECT_FALSE(store.add_message(c, another).ok());

    // What was there is intact.
    EXPECT_EQ(must(db.query_text("PRAGMA integrity_check")), "ok");
    EXPECT_EQ(must(store.message(turn.user_message_id)).content, "keep me");
    EXPECT_EQ(must(store.message(turn.reply.message_id())).content, "saved part. ");
    EXPECT_EQ(must(store.message(turn.reply.message_id())).state, MessageState::streaming);

    ASSERT_OK(db.exec("PRAGMA max_page_count=1073741823"));
    ASSERT_OK(turn.reply.finish({}));
    EXPECT_EQ(must(store.message(turn.reply.message_id())).content, "saved part. " + big);
}

// S4 while tokens keep coming: the writer keeps the text in memory, retries with a growing
// delay (never per token), keeps the final state asked for while the disk is full, and
// completes the row once space is back.
struct WriteAttempts {
    std::vector<std::chrono::steady_clock::time_point> at;  // one per UPDATE of a message
};
std::chrono::steady_clock::time_point g_fake_now{};

TEST_F(StreamingTest, DiskFullWhileStreamingRetriesWithBackoffAndCompletesWhenSpaceIsBack) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "keep me", std::nullopt, 100ms));
    g_fake_now = {};
    turn.reply.set_clock([] { return g_fake_now; });
    WriteAttempts attempts;
    sqlite3_trace_v2(
        db.handle(), SQLITE_TRACE_STMT,
        [](unsigned, void* context, void*, void* sql) {
            if (std::string_view(static_cast<const char*>(sql)).starts_with("UPDATE messages SET"))
                static_cast<WriteAttempts*>(context)->at.push_back(g_fake_now);
            return 0;
        },
        &attempts);

    std::string expected = "saved part. ";
    g_fake_now += 100ms;
    ASSERT_OK(turn.reply.append(expected));
    ASSERT_EQ(turn.reply.saved_bytes(), expected.size());
    auto pages = must(db.query_int("PRAGMA page_count"));
    ASSERT_OK(db.exec("PRAGMA max_page_count=" + std::to_string(pages)));  // the disk is full
    attempts.at.clear();
    const std::string long_line(20'000, 'f');  // more than the free room left in any page
    expected += long_line + " ";
    ASSERT_OK(turn.reply.append(long_line + " "));

    // A minute of tokens, 5 ms apart: append() keeps succeeding, the text stays in memory.
    for (int i = 0; i < 12'000; ++i) {
        g_fake_now += 5ms;
        std::string token = "tok" + std::to_string(i) + " ";
        expected += token;
        ASSERT_OK(turn.reply.append(token));
    }
    EXPECT_EQ(turn.reply.save_state(), SaveState::retrying);
    ASSERT_TRUE(turn.reply.last_write_error().has_value());
    EXPECT_EQ(turn.reply.last_write_error()->primary_code(), SQLITE_FULL);
    EXPECT_EQ(turn.reply.saved_bytes() + turn.reply.pending_bytes(), expected.size());
    EXPECT_EQ(must(store.message(turn.reply.message_id())).content, "saved part. ");
    // Backoff: the gaps between attempts never shrink and reach the cap; a write per
    // interval would be 600 attempts, a write per token 12,000.
    ASSERT_GE(attempts.at.size(), 5u);
    EXPECT_LE(attempts.at.size(), 20u);
    for (std::size_t i = 2; i < attempts.at.size(); ++i)
        EXPECT_GE(attempts.at[i] - attempts.at[i - 1], attempts.at[i - 1] - attempts.at[i - 2]);
    EXPECT_EQ(attempts.at.back() - attempts.at[attempts.at.size() - 2], StreamingReply::kMaxRetryDelay);

    // The reply ends while the disk is still full: the final state waits in memory too.
    MessageStats stats{7, 12'000, 20.0, 200.0};
    DbStatus finished = turn.reply.finish(stats);
    ASSERT_FALSE(finished.ok());
    EXPECT_EQ(finished.error().primary_code(), SQLITE_FULL);
    EXPECT_TRUE(turn.reply.closing());
    EXPECT_EQ(turn.reply.save_state(), SaveState::retrying);
    EXPECT_FALSE(turn.reply.append("more").ok());  // nothing may follow the end
    auto other = must(Database::open(db.path()));
    EXPECT_EQ(must(other.query_text("SELECT state FROM messages WHERE role = 'assistant'")), "streaming");
    EXPECT_EQ(must(other.query_text("PRAGMA integrity_check")), "ok");

    // Space is back; the retry waits for its time, then commits text and state together.
    ASSERT_OK(db.exec("PRAGMA max_page_count=1073741823"));
    const std::size_t before = attempts.at.size();
    ASSERT_OK(turn.reply.flush_if_due());
    EXPECT_EQ(attempts.at.size(), before);  // not due yet
    g_fake_now = turn.reply.next_write_at();
    ASSERT_OK(turn.reply.flush_if_due());
    EXPECT_EQ(turn.reply.save_state(), SaveState::closed);
    EXPECT_FALSE(turn.reply.closing());
    EXPECT_FALSE(turn.reply.last_write_error().has_value());
    EXPECT_EQ(turn.reply.pending_bytes(), 0u);
    sqlite3_trace_v2(db.handle(), 0, nullptr, nullptr);

    auto m = must(other.query_text("SELECT tessera_text(content) FROM messages WHERE role = 'assistant'"));
    EXPECT_EQ(m, expected);
    auto saved = must(store.message(turn.reply.message_id()));
    EXPECT_EQ(saved.state, MessageState::complete);
    EXPECT_EQ(saved.stats.completion_tokens, 12'000);
    EXPECT_EQ(saved.stats.tokens_per_second, 200.0);
    // The search index followed the retried write.
    auto hits = must(search_messages(db, "tok11999"));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].message_id, turn.reply.message_id());
    EXPECT_FALSE(turn.reply.finish(stats).ok());  // already final
}

// A failure that retrying cannot fix (the row was closed elsewhere) is returned at once.
TEST_F(StreamingTest, NonRetryableErrorIsReturnedByAppend) {
    auto db = open_migrated();
    ConversationStore store(db);
    auto c = must(store.create_conversation({"chat"}));
    auto turn = must(begin_turn(store, c, std::nullopt, "q", std::nullopt, 0ms));
    ASSERT_OK(turn.reply.append("a"));
    ASSERT_OK(recover_interrupted_replies(db));  // as another instance's start-up would
    DbStatus status = turn.reply.append("b");
    ASSERT_FALSE(status.ok());
    EXPECT_FALSE(is_retryable(status.error()));
    EXPECT_EQ(turn.reply.save_state(), SaveState::saving);
}

// ---- S1: a writer killed at random moments --------------------------------------------

std::string token_text(int i) { return "tok" + std::to_string(i) + " "; }

// The child: turns forever, reporting each commit on the pipe *after* it is committed.
[[noreturn]] void writer_child(const std::filesystem::path& path, int report_fd, unsigned seed) {
    auto say = [&](const std::string& line) { (void)!::write(report_fd, line.data(), line.size()); };
    auto db = Database::open(path);
    if (!db.ok()) _exit(2);
    ConversationStore store(*db);
    auto c = store.create_conversation({"crash " + std::to_string(seed)});
    if (!c.ok()) _exit(3);
    std::optional<std::int64_t> parent;
    for (int turn_index = 0;; ++turn_index) {
        std::string text = "user " + std::to_string(seed) + "/" + std::to_string(turn_index);
        auto turn = begin_turn(store, *c, parent, text, std::nullopt, 2ms);
        if (!turn.ok()) _exit(4);
        say("U " + std::to_string(turn->user_message_id) + " " + text + "\n");
        std::size_t reported = 0;
        for (int i = 0; i < 300; ++i) {
            if (!turn->reply.append(token_text(i)).ok()) _exit(5);
            if (turn->reply.saved_bytes() != reported) {
                reported = turn->reply.saved_bytes();
                say("S " + std::to_string(turn->reply.message_id()) + " " + std::to_string(reported) + "\n");
            }
            ::usleep(50);
        }
        if (!turn->reply.finish({}).ok()) _exit(6);
        say("F " + std::to_string(turn->reply.message_id()) + "\n");
        parent = turn->reply.message_id();
    }
}

TEST_F(StreamingTest, WriterKilledAtRandomMomentsLosesAtMostTheLastBatch) {
    const auto path = dir_ / "crash.db";
    { (void)open_migrated("crash.db"); }
    std::string full_reply;
    for (int i = 0; i < 300; ++i) full_reply += token_text(i);

    std::mt19937 rng(20240611);
    std::map<std::int64_t, std::string> user_messages;  // every one ever reported
    int interrupted_seen = 0;
    constexpr int kIterations = 50;
    for (int iteration = 0; iteration < kIterations; ++iteration) {
        SCOPED_TRACE("iteration " + std::to_string(iteration));
        int fds[2];
        ASSERT_EQ(::pipe(fds), 0);
        pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(fds[0]);
            writer_child(path, fds[1], static_cast<unsigned>(iteration));
        }
        ::close(fds[1]);
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(2000, 60000)(rng)));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        ASSERT_TRUE(WIFSIGNALED(status)) << "child exited early with " << WEXITSTATUS(status);

        std::string reports;
        char buffer[4096];
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) reports.append(buffer, static_cast<size_t>(n));
        ::close(fds[0]);
        std::map<std::int64_t, std::size_t> saved;  // reply -> bytes reported committed
        std::set<std::int64_t> finished;
        std::istringstream lines(reports);
        for (std::string line; std::getline(lines, line);) {
            std::istringstream fields(line);
            char kind;
            std::int64_t id;
            fields >> kind >> id;
            if (kind == 'U') {
                std::string text;
                std::getline(fields >> std::ws, text);
                user_messages[id] = text;
            } else if (kind == 'S') {
                fields >> saved[id];
            } else if (kind == 'F') {
                finished.insert(id);
            }
        }

        auto db = must(Database::open(path));
        ASSERT_EQ(must(db.query_text("PRAGMA integrity_check")), "ok");
        auto recovered = must(recover_interrupted_replies(db));
        EXPECT_LE(recovered, 1);
        interrupted_seen += static_cast<int>(recovered);
        ConversationStore store(db);
        for (const auto& [id, text] : user_messages) {
            auto m = store.message(id);
            ASSERT_TRUE(m.ok()) << "user message " << id << " lost";
            EXPECT_EQ(m->content, text);
        }
        for (const auto& [id, bytes] : saved) {
            auto m = must(store.message(id));
            // The saved text is a prefix of the reply, and nothing reported committed is missing.
            EXPECT_GE(m.content.size(), bytes);
            EXPECT_EQ(full_reply.compare(0, m.content.size(), m.content), 0);
            if (finished.count(id)) {
                EXPECT_EQ(m.state, MessageState::complete);
                EXPECT_EQ(m.content, full_reply);
            } else {
                EXPECT_EQ(m.state, MessageState::interrupted);
            }
        }
        EXPECT_EQ(must(db.query_int("SELECT count(*) FROM messages WHERE state = 'streaming'")), 0);
    }
    // The kills did land mid-reply (otherwise the test proves little).
    EXPECT_GE(interrupted_seen, kIterations / 2);
    // Some kills land during open or the first commit: those test start-up, not replies.
    EXPECT_GE(user_messages.size(), static_cast<size_t>(kIterations / 2));
}

}  // namespace
}  // namespace tessera::storage

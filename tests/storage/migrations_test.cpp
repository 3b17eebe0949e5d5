#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include <fstream>
#include <iterator>

#include "storage/migrations.h"
#include "storage/paths.h"
#include "storage/storage.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class MigrationsTest : public testing::TempDirTest {
protected:
    std::string schema_of(Database& db) {
        std::string out;
        auto stmt = must(db.prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY type, name"));
        while (must(stmt.step())) out += stmt.column_text(0) + " " + stmt.column_text(1) + " " + stmt.column_text(2) + "\n";
        return out;
    }
    std::string file_bytes(const std::filesystem::path& path) {
        std::ifstream in(path, std::ios::binary);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

TEST_F(MigrationsTest, FreshDatabaseReachesLatestVersion) {
    auto db = must(Database::open(dir_ / "a.db"));
    auto report = must(migrate(db, dir_ / "backups"));
    EXPECT_EQ(report.from_version, 0);
    EXPECT_EQ(report.to_version, latest_schema_version());
    EXPECT_FALSE(report.backup.has_value());  // nothing to back up in an empty database
    EXPECT_EQ(must(db.user_version()), latest_schema_version());
    EXPECT_EQ(must(db.query_text("PRAGMA integrity_check")), "ok");
    EXPECT_EQ(must(db.query_int("SELECT count(*) FROM pragma_foreign_key_check")), 0);
}

// From every earlier version, with data written at that version, to the latest: the
// result has the same schema as a fresh database and keeps the data.
TEST_F(MigrationsTest, EveryEarlierVersionMigratesToLatestKeepingData) {
    auto steps = schema_migrations();
    auto fresh = must(Database::open(dir_ / "fresh.db"));
    (void)must(migrate(fresh));
    const std::string expected_schema = schema_of(fresh);
    for (int from = 1; from < latest_schema_version(); ++from) {
        SCOPED_TRACE("from version " + std::to_string(from));
        auto path = dir_ / ("v" + std::to_string(from) + ".db");
        auto db = must(Database::open(path));
        (void)must(migrate(db, steps.subspan(0, static_cast<size_t>(from)), std::nullopt));
        ASSERT_EQ(must(db.user_version()), from);
        ASSERT_OK(db.exec("INSERT INTO conversations (id, title, created_at, updated_at) VALUES (1, 'kept title', 1, 1);"
                          "INSERT INTO messages (id, conversation_id, sibling_index, role, content, created_at) "
                          "VALUES (1, 1, 0, 'user', 'kept findable words', 1);"
                          "UPDATE conversations SET current_leaf_id = 1 WHERE id = 1;"));
        const std::string long_text = "a longer message about kettles, " + std::string(400, 'k') + " and teapots";
        ASSERT_OK(db.run("INSERT INTO messages (id, conversation_id, parent_id, sibling_index, role, content, "
                         "created_at) VALUES (2, 1, 1, 0, 'assistant', ?, 2)",
                         long_text));
        auto report = must(migrate(db, dir_ / "backups"));
        EXPECT_EQ(report.from_version, from);
        EXPECT_EQ(report.to_version, latest_schema_version());
        ASSERT_TRUE(report.backup.has_value());  // made before migrating a database with data
        EXPECT_TRUE(std::filesystem::exists(*report.backup));
        EXPECT_EQ(schema_of(db), expected_schema);
        EXPECT_EQ(must(db.query_text("SELECT content FROM messages WHERE id = 1")), "kept findable words");
        // Step 5 packs finished messages long enough to gain (text_codec.h); they read back whole.
        // (Rows written after it, at a later version, stay as the app wrote them.)
        if (from < 5) {
            EXPECT_EQ(must(db.query_text("SELECT typeof(content) FROM messages WHERE id = 2")), "blob");
        }
        EXPECT_EQ(must(db.query_text("SELECT tessera_text(content) FROM messages WHERE id = 2")), long_text);
        EXPECT_EQ(must(db.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'teapots'")), 1);
        ASSERT_OK(db.exec("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));
        // Rows from before the FTS step are indexed by its rebuild.
        EXPECT_EQ(must(db.query_int("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'findable'")), 1);
        EXPECT_EQ(must(db.query_int("SELECT count(*) FROM titles_fts WHERE titles_fts MATCH 'kept'")), 1);
        EXPECT_EQ(must(db.query_text("PRAGMA integrity_check")), "ok");

        auto backup = must(Database::open(*report.backup));
        EXPECT_EQ(must(backup.user_version()), from);
    }
}

// S7: a step that fails half-way leaves the previous version and schema untouched.
TEST_F(MigrationsTest, FailingStepLeavesPreviousVersionIntact) {
    auto db = must(Database::open(dir_ / "a.db"));
    (void)must(migrate(db, schema_migrations().subspan(0, 1), std::nullopt));
    ASSERT_OK(db.exec("INSERT INTO conversations (title, created_at, updated_at) VALUES ('x', 1, 1)"));
    const std::string before = schema_of(db);
    std::vector<MigrationStep> steps(schema_migrations().begin(), schema_migrations().begin() + 1);
    steps.push_back({2, "broken step", "CREATE TABLE half_done (x); INSERT INTO no_such_table VALUES (1);"});
    auto result = migrate(db, steps, std::nullopt);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("broken step"), std::string::npos);
    EXPECT_NE(result.error().message.find("no such table"), std::string::npos);
    EXPECT_EQ(must(db.user_version()), 1);
    EXPECT_EQ(schema_of(db), before);  // half_done rolled back with the failed step
    EXPECT_EQ(must(db.query_int("SELECT count(*) FROM conversations")), 1);
}

// S7 with a real crash: the process dies inside the migration transaction.
TEST_F(MigrationsTest, ProcessKilledDuringMigrationKeepsOldSchema) {
    auto path = dir_ / "a.db";
    {
        auto db = must(Database::open(path));
        (void)must(migrate(db, schema_migrations().subspan(0, 1), std::nullopt));
    }
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto db = Database::open(path);
        if (!db.ok()) _exit(2);
        (void)db->exec("BEGIN IMMEDIATE");
        (void)db->exec(schema_migrations()[1].sql);
        (void)db->exec("PRAGMA user_version=2");
        raise(SIGKILL);  // dies before COMMIT
        _exit(3);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    auto db = must(Database::open(path));
    EXPECT_EQ(must(db.user_version()), 1);
    EXPECT_EQ(must(db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'messages_fts'")), 0);
    EXPECT_EQ(must(db.query_text("PRAGMA integrity_check")), "ok");
    auto report = must(migrate(db));
    EXPECT_EQ(report.to_version, latest_schema_version());
}

// S8: a database from a newer Tessera is opened read-only and never rewritten.
TEST_F(MigrationsTest, NewerVersionIsOpenedReadOnlyAndNeverWritten) {
    auto path = dir_ / kDatabaseFileName;
    {
        auto db = must(Database::open(path));
        (void)must(migrate(db));
        ASSERT_OK(db.exec("PRAGMA user_version=" + std::to_string(latest_schema_version() + 5)));
        ASSERT_OK(db.exec("INSERT INTO conversations (title, created_at, updated_at) VALUES ('future', 1, 1)"));
        ASSERT_OK(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    const std::string before = file_bytes(path);
    {
        auto direct = must(Database::open(path));
        auto refused = migrate(direct);
        ASSERT_FALSE(refused.ok());
        EXPECT_NE(refused.error().message.find("newer"), std::string::npos);
    }
    {
        StorageOptions options;
        options.data_dir = dir_;
        auto opened = must(open_storage(options));
        EXPECT_TRUE(opened.report.read_only);
        EXPECT_NE(opened.report.read_only_reason.find("newer version of Tessera"), std::string::npos);
        EXPECT_TRUE(opened.db.read_only());
        EXPECT_EQ(must(opened.db.query_text("SELECT title FROM conversations")), "future");
        DbStatus write = opened.db.exec("INSERT INTO conversations (title, created_at, updated_at) VALUES ('x', 1, 1)");
        ASSERT_FALSE(write.ok());
        EXPECT_EQ(write.error().primary_code(), SQLITE_READONLY);
    }
    EXPECT_EQ(file_bytes(path), before);
}

}  // namespace
}  // namespace tessera::storage

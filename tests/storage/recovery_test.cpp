#include <sqlite3.h>

#include <fstream>
#include <random>
#include <set>

#include "storage/conversation_store.h"
#include "storage/paths.h"
#include "storage/recovery.h"
#include "storage/storage.h"
#include "temp_dir.h"

namespace tessera::storage {
namespace {
using testing::must;

class RecoveryTest : public testing::TempDirTest {
protected:
    StorageOptions options() {
        StorageOptions o;
        o.data_dir = dir_;
        return o;
    }
    // A history of 40 conversations x 50 messages of ~400 bytes, checkpointed into the file.
    void make_history() {
        auto opened = must(open_storage(options()));
        ConversationStore store(opened.db);
        for (int c = 0; c < 40; ++c) {
            auto id = must(store.create_conversation({"conversation " + std::to_string(c)}));
            std::optional<std::int64_t> parent;
            for (int m = 0; m < 50; ++m) {
                NewMessage message;
                message.parent_id = parent;
                message.role = m % 2 ? Role::assistant : Role::user;
                message.content = "message " + std::to_string(m) + " of " + std::to_string(c) + " " + std::string(400, 'a' + m % 26);
                parent = must(store.add_message(id, message));
            }
        }
        ASSERT_OK(opened.db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    void damage(const std::function<void(std::fstream&, std::int64_t size)>& how) {
        auto path = database_path(dir_);
        auto size = static_cast<std::int64_t>(std::filesystem::file_size(path));
        std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
        how(file, size);
    }
};

TEST_F(RecoveryTest, ZeroedPageIsQuarantinedAndSalvaged) {
    make_history();
    damage([](std::fstream& file, std::int64_t size) {
        std::string zeros(4096, '\0');
        file.seekp((size / 4096 / 2) * 4096);  // a page in the middle
        file.write(zeros.data(), zeros.size());
    });
    ASSERT_FALSE(check_database_file(database_path(dir_)).ok);

    auto opened = must(open_storage(options()));
    ASSERT_TRUE(opened.report.salvage.has_value());
    const SalvageReport& salvage = *opened.report.salvage;
    EXPECT_TRUE(std::filesystem::exists(salvage.quarantined));
    EXPECT_EQ(salvage.quarantined.filename(), "tessera.db.corrupt");
    EXPECT_FALSE(salvage.problems.empty());
    EXPECT_EQ(salvage.recovered("conversations"), 40);
    EXPECT_GT(salvage.recovered("messages"), 1800);  // one page of ~9 rows, or an index page, lost
    EXPECT_LE(salvage.recovered("messages"), 2000);
    EXPECT_NE(salvage.summary().find("moved to"), std::string::npos);
    EXPECT_NE(salvage.summary().find("messages recovered"), std::string::npos);

    EXPECT_EQ(must(opened.db.query_text("PRAGMA integrity_check")), "ok");
    EXPECT_EQ(must(opened.db.query_int("SELECT count(*) FROM pragma_foreign_key_check")), 0);
    EXPECT_EQ(must(opened.db.user_version()), latest_schema_version());
    ConversationStore store(opened.db);
    // Conversations still show a path (possibly cut short where rows were lost).
    for (const auto& c : must(store.recent_conversations(100))) EXPECT_TRUE(store.current_path(c.id).ok());
}

TEST_F(RecoveryTest, RandomBitFlipsAreQuarantinedAndSalvaged) {
    make_history();
    // The schema's pages are spared (page 1, and the overflow pages its text spills into):
    // with no schema nothing can be read, which the damaged-header tests cover.
    std::set<std::int64_t> schema_pages;
    {
        auto db = must(Database::open(database_path(dir_)));
        auto pages = must(db.prepare("SELECT pageno FROM dbstat WHERE name = 'sqlite_schema'"));
        while (must(pages.step())) schema_pages.insert(pages.column_int64(0));
    }
    ASSERT_TRUE(schema_pages.count(1));
    damage([&](std::fstream& file, std::int64_t size) {
        std::mt19937_64 rng(7);
        // 64 flipped bits in the data pages.
        for (int flipped = 0; flipped < 64;) {
            std::int64_t offset = 4096 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size - 4096));
            if (schema_pages.count(offset / 4096 + 1)) continue;
            char byte;
            file.seekg(offset);
            file.read(&byte, 1);
            byte = static_cast<char>(byte ^ (1 << (rng() % 8)));
            file.seekp(offset);
            file.write(&byte, 1);
            ++flipped;
        }
    });
    ASSERT_FALSE(check_database_file(database_path(dir_)).ok);
    auto opened = must(open_storage(options()));
    ASSERT_TRUE(opened.report.salvage.has_value());
    EXPECT_GT(opened.report.salvage->recovered("messages"), 0) << opened.report.salvage->summary();
    EXPECT_EQ(must(opened.db.query_text("PRAGMA integrity_check")), "ok");
    EXPECT_EQ(must(opened.db.query_int("SELECT count(*) FROM pragma_foreign_key_check")), 0);
    // A second quarantine never overwrites the first.
    opened = OpenedStorage();
    damage([](std::fstream& file, std::int64_t) {
        file.seekp(0);
        file.write("garbage header!!", 16);
    });
    auto again = must(open_storage(options()));
    ASSERT_TRUE(again.report.salvage.has_value());
    EXPECT_EQ(again.report.salvage->quarantined.filename(), "tessera.db.corrupt.2");
    EXPECT_TRUE(std::filesystem::exists(dir_ / "tessera.db.corrupt"));
}

TEST_F(RecoveryTest, HealthyDatabaseIsNotTouched) {
    make_history();
    auto opened = must(open_storage(options()));
    EXPECT_FALSE(opened.report.salvage.has_value());
    EXPECT_FALSE(std::filesystem::exists(dir_ / "tessera.db.corrupt"));
}

TEST_F(RecoveryTest, BackupOnRequestIsACompleteCopy) {
    make_history();
    auto opened = must(open_storage(options()));
    auto backup = must(backup_database(opened.db, dir_ / "backups", "manual"));
    auto copy = must(Database::open(backup));
    EXPECT_EQ(must(copy.query_int("SELECT count(*) FROM messages")), 2000);
    EXPECT_EQ(must(copy.query_text("PRAGMA integrity_check")), "ok");
}

// S3: a second instance is refused with a message; the first keeps working; the lock
// goes away with the first instance.
TEST_F(RecoveryTest, SecondInstanceIsRefused) {
    auto first = must(open_storage(options()));
    auto second = open_storage(options());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().extended_code, kErrorBusy);
    EXPECT_NE(second.error().message.find("another Tessera instance"), std::string::npos);
    ConversationStore store(first.db);
    EXPECT_TRUE(store.create_conversation({"still works"}).ok());
    first = OpenedStorage();
    EXPECT_TRUE(open_storage(options()).ok());
}

// S5: an unusable location is a clear error, not a crash.
TEST_F(RecoveryTest, UnusableLocationIsAClearError) {
    std::ofstream(dir_ / "a-file") << "x";
    StorageOptions o;
    o.data_dir = dir_ / "a-file" / "tessera";  // a regular file stands in the way
    auto result = open_storage(o);
    ASSERT_FALSE(result.ok());
    EXPECT_NE(result.error().message.find("cannot use"), std::string::npos) << result.error().message;
    EXPECT_NE(result.error().message.find("--data-dir"), std::string::npos);
    if (::geteuid() != 0) {
        auto locked = dir_ / "read-only";
        std::filesystem::create_directories(locked);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        o.data_dir = locked;
        auto ro = open_storage(o);
        ASSERT_FALSE(ro.ok());
        EXPECT_NE(ro.error().message.find("read-only"), std::string::npos);
        std::filesystem::permissions(locked, std::filesystem::perms::owner_all);
    } else {
        o.data_dir = "/sys/tessera-storage-test";  // not writable even for root
        auto ro = open_storage(o);
        ASSERT_FALSE(ro.ok());
        EXPECT_NE(ro.error().message.find("/sys/tessera-storage-test"), std::string::npos);
    }
}

TEST(PathsTest, XdgDataHomeCommandLineAndEnvironment) {
    ::setenv("XDG_DATA_HOME", "/tmp/xdg-data", 1);
    EXPECT_EQ(xdg_data_dir(), std::filesystem::path("/tmp/xdg-data/tessera"));
    ::setenv("XDG_DATA_HOME", "relative/ignored", 1);
    ::setenv("HOME", "/home/someone", 1);
    EXPECT_EQ(xdg_data_dir(), std::filesystem::path("/home/someone/.local/share/tessera"));
    ::unsetenv("XDG_DATA_HOME");
    const char* args1[] = {"tessera", "--data-dir", "/x/y"};
    EXPECT_EQ(data_dir_from_args(3, args1), std::filesystem::path("/x/y"));
    const char* args2[] = {"tessera", "--data-dir=/z"};
    EXPECT_EQ(data_dir_from_args(2, args2), std::filesystem::path("/z"));
    const char* args3[] = {"tessera", "--data-directory"};
    EXPECT_FALSE(data_dir_from_args(2, args3).has_value());
    ::setenv("TESSERA_DATA_DIR", "/from/env", 1);
    EXPECT_EQ(resolve_data_dir(std::nullopt), std::filesystem::path("/from/env"));
    EXPECT_EQ(resolve_data_dir(std::filesystem::path("/cli")), std::filesystem::path("/cli"));
    ::unsetenv("TESSERA_DATA_DIR");
    EXPECT_EQ(resolve_data_dir(std::nullopt), std::filesystem::path("/home/someone/.local/share/tessera"));
}

}  // namespace
}  // namespace tessera::storage

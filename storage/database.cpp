#include "storage/database.h"

#include <sqlite3.h>

#include "storage/text_codec.h"

namespace tessera::storage {

void Database::Closer::operator()(sqlite3* db) const noexcept {
    // close_v2 defers the close until statements still alive are finalized.
    sqlite3_close_v2(db);
}

DbError Database::last_error(std::string_view context) const {
    int code = db_ ? sqlite3_extended_errcode(db_.get()) : SQLITE_ERROR;
    std::string message(context);
    message += ": ";
    message += db_ ? sqlite3_errmsg(db_.get()) : "no database";
    return DbError{std::move(message), code};
}

DbResult<Database> Database::open(const std::filesystem::path& path, const ConnectionOptions& options) {
    int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
    flags |= SQLITE_OPEN_NOMUTEX;  // one connection per thread; no internal mutex needed
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Database db;
    db.db_.reset(raw);
    db.path_ = path;
    db.read_only_ = options.read_only;
    if (rc != SQLITE_OK) {
        std::string message = "cannot open the database '" + path.string() + "': " +
                              (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
        int code = raw ? sqlite3_extended_errcode(raw) : rc;
        return DbError{std::move(message), code};
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, options.busy_timeout_ms);
    // Before anything reads the schema: its view and triggers call these.
    if (auto status = register_text_functions(raw); !status.ok())
        return with_context("setting up '" + path.string() + "'", status.error());

    auto fail = [&](const char* what) {
        return with_context("setting up '" + path.string() + "'", db.last_error(what));
    };
    if (!options.read_only) {
        // journal_mode answers with the mode in force; anything but "wal" means WAL is unavailable.
        auto mode = db.query_text("PRAGMA journal_mode=WAL");
        if (!mode.ok()) return with_context("setting up '" + path.string() + "'", mode.error());
        if (*mode != "wal")
            return DbError{"cannot use WAL journal for '" + path.string() + "' (got " + *mode + ")", SQLITE_ERROR};
    }
    std::string pragmas = options.synchronous == Synchronous::full ? "PRAGMA synchronous=FULL;"
                                                                    : "PRAGMA synchronous=NORMAL;";
    pragmas += "PRAGMA foreign_keys=ON;";
    pragmas += "PRAGMA wal_autocheckpoint=" + std::to_string(options.wal_autocheckpoint_pages) + ";";
    pragmas += "PRAGMA journal_size_limit=" + std::to_string(options.journal_size_limit_bytes) + ";";
    if (sqlite3_exec(raw, pragmas.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) return fail("pragmas");
    return db;
}

DbStatus Database::exec(std::string_view sql) {
    std::string text(sql);
    char* message = nullptr;
    int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK) {
        std::string what = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        int code = sqlite3_extended_errcode(db_.get());
        return DbError{"running \"" + text.substr(0, 80) + (text.size() > 80 ? "...\": " : "\": ") + what,
                       code ? code : rc};
    }
    return {};
}

DbResult<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return last_error("preparing \"" + std::string(sql.substr(0, 80)) + "\"");
    }
    return Statement(db_.get(), stmt);
}

DbResult<std::string> Database::query_text(std::string_view sql) {
    STORAGE_ASSIGN(Statement stmt, prepare(sql));
    STORAGE_ASSIGN(bool has_row, stmt.step());
    if (!has_row) return DbError{"no row from \"" + std::string(sql) + "\"", kErrorNotFound};
    return stmt.column_text(0);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
int Database::changes() const { return sqlite3_changes(db_.get()); }

DbResult<int> Database::user_version() {
    STORAGE_ASSIGN(std::int64_t version, query_int("PRAGMA user_version"));
    return static_cast<int>(version);
}

}  // namespace tessera::storage

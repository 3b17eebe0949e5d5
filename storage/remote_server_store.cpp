#include "storage/remote_server_store.h"

namespace tessera::storage {
namespace {

constexpr const char* kColumns = "id, name, base_url, has_key, models, first_byte_timeout_ms, idle_timeout_ms, added_at";

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        if (!out.empty()) out += '\n';
        out += line;
    }
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

RemoteServer read_server(const Statement& s) {
    RemoteServer r;
    r.id = s.column_int64(0);
    r.name = s.column_text(1);
    r.base_url = s.column_text(2);
    r.has_key = s.column_int64(3) != 0;
    r.models = split_lines(s.column_text(4));
    r.first_byte_timeout_ms = s.column_int64(5);
    r.idle_timeout_ms = s.column_int64(6);
    r.added_at_ms = s.column_int64(7);
    return r;
}

DbStatus check(const RemoteServer& r) {
    if (r.name.empty() || r.base_url.empty()) return DbError{"a remote server needs a name and a URL", kErrorMisuse};
    if (r.first_byte_timeout_ms <= 0 || r.idle_timeout_ms <= 0)
        return DbError{"a remote server's timeouts must be positive", kErrorMisuse};
    for (const auto& m : r.models)
        if (m.empty() || m.find('\n') != std::string::npos)
            return DbError{"a model id must be one non-empty line", kErrorMisuse};
    return {};
}

DbError not_found(std::int64_t id) {
    return DbError{"remote server " + std::to_string(id) + " does not exist", kErrorNotFound};
}

}  // namespace

DbResult<std::int64_t> RemoteServerStore::add(const RemoteServer& r) {
    STORAGE_TRY(check(r));
    STORAGE_TRY(db_.run("INSERT INTO remote_servers (name, base_url, has_key, models, first_byte_timeout_ms, "
                        "idle_timeout_ms, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        r.name, r.base_url, r.has_key, join_lines(r.models), r.first_byte_timeout_ms,
                        r.idle_timeout_ms, clock_()));
    return db_.last_insert_rowid();
}

DbStatus RemoteServerStore::update(const RemoteServer& r) {
    STORAGE_TRY(check(r));
    STORAGE_TRY(db_.run("UPDATE remote_servers SET name = ?, base_url = ?, has_key = ?, models = ?, "
                        "first_byte_timeout_ms = ?, idle_timeout_ms = ? WHERE id = ?",
                        r.name, r.base_url, r.has_key, join_lines(r.models), r.first_byte_timeout_ms,
                        r.idle_timeout_ms, r.id));
    if (db_.changes() == 0) return not_found(r.id);
    return {};
}

DbResult<RemoteServer> RemoteServerStore::server(std::int64_t id) {
    STORAGE_ASSIGN(Statement stmt, db_.prepare(std::string("SELECT ") + kColumns + " FROM remote_servers WHERE id = ?"));
    STORAGE_TRY(stmt.bind(1, id));
    STORAGE_ASSIGN(bool row, stmt.step());
    if (!row) return not_found(id);
    return read_server(stmt);
}

DbResult<std::vector<RemoteServer>> RemoteServerStore::servers() {
    STORAGE_ASSIGN(Statement stmt, db_.prepare(std::string("SELECT ") + kColumns + " FROM remote_servers ORDER BY id"));
    std::vector<RemoteServer> out;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        out.push_back(read_server(stmt));
    }
    return out;
}

DbStatus RemoteServerStore::set_models(std::int64_t id, const std::vector<std::string>& models) {
    STORAGE_ASSIGN(RemoteServer r, server(id));
    r.models = models;
    return update(r);
}

DbStatus RemoteServerStore::remove(std::int64_t id) {
    STORAGE_TRY(db_.run("DELETE FROM remote_servers WHERE id = ?", id));
    if (db_.changes() == 0) return not_found(id);
    return {};
}

}  // namespace tessera::storage

#include "storage/export_import.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "storage/transaction.h"

namespace tessera::storage {
namespace {
using nlohmann::json;

std::string utc_date(std::int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
    return buf;
}

std::string_view role_heading(Role role) {
    switch (role) {
        case Role::system: return "System";
        case Role::user: return "User";
        case Role::assistant: return "Assistant";
        case Role::tool: return "Tool";
    }
    return "User";
}

template <typename T>
json optional_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

DbResult<json> conversation_json(ConversationStore& store, std::int64_t id) {
    STORAGE_ASSIGN(Conversation c, store.conversation(id));
    STORAGE_ASSIGN(std::vector<Message> messages, store.all_messages(id));
    json out = {
        {"id", c.id},
        {"title", c.settings.title},
        {"pinned", c.settings.pinned},
        {"folder", optional_json(c.settings.folder)},
        {"model", optional_json(c.settings.model)},
        {"system_prompt", optional_json(c.settings.system_prompt)},
        {"sampling_json", optional_json(c.settings.sampling_json)},
        {"reasoning", optional_json(c.settings.reasoning)},
        {"created_at", c.created_at_ms},
        {"updated_at", c.updated_at_ms},
        {"current_leaf_id", optional_json(c.current_leaf_id)},
    };
    json list = json::array();
    for (const Message& m : messages) {
        list.push_back({
            {"id", m.id},
            {"parent_id", optional_json(m.parent_id)},
            {"sibling_index", m.sibling_index},
            {"role", to_string(m.role)},
            {"content", m.content},
            {"state", to_string(m.state)},
            {"error_text", optional_json(m.error_text)},
            {"model", optional_json(m.model)},
            {"stats",
             {{"prompt_tokens", optional_json(m.stats.prompt_tokens)},
              {"completion_tokens", optional_json(m.stats.completion_tokens)},
              {"time_to_first_token_ms", optional_json(m.stats.time_to_first_token_ms)},
              {"tokens_per_second", optional_json(m.stats.tokens_per_second)}}},
            {"created_at", m.created_at_ms},
        });
    }
    out["messages"] = std::move(list);
    return out;
}

DbResult<std::vector<std::int64_t>> live_conversation_ids(ConversationStore& store) {
    STORAGE_ASSIGN(Statement stmt, store.db().prepare("SELECT id FROM conversations WHERE deleted_at IS NULL "
                                                      "ORDER BY pinned DESC, updated_at DESC, id DESC"));
    std::vector<std::int64_t> ids;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        ids.push_back(stmt.column_int64(0));
    }
    return ids;
}

// Readers for the JSON import: a wrong type is a format error naming the field.
struct FormatError {
    std::string message;
};

const json& field(const json& object, const char* name, const std::string& where) {
    if (!object.is_object()) throw FormatError{where + " is not an object"};
    auto it = object.find(name);
    if (it == object.end()) throw FormatError{where + " has no \"" + name + "\""};
    return *it;
}

std::string text_field(const json& object, const char* name, const std::string& where) {
    const json& value = field(object, name, where);
    if (!value.is_string()) throw FormatError{where + ": \"" + name + "\" is not a string"};
    return value.get<std::string>();
}

std::optional<std::string> optional_text(const json& object, const char* name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw FormatError{where + ": \"" + name + "\" is not a string"};
    return it->get<std::string>();
}

std::optional<std::int64_t> optional_int(const json& object, const char* name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) throw FormatError{where + ": \"" + name + "\" is not an integer"};
    return it->get<std::int64_t>();
}

std::optional<double> optional_double(const json& object, const char* name, const std::string& where) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) throw FormatError{where + ": \"" + name + "\" is not a number"};
    return it->get<double>();
}

struct ParsedMessage {
    std::int64_t file_id;
    std::optional<std::int64_t> parent;
    std::int64_t sibling_index;
    NewMessage message;
    std::optional<std::string> error_text;
};

DbStatus import_one(ConversationStore& store, const json& conv, const std::string& where, ImportReport& report) {
    ConversationSettings s;
    s.title = text_field(conv, "title", where);
    if (auto it = conv.find("pinned"); it != conv.end() && !it->is_null()) {
        if (!it->is_boolean()) throw FormatError{where + ": \"pinned\" is not true or false"};
        s.pinned = it->get<bool>();
    }
    s.folder = optional_text(conv, "folder", where);
    s.model = optional_text(conv, "model", where);
    s.system_prompt = optional_text(conv, "system_prompt", where);
    s.sampling_json = optional_text(conv, "sampling_json", where);
    s.reasoning = optional_text(conv, "reasoning", where);
    const auto created = optional_int(conv, "created_at", where);
    const auto updated = optional_int(conv, "updated_at", where);
    const auto leaf = optional_int(conv, "current_leaf_id", where);

    const json& list = field(conv, "messages", where);
    if (!list.is_array()) throw FormatError{where + ": \"messages\" is not an array"};
    std::vector<ParsedMessage> parsed;
    std::unordered_map<std::int64_t, std::size_t> by_id;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string at = where + ", message " + std::to_string(i);
        const json& m = list[i];
        ParsedMessage p;
        auto id = optional_int(m, "id", at);
        if (!id) throw FormatError{at + " has no \"id\""};
        p.file_id = *id;
        p.parent = optional_int(m, "parent_id", at);
        p.sibling_index = optional_int(m, "sibling_index", at).value_or(static_cast<std::int64_t>(i));
        auto role = role_from_string(text_field(m, "role", at));
        if (!role) throw FormatError{at + ": unknown role \"" + m["role"].get<std::string>() + "\""};
        p.message.role = *role;
        p.message.content = text_field(m, "content", at);
        auto state_text = optional_text(m, "state", at).value_or("complete");
        auto state = state_from_string(state_text);
        if (!state) throw FormatError{at + ": unknown state \"" + state_text + "\""};
        p.message.state = *state == MessageState::streaming ? MessageState::interrupted : *state;
        p.error_text = optional_text(m, "error_text", at);
        p.message.model = optional_text(m, "model", at);
        if (auto it = m.find("stats"); it != m.end() && !it->is_null()) {
            p.message.stats.prompt_tokens = optional_int(*it, "prompt_tokens", at);
            p.message.stats.completion_tokens = optional_int(*it, "completion_tokens", at);
            p.message.stats.time_to_first_token_ms = optional_double(*it, "time_to_first_token_ms", at);
            p.message.stats.tokens_per_second = optional_double(*it, "tokens_per_second", at);
        }
        p.message.created_at_ms = optional_int(m, "created_at", at);
        if (!by_id.emplace(p.file_id, i).second)
            throw FormatError{at + ": id " + std::to_string(p.file_id) + " occurs twice"};
        parsed.push_back(std::move(p));
    }
    // Children in sibling order, roots first; every message must hang from a root.
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> roots;
    // Keyed by (sibling_index, position in the file): duplicate indexes keep file order.
    std::unordered_map<std::int64_t, std::map<std::pair<std::int64_t, std::size_t>, std::size_t>> children;
    for (std::size_t i = 0; i < parsed.size(); ++i) {
        const ParsedMessage& p = parsed[i];
        if (!p.parent) {
            roots.emplace(std::pair{p.sibling_index, p.file_id}, i);
        } else {
            if (!by_id.count(*p.parent))
                throw FormatError{where + ": message " + std::to_string(p.file_id) + " has parent " +
                                  std::to_string(*p.parent) + ", which is not in the conversation"};
            children[*p.parent].emplace(std::pair{p.sibling_index, i}, i);
        }
    }
    if (leaf && !by_id.count(*leaf))
        throw FormatError{where + ": current_leaf_id " + std::to_string(*leaf) + " is not one of its messages"};

    STORAGE_ASSIGN(std::int64_t conversation_id, store.create_conversation(s));
    std::unordered_map<std::int64_t, std::int64_t> new_ids;
    std::vector<std::size_t> stack;  // depth-first, iterative: paths may be thousands deep
    for (auto it = roots.rbegin(); it != roots.rend(); ++it) stack.push_back(it->second);
    while (!stack.empty()) {
        ParsedMessage& p = parsed[stack.back()];
        stack.pop_back();
        p.message.parent_id = p.parent ? std::optional(new_ids.at(*p.parent)) : std::nullopt;
        STORAGE_ASSIGN(std::int64_t id, store.insert_message(conversation_id, p.message, false));
        if (p.error_text) STORAGE_TRY(store.db().run("UPDATE messages SET error_text = ? WHERE id = ?", p.error_text, id));
        new_ids.emplace(p.file_id, id);
        if (auto c = children.find(p.file_id); c != children.end())
            for (auto it = c->second.rbegin(); it != c->second.rend(); ++it) stack.push_back(it->second);
    }
    if (new_ids.size() != parsed.size())
        throw FormatError{where + ": some messages do not descend from a root (a cycle in parent_id)"};
    const std::int64_t now = store.now();
    STORAGE_TRY(store.db().run("UPDATE conversations SET created_at = ?, updated_at = ?, current_leaf_id = ? "
                               "WHERE id = ?",
                               created.value_or(now), updated.value_or(created.value_or(now)),
                               leaf ? std::optional(new_ids.at(*leaf)) : std::nullopt, conversation_id));
    report.conversation_ids.push_back(conversation_id);
    report.messages += static_cast<std::int64_t>(parsed.size());
    return {};
}

}  // namespace

DbResult<std::string> export_markdown(ConversationStore& store, std::int64_t conversation_id) {
    STORAGE_ASSIGN(Conversation c, store.conversation(conversation_id));
    STORAGE_ASSIGN(std::vector<Message> all, store.all_messages(conversation_id));
    std::vector<Message> path;
    if (c.current_leaf_id) {
        STORAGE_ASSIGN(path, store.path_to(*c.current_leaf_id));
    }
    std::unordered_map<std::int64_t, int> child_count;  // 0 stands for the roots
    for (const Message& m : all) ++child_count[m.parent_id.value_or(0)];

    std::string out = "# " + (c.settings.title.empty() ? std::string("Untitled conversation") : c.settings.title) +
                      "\n\n";
    out += "_Created " + utc_date(c.created_at_ms) + ", updated " + utc_date(c.updated_at_ms);
    if (c.settings.model) out += ", model " + *c.settings.model;
    out += "_\n\n";
    if (c.settings.system_prompt && !c.settings.system_prompt->empty())
        out += "**System prompt:** " + *c.settings.system_prompt + "\n\n";
    for (const Message& m : path) {
        out += "## " + std::string(role_heading(m.role));
        if (m.state == MessageState::interrupted) out += " (interrupted)";
        if (m.state == MessageState::error) out += " (failed)";
        out += "\n\n" + m.content + "\n\n";
        if (m.error_text) out += "> Error: " + *m.error_text + "\n\n";
        int others = child_count[m.parent_id.value_or(0)] - 1;
        if (others > 0)
            out += "_(" + std::to_string(others) + (others == 1 ? " other version" : " other versions") +
                   " of this message not shown)_\n\n";
    }
    if (all.size() > path.size()) {
        out += "_This conversation holds " + std::to_string(all.size()) + " messages; " +
               std::to_string(path.size()) + " on the branch shown above. Export as JSON to keep every branch._\n";
    }
    return out;
}

DbResult<std::string> export_markdown_all(ConversationStore& store) {
    STORAGE_ASSIGN(std::vector<std::int64_t> ids, live_conversation_ids(store));
    std::string out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out += "\n---\n\n";
        STORAGE_ASSIGN(std::string one, export_markdown(store, ids[i]));
        out += one;
    }
    return out;
}

DbStatus export_json_to(ConversationStore& store, std::span<const std::int64_t> conversation_ids, std::ostream& out) {
    // The envelope by hand, each conversation dumped and written before the next is read:
    // memory holds one conversation, never the whole history.
    out << "{\n \"format\": \"tessera-conversations\",\n \"version\": " << kJsonExportVersion
        << ",\n \"exported_at\": " << store.now() << ",\n \"conversations\": [";
    bool first = true;
    for (std::int64_t id : conversation_ids) {
        STORAGE_ASSIGN(json one, conversation_json(store, id));
        out << (first ? "\n" : ",\n");
        first = false;
        // Invalid UTF-8 in stored text is replaced rather than failing the whole export.
        out << one.dump(1, ' ', false, json::error_handler_t::replace);
        if (!out) return DbError{"writing the export failed", SQLITE_IOERR};
    }
    out << "\n ]\n}\n";
    if (!out.flush()) return DbError{"writing the export failed", SQLITE_IOERR};
    return {};
}

DbResult<std::string> export_json(ConversationStore& store, std::span<const std::int64_t> conversation_ids) {
    std::ostringstream out;
    STORAGE_TRY(export_json_to(store, conversation_ids, out));
    return std::move(out).str();
}

DbResult<std::string> export_json_all(ConversationStore& store) {
    STORAGE_ASSIGN(std::vector<std::int64_t> ids, live_conversation_ids(store));
    return export_json(store, ids);
}

DbStatus export_json_file(ConversationStore& store, std::span<const std::int64_t> conversation_ids,
                          const std::filesystem::path& target) {
    // Written next to the target and renamed over it when complete: the target is either
    // the old file or the whole new export, never a part.
    namespace fs = std::filesystem;
    const fs::path temporary = target.parent_path() / ("." + target.filename().string() + ".partial");
    auto fail = [&](const std::string& what, int code) -> DbStatus {
        std::error_code ignored;
        fs::remove(temporary, ignored);
        return DbError{"cannot export to '" + target.string() + "': " + what, code};
    };
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) return fail(std::string("cannot create a file there (") + std::strerror(errno) + ")", kErrorCantOpen);
        if (auto status = export_json_to(store, conversation_ids, out); !status.ok())
            return fail(status.error().message, status.error().extended_code);
        out.close();
        if (!out) return fail("writing failed (is the disk full?)", SQLITE_IOERR);
    }
    // On disk before the rename, so a crash cannot leave an empty file under the real name.
    if (int fd = ::open(temporary.c_str(), O_RDONLY); fd >= 0) {
        const bool synced = ::fsync(fd) == 0;
        ::close(fd);
        if (!synced) return fail("writing failed (is the disk full?)", SQLITE_IOERR);
    }
    std::error_code ec;
    fs::rename(temporary, target, ec);
    if (ec) return fail(ec.message(), kErrorCantOpen);
    return {};
}

DbStatus export_json_all_file(ConversationStore& store, const std::filesystem::path& target) {
    STORAGE_ASSIGN(std::vector<std::int64_t> ids, live_conversation_ids(store));
    return export_json_file(store, ids, target);
}

DbResult<ImportReport> import_json(ConversationStore& store, std::string_view text) {
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) return DbError{"the file is not valid JSON", kErrorFormat};
    ImportReport report;
    try {
        if (!doc.is_object() || doc.value("format", std::string()) != "tessera-conversations")
            throw FormatError{"not a Tessera export (no \"format\": \"tessera-conversations\")"};
        const json& version = field(doc, "version", "the file");
        if (!version.is_number_integer() || version.get<std::int64_t>() < 1)
            throw FormatError{"the file's \"version\" is not a positive integer"};
        if (version.get<std::int64_t>() > kJsonExportVersion)
            throw FormatError{"the file is format version " + std::to_string(version.get<std::int64_t>()) +
                              ", newer than this Tessera reads (" + std::to_string(kJsonExportVersion) + ")"};
        const json& list = field(doc, "conversations", "the file");
        if (!list.is_array()) throw FormatError{"\"conversations\" is not an array"};
        STORAGE_ASSIGN(Transaction tx, Transaction::begin(store.db()));
        for (std::size_t i = 0; i < list.size(); ++i)
            STORAGE_TRY(import_one(store, list[i], "conversation " + std::to_string(i), report));
        STORAGE_TRY(tx.commit());
    } catch (const FormatError& e) {
        return DbError{"cannot import: " + e.message, kErrorFormat};
    } catch (const json::exception& e) {
        return DbError{std::string("cannot import: ") + e.what(), kErrorFormat};
    }
    return report;
}

}  // namespace tessera::storage

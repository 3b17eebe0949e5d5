#include "storage/search.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>

namespace tessera::storage {

namespace {

// The words FTS5's unicode61 tokenizer (the one both indexes use) finds in text, folded as
// the index stores them. Asking the tokenizer itself, rather than splitting by hand, keeps
// every query a list of single words: messages_fts has detail=none, which cannot answer a
// phrase such as the two tokens of "don't".
DbResult<std::vector<std::string>> index_words(Database& db, std::string_view text) {
    fts5_api* api = nullptr;
    STORAGE_ASSIGN(Statement stmt, db.prepare("SELECT fts5(?1)"));
    sqlite3_bind_pointer(stmt.handle(), 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    STORAGE_TRY(stmt.step());
    if (api == nullptr) return DbError{"this SQLite has no FTS5 (full-text search)", kErrorMisuse};
    void* user_data = nullptr;
    fts5_tokenizer tokenizer{};
    if (api->xFindTokenizer(api, "unicode61", &user_data, &tokenizer) != SQLITE_OK)
        return DbError{"FTS5's unicode61 tokenizer is missing", kErrorMisuse};
    Fts5Tokenizer* instance = nullptr;
    if (tokenizer.xCreate(user_data, nullptr, 0, &instance) != SQLITE_OK)
        return DbError{"cannot start FTS5's unicode61 tokenizer", kErrorMisuse};
    std::vector<std::string> words;
    auto on_token = [](void* context, int flags, const char* token, int size, int, int) {
        if (!(flags & FTS5_TOKEN_COLOCATED))
            static_cast<std::vector<std::string>*>(context)->emplace_back(token, static_cast<std::size_t>(size));
        return SQLITE_OK;
    };
    const int rc = tokenizer.xTokenize(instance, &words, FTS5_TOKENIZE_QUERY, text.data(),
                                       static_cast<int>(text.size()), on_token);
    tokenizer.xDelete(instance);
    if (rc != SQLITE_OK) return DbError{"cannot split the search text into words", rc};
    return words;
}

std::size_t utf8_length(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::string fts_word(std::string_view word) {
    std::string q = "\"";
    for (char c : word) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + '"';
}

// The index's words that start with `prefix`, in order, at most `limit`.
DbResult<std::vector<std::string>> words_starting_with(Database& db, const std::string& prefix, int limit) {
    // A view of the index's vocabulary, in this connection's temp schema (no migration; it
    // works on a database opened read-only too).
    STORAGE_TRY(db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.messages_vocab USING fts5vocab(main, messages_fts, 'row')"));
    std::string upper = prefix;  // the first string after every word with this prefix
    while (!upper.empty() && static_cast<unsigned char>(upper.back()) == 0xFF) upper.pop_back();
    if (!upper.empty()) upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
    STORAGE_ASSIGN(Statement stmt, db.prepare(upper.empty()
                                                  ? "SELECT term FROM temp.messages_vocab WHERE term >= ?1 LIMIT ?3"
                                                  : "SELECT term FROM temp.messages_vocab WHERE term >= ?1 AND term < ?2 LIMIT ?3"));
    STORAGE_TRY(stmt.bind_all(prefix, upper, limit));
    std::vector<std::string> words;
    for (;;) {
        STORAGE_ASSIGN(bool row, stmt.step());
        if (!row) break;
        words.push_back(stmt.column_text(0));
    }
    return words;
}

DbResult<std::string> build_query(Database& db, std::string_view text, bool expand_long_prefix) {
    STORAGE_ASSIGN(std::vector<std::string> words, index_words(db, text));
    std::string query;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i) query += ' ';
        const bool last = i + 1 == words.size();
        const std::size_t length = utf8_length(words[i]);
        if (last && expand_long_prefix && length > kMinPrefixChars) {
            STORAGE_ASSIGN(std::vector<std::string> completions, words_starting_with(db, words[i], kMaxPrefixWords));
            if (completions.empty()) return std::string();  // no word starts so: nothing matches
            if (i) query += "AND ";  // FTS5 has no implicit AND before a parenthesis
            query += '(';
            for (std::size_t j = 0; j < completions.size(); ++j) query += std::string(j ? " OR " : "") + fts_word(completions[j]);
            query += ')';
            continue;
        }
        query += fts_word(words[i]);
        // Shorter prefixes would match a large part of the index and have no prefix index
        // to answer them quickly: searched as whole words.
        if (last && length >= kMinPrefixChars) query += '*';
    }
    return query;
}

}  // namespace

DbResult<std::string> to_fts_query(Database& db, std::string_view text) { return build_query(db, text, false); }

DbResult<std::string> to_messages_query(Database& db, std::string_view text) { return build_query(db, text, true); }


DbResult<std::vector<SearchHit>> search(Database& db, std::string_view text, const SearchOptions& options) {
    std::vector<SearchHit> hits;
    STORAGE_ASSIGN(std::string query, to_fts_query(db, text));
    if (query.empty()) return hits;

    STORAGE_ASSIGN(Statement titles,
                   db.prepare("SELECT c.id, c.title, highlight(titles_fts, 0, ?, ?), bm25(titles_fts) AS r "
                              "FROM titles_fts JOIN conversations c ON c.id = titles_fts.rowid "
                              "WHERE titles_fts MATCH ? AND c.deleted_at IS NULL ORDER BY r LIMIT ?"));
    STORAGE_TRY(titles.bind_all(options.open_mark, options.close_mark, query, options.limit));
    for (;;) {
        STORAGE_ASSIGN(bool row, titles.step());
        if (!row) break;
        hits.push_back(SearchHit{titles.column_int64(0), std::nullopt, titles.column_text(1), titles.column_text(2),
                                 titles.column_double(3)});
    }
    int remaining = options.limit - static_cast<int>(hits.size());
    if (remaining <= 0) return hits;
    SearchOptions rest = options;
    rest.limit = remaining;
    STORAGE_ASSIGN(std::vector<SearchHit> message_hits, search_messages(db, text, rest));
    for (auto& hit : message_hits) hits.push_back(std::move(hit));
    return hits;
}

DbResult<std::vector<SearchHit>> search_messages(Database& db, std::string_view text, const SearchOptions& options) {
    std::vector<SearchHit> hits;
    STORAGE_ASSIGN(std::string query, to_messages_query(db, text));
    if (query.empty() || options.limit <= 0) return hits;

    // The FTS query picks the newest rank_window matches (rowid order needs no sort) and
    // scores only those; the joins then fetch titles for the best rows, and snippets are
    // made for the rows returned only.
    const std::int64_t window = options.rank_window > 0 ? options.rank_window : -1;  // -1: no LIMIT
    STORAGE_ASSIGN(Statement messages,
                   db.prepare("SELECT m.conversation_id, m.id, c.title, f.r FROM "
                              "(SELECT rowid AS id, bm25(messages_fts) AS r FROM messages_fts "
                              "WHERE messages_fts MATCH ? ORDER BY rowid DESC LIMIT ?) f "
                              "JOIN messages m ON m.id = f.id JOIN conversations c ON c.id = m.conversation_id "
                              "WHERE c.deleted_at IS NULL ORDER BY f.r, f.id DESC LIMIT ?"));
    STORAGE_TRY(messages.bind_all(query, window, options.limit));
    for (;;) {
        STORAGE_ASSIGN(bool row, messages.step());
        if (!row) break;
        hits.push_back(SearchHit{messages.column_int64(0), messages.column_int64(1), messages.column_text(2), {},
                                 messages.column_double(3)});
    }
    if (hits.empty()) return hits;
    // Snippets in one query: each MATCH re-expands a prefix term (hundreds of ms for a short
    // prefix over a large history), so never one query per hit. The unary + keeps the id
    // list out of the FTS index choice: used as rowid = ? lookups it would re-run the MATCH
    // per id; the BETWEEN range goes to FTS5 instead.
    std::int64_t low = INT64_MAX, high = INT64_MIN;
    std::string ids = "[";
    for (const SearchHit& hit : hits) {
        low = std::min(low, *hit.message_id);
        high = std::max(high, *hit.message_id);
        if (ids.size() > 1) ids += ',';
        ids += std::to_string(*hit.message_id);
    }
    ids += ']';
    STORAGE_ASSIGN(Statement snippets,
                   db.prepare("SELECT rowid, snippet(messages_fts, 0, ?, ?, '…', ?) FROM messages_fts "
                              "WHERE messages_fts MATCH ? AND rowid BETWEEN ? AND ? "
                              "AND +rowid IN (SELECT value FROM json_each(?))"));
    STORAGE_TRY(snippets.bind_all(options.open_mark, options.close_mark, options.snippet_tokens, query, low, high,
                                  ids));
    std::unordered_map<std::int64_t, std::string> by_id;
    for (;;) {
        STORAGE_ASSIGN(bool row, snippets.step());
        if (!row) break;
        by_id.emplace(snippets.column_int64(0), snippets.column_text(1));
    }
    for (SearchHit& hit : hits) {
        if (auto it = by_id.find(*hit.message_id); it != by_id.end()) hit.snippet = std::move(it->second);
    }
    return hits;
}

}  // namespace tessera::storage

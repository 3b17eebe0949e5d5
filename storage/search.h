// Full-text search over message content and conversation titles (FTS5, kept in sync by
// triggers from schema step 2). Conversations in the bin are left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/database.h"

namespace tessera::storage {

struct SearchOptions {
    int limit = 50;
    std::string open_mark = "[";   // around matched terms in snippets
    std::string close_mark = "]";
    int snippet_tokens = 16;
    // Messages are ranked among the newest rank_window matches (0: among all). bm25 has
    // to score every candidate, so a common word over a million messages would take
    // seconds; the window bounds that, and a rarer query (fewer matches) is ranked in full.
    // The index keeps no positions (detail=none), so scoring a candidate means reading and
    // splitting its text: 500 keeps a common word well under 50 ms.
    int rank_window = 500;
};

struct SearchHit {
    std::int64_t conversation_id = 0;
    std::optional<std::int64_t> message_id;  // none: the title matched
    std::string conversation_title;
    std::string snippet;
    double rank = 0;                         // bm25: lower is better
};

// Turns what a person typed into an FTS5 query: every word (as the index's tokenizer
// splits it) must occur, and the last may be a prefix (search as you type) when it has at
// least kMinPrefixChars characters; FTS5 operators and quotes in the text are taken
// literally. Words are matched anywhere in a message, not as a phrase.
inline constexpr std::size_t kMinPrefixChars = 3;  // the index has 3-character prefixes
DbResult<std::string> to_fts_query(Database& db, std::string_view text);

// For messages: a last word longer than the index's prefixes is expanded into the words of
// the index that start with it, as an OR of whole words. SQLite's FTS5 (3.40) answers a
// prefix without a prefix index by merging every posting of every such word before the
// first row, hundreds of ms for a common prefix over a large history; an OR of whole words
// is read lazily, newest first. At most kMaxPrefixWords words (the first in order) are used.
inline constexpr int kMaxPrefixWords = 256;
DbResult<std::string> to_messages_query(Database& db, std::string_view text);

// Title hits first (a title match is what people usually look for), then messages by rank
// (within options.rank_window of the newest matching messages).
DbResult<std::vector<SearchHit>> search(Database& db, std::string_view text, const SearchOptions& options = {});

// The message part of search() on its own: up to options.limit message hits, best first.
DbResult<std::vector<SearchHit>> search_messages(Database& db, std::string_view text,
                                                 const SearchOptions& options = {});

}  // namespace tessera::storage

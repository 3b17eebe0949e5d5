// Message text stored compressed (schema step 5).
//
// A message's content column holds either the text itself (TEXT: short texts, streaming
// replies, anything written before step 5) or, when that saves space, a BLOB:
//   byte 0      format, 1 = raw deflate (zlib)
//   bytes 1-4   the text's length in bytes, little-endian
//   bytes 5-    the deflated text
// SQL reads and writes it through two functions every connection gets (Database::open):
//   tessera_pack(text)  -> the smaller of the text and its packed BLOB
//   tessera_text(value) -> the text, from either form (NULL stays NULL); an error for a
//                          BLOB that does not decode
//   tessera_index_text(value) -> the same, but '' for a BLOB that does not decode
// The search index (messages_fts) is fed tessera_index_text(content) by its triggers and
// reads snippets through the messages_text view (the same function), so it sees the plain
// text, and one damaged row never blocks writes, deletes or a salvage.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "storage/error.h"

struct sqlite3;

namespace tessera::storage {

// Texts shorter than this are stored as they are: deflate cannot win on them.
inline constexpr std::size_t kPackMinBytes = 48;

// The packed BLOB, or nothing when packing would not make the text smaller.
std::optional<std::string> pack_text(std::string_view text);
// The text from a packed BLOB; an error for a BLOB that is not one (damage, a newer format).
DbResult<std::string> unpack_text(std::string_view blob);

// Registers the three functions on a connection.
DbStatus register_text_functions(sqlite3* db);

}  // namespace tessera::storage

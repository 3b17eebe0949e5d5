// Export and import of conversations.
//
// Formats:
//   Markdown  readable, one-way: the title, then each message of the shown path under a
//             role heading; other branches are only mentioned.
//   JSON      lossless, Tessera's own ("format": "tessera-conversations", "version": 1):
//             every message of every tree with ids, parents, sibling order, roles, content,
//             state, stats, and the conversation's settings and shown leaf.
//   ChatGPT   the `conversations.json` of a ChatGPT data export (import only).
// Invariants:
//   1. Import never overwrites: it always adds new conversations with new ids; the tree
//      shape, sibling order, times and shown leaf of each imported conversation are kept.
//   2. Import is one transaction: a malformed file adds nothing and returns a
//      kErrorFormat error that says what and where.
//   3. A reply that was still streaming in the file is imported as interrupted (nothing
//      will ever finish it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/conversation_store.h"

namespace tessera::storage {

inline constexpr int kJsonExportVersion = 1;

// One conversation (in the bin or not) as Markdown.
DbResult<std::string> export_markdown(ConversationStore& store, std::int64_t conversation_id);
// Every conversation not in the bin, most recent first, separated by horizontal rules.
DbResult<std::string> export_markdown_all(ConversationStore& store);

// JSON written to `out` one conversation at a time: memory holds one conversation, not
// the history, so a history of any size can be exported.
DbStatus export_json_to(ConversationStore& store, std::span<const std::int64_t> conversation_ids, std::ostream& out);
// The same into a file, atomically: written to a temporary file beside it, synced, then
// renamed over `target`; on any failure `target` is left as it was.
DbStatus export_json_file(ConversationStore& store, std::span<const std::int64_t> conversation_ids,
                          const std::filesystem::path& target);
DbStatus export_json_all_file(ConversationStore& store, const std::filesystem::path& target);  // not in the bin
// In memory, for small exports (one conversation, tests).
DbResult<std::string> export_json(ConversationStore& store, std::span<const std::int64_t> conversation_ids);
DbResult<std::string> export_json_all(ConversationStore& store);  // not in the bin

struct ImportReport {
    std::vector<std::int64_t> conversation_ids;  // the new conversations, in file order
    std::int64_t messages = 0;                   // messages added
    std::int64_t skipped_nodes = 0;              // ChatGPT: empty, hidden or non-text nodes left out
};

DbResult<ImportReport> import_json(ConversationStore& store, std::string_view text);
DbResult<ImportReport> import_chatgpt(ConversationStore& store, std::string_view text);

}  // namespace tessera::storage

#include "storage/migrations.h"

#include <iterator>

#include "storage/recovery.h"
#include "storage/transaction.h"

namespace tessera::storage {
namespace {

// Times are milliseconds since the Unix epoch (UTC). Text columns are UTF-8.
constexpr MigrationStep kSteps[] = {
    {1, "conversations and message trees", R"sql(
CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    title           TEXT NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    pinned          INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    folder          TEXT,
    model           TEXT,
    system_prompt   TEXT,
    sampling_json   TEXT,            -- sampling settings as a JSON object
    reasoning       TEXT,            -- reasoning setting ("on", "off", model-specific)
    current_leaf_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
    deleted_at      INTEGER          -- soft delete: set, the conversation is in the bin
);
CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    parent_id         INTEGER REFERENCES messages(id) ON DELETE CASCADE,
    sibling_index     INTEGER NOT NULL,  -- order among the children of parent_id
    role              TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
    content           TEXT NOT NULL,
    state             TEXT NOT NULL DEFAULT 'complete'
                      CHECK (state IN ('complete', 'streaming', 'interrupted', 'error')),
    error_text        TEXT,
    model             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    ttft_ms           REAL,
    tokens_per_second REAL,
    created_at        INTEGER NOT NULL
);
-- Children in order (also serves the parent_id cascade); roots and whole conversations.
CREATE INDEX messages_children ON messages(parent_id, sibling_index);
CREATE INDEX messages_by_conversation ON messages(conversation_id, parent_id);
CREATE INDEX messages_streaming ON messages(state) WHERE state = 'streaming';
CREATE INDEX conversations_recent ON conversations(deleted_at, pinned, updated_at);
CREATE INDEX conversations_leaf ON conversations(current_leaf_id);
)sql"},
    {2, "full-text search over message content and titles", R"sql(
-- External-content FTS5 tables: the text is stored once, in messages/conversations.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id');
CREATE VIRTUAL TABLE titles_fts USING fts5(title, content='conversations', content_rowid='id');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
INSERT INTO titles_fts(titles_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER titles_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER titles_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER titles_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO titles_fts(rowid, title) VALUES (new.id, new.title);
END;
)sql"},
    {3, "model catalog and download jobs", R"sql(
CREATE TABLE model_files (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL UNIQUE,
    size_bytes      INTEGER NOT NULL,
    sha256          TEXT,             -- lowercase hex, 64 characters
    architecture    TEXT,
    parameter_count INTEGER,
    quantization    TEXT,
    source_url      TEXT,
    added_at        INTEGER NOT NULL
);
CREATE TABLE download_jobs (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    target_path     TEXT NOT NULL,
    expected_size   INTEGER,
    expected_sha256 TEXT,
    bytes_done      INTEGER NOT NULL DEFAULT 0,
    etag            TEXT,
    state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued', 'running', 'paused', 'verifying', 'done', 'failed')),
    error_text      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
-- One live job per target file (D10: one writer only).
CREATE UNIQUE INDEX download_jobs_live_target ON download_jobs(target_path)
    WHERE state IN ('queued', 'running', 'paused', 'verifying');
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
)sql"},
    {4, "when each model file was last used", R"sql(
ALTER TABLE model_files ADD COLUMN last_used_at INTEGER;
)sql"},
    {5, "message text stored compressed, a smaller search index", R"sql(
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TABLE messages_fts;
-- Finished messages are packed (storage/text_codec.h); a streaming reply stays plain
-- text until it ends, so its batches are cheap appends.
UPDATE messages SET content = tessera_pack(content) WHERE state <> 'streaming';
-- What the search index reads for snippets and its own upkeep: the plain text.
CREATE VIEW messages_text AS SELECT id, tessera_index_text(content) AS content FROM messages;
-- detail=none keeps which messages hold a word but not where (a third of the size of
-- detail=full); snippets and bm25 find the places by reading the text of the few rows
-- they see. columnsize=0: lengths are counted from the text too. The 3-character prefix
-- index keeps search as you type fast when the last word is a short prefix of a common
-- word (shorter last words are searched whole). Phrase queries are not possible with
-- detail=none; search asks for words.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages_text', content_rowid='id',
                                             detail=none, columnsize=0, prefix='3');
INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, tessera_index_text(new.content));
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, tessera_index_text(old.content));
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, tessera_index_text(old.content));
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, tessera_index_text(new.content));
END;
)sql"},
    {6, "remote OpenAI-compatible servers", R"sql(
-- A server's API key is never here: it is in the secret store under "remote-server/<id>";
-- has_key only says whether one was given.
CREATE TABLE remote_servers (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL,
    base_url              TEXT NOT NULL,
    has_key               INTEGER NOT NULL DEFAULT 0 CHECK (has_key IN (0, 1)),
    models                TEXT NOT NULL DEFAULT '',  -- the model ids it served when last asked, one a line
    first_byte_timeout_ms INTEGER NOT NULL,
    idle_timeout_ms       INTEGER NOT NULL,
    added_at              INTEGER NOT NULL
);
)sql"},
};

}  // namespace

std::span<const MigrationStep> schema_migrations() { return kSteps; }
int latest_schema_version() { return std::size(kSteps); }

DbResult<MigrationReport> migrate(Database& db, std::span<const MigrationStep> steps,
                                  const std::optional<std::filesystem::path>& backup_dir) {
    MigrationReport report;
    STORAGE_ASSIGN(report.from_version, db.user_version());
    report.to_version = report.from_version;
    const int target = steps.empty() ? 0 : steps.back().to_version;
    if (report.from_version > target) {
        return DbError{"the database is at schema version " + std::to_string(report.from_version) +
                           ", newer than this Tessera understands (" + std::to_string(target) +
                           "); it will not be changed",
                       kErrorReadOnly};
    }
    if (report.from_version == target) return report;
    if (db.read_only()) return DbError{"the database needs an upgrade but is open read-only", kErrorReadOnly};

    if (backup_dir && report.from_version > 0) {
        STORAGE_ASSIGN(report.backup, backup_database(db, *backup_dir,
                                                      "before-v" + std::to_string(target)));
    }
    for (const MigrationStep& step : steps) {
        if (step.to_version <= report.to_version) continue;
        STORAGE_ASSIGN(Transaction tx, Transaction::begin(db));
        auto context = "migrating to schema version " + std::to_string(step.to_version) + " (" +
                       step.description + ")";
        if (auto status = db.exec(step.sql); !status.ok()) return with_context(context, status.error());
        if (auto status = db.exec("PRAGMA user_version=" + std::to_string(step.to_version)); !status.ok())
            return with_context(context, status.error());
        if (auto status = tx.commit(); !status.ok()) return with_context(context, status.error());
        report.to_version = step.to_version;
    }
    return report;
}

}  // namespace tessera::storage

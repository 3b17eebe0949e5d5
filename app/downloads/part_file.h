// The partial file "<target>.part" of one download, and its running SHA-256.
//
// Invariants:
//   1. One writer per target (D10): the .part file is held with an exclusive flock() for
//      the life of the object, so a second manager, in this process or another, is refused
//      with "already being downloaded". The kernel drops the lock when a process dies (D11).
//   2. hash covers exactly bytes [0, size()) of the file: bytes are hashed as they are
//      appended; on resume the bytes already on disk are read and hashed once (unavoidable:
//      the hash state of the previous run is not kept), never a second read at the end.
//   3. Nothing is ever written at the target path except by commit(), which syncs the
//      data, renames .part into place (atomic on one filesystem) and syncs the folder.
//      Writeback is started every kWritebackBytes while appending (sync_file_range, which
//      does not wait), so the disk writes while the network transfers and the final sync
//      waits only for the last stretch instead of the whole file.
#pragma once

#include <QByteArray>
#include <QString>
#include <memory>
#include <optional>
#include <variant>

#include "downloads/sha256.h"

namespace tessera::downloads {

class PartFile {
public:
    static constexpr qint64 kWritebackBytes = 32ll << 20;

    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;
    ~PartFile();

    // Opens (creating) "<target>.part" and locks it; error text when the lock is held, the
    // target already exists, or the folder is not writable.
    static std::variant<std::unique_ptr<PartFile>, QString> open(const QString& target_path);

    // Hashes the bytes already there (resume). Returns an error text on a read error.
    std::optional<QString> hash_existing();
    // Empties the file and the hash (server ignored Range, ETag changed, corrupt partial).
    std::optional<QString> reset();
    // Appends; the error names a full disk as "disk full" (ENOSPC, EDQUOT).
    std::optional<QString> append(const char* data, qint64 size);

    qint64 size() const { return size_; }
    // The SHA-256 of the whole file, lowercase hex. Ends hashing: call once, at the end.
    QString finish_hash();
    // Syncs, renames into place, syncs the folder. Error text on failure (.part is kept).
    std::optional<QString> commit();
    // Closes and deletes the .part (cancel).
    void discard();

    const QString& target_path() const { return target_; }
    QString part_path() const { return target_ + QStringLiteral(".part"); }
    // The first bytes of the file (for the GGUF magic check), at most 4.
    const QByteArray& head() const { return head_; }

private:
    PartFile(QString target, int fd, qint64 size);
    void close();

    QString target_;
    int fd_ = -1;
    qint64 size_ = 0;
    QByteArray head_;
    Sha256 hash_;
    qint64 writeback_from_ = 0;  // bytes before this offset have had their writeback started
};

}  // namespace tessera::downloads

#include "downloads/part_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QFile>
#include <QFileInfo>
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <vector>

namespace tessera::downloads {
namespace {

QString errno_text(int err) {
    if (err == ENOSPC || err == EDQUOT) return QStringLiteral("disk full");
    return QString::fromLocal8Bit(std::strerror(err));
}

bool sync_folder(const QString& folder) {
    const int dir = ::open(QFile::encodeName(folder).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return false;
    const bool ok = ::fsync(dir) == 0;
    ::close(dir);
    return ok;
}

}  // namespace

PartFile::PartFile(QString target, int fd, qint64 size)
    : target_(std::move(target)), fd_(fd), size_(size), writeback_from_(size) {}

PartFile::~PartFile() { close(); }

void PartFile::close() {
    if (fd_ >= 0) ::close(fd_);  // also releases the flock
    fd_ = -1;
}

std::variant<std::unique_ptr<PartFile>, QString> PartFile::open(const QString& target_path) {
    if (QFileInfo::exists(target_path))
        return QStringLiteral("%1 already exists; delete it first to download it again").arg(target_path);
    const QByteArray part = QFile::encodeName(target_path + QStringLiteral(".part"));
    const int fd = ::open(part.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return QStringLiteral("cannot write %1: %2").arg(QFile::decodeName(part), errno_text(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return QStringLiteral("%1 is already being downloaded by another download (one writer per file)")
                .arg(QFileInfo(target_path).fileName());
        return QStringLiteral("cannot lock %1: %2").arg(QFile::decodeName(part), errno_text(err));
    }
    // The target may have appeared while we waited for nothing: a finished download of the
    // same file just renamed its .part (which we then created anew).
    if (QFileInfo::exists(target_path)) {
        ::unlink(part.constData());
        ::close(fd);
        return QStringLiteral("%1 already exists; delete it first to download it again").arg(target_path);
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        ::close(fd);
        return QStringLiteral("cannot read %1: %2").arg(QFile::decodeName(part), errno_text(errno));
    }
    return std::unique_ptr<PartFile>(new PartFile(target_path, fd, st.st_size));
}

std::optional<QString> PartFile::hash_existing() {
    hash_.reset();
    head_.clear();
    std::vector<char> buffer(4 << 20);
    qint64 offset = 0;
    while (offset < size_) {
        const ssize_t n = ::pread(fd_, buffer.data(), buffer.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return QStringLiteral("cannot read %1: %2").arg(part_path(), errno_text(n < 0 ? errno : EIO));
        if (head_.size() < 4) head_.append(buffer.data(), std::min<qint64>(4 - head_.size(), n));
        hash_.add(buffer.data(), n);
        offset += n;
    }
    return std::nullopt;
}

std::optional<QString> PartFile::reset() {
    if (::ftruncate(fd_, 0) != 0) return QStringLiteral("cannot empty %1: %2").arg(part_path(), errno_text(errno));
    size_ = 0;
    writeback_from_ = 0;
    head_.clear();
    hash_.reset();
    return std::nullopt;
}

std::optional<QString> PartFile::append(const char* data, qint64 size) {
    if (head_.size() < 4 && size_ < 4) head_.append(data, std::min<qint64>(4 - head_.size(), size));
    qint64 written = 0;
    while (written < size) {
        const ssize_t n = ::pwrite(fd_, data + written, size - written, size_ + written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            // Keep what was written whole: the file ends where the hash does.
            if (::ftruncate(fd_, size_) != 0) return QStringLiteral("cannot write %1: %2").arg(part_path(), errno_text(err));
            return err == ENOSPC || err == EDQUOT ? QStringLiteral("disk full")
                                                  : QStringLiteral("cannot write %1: %2").arg(part_path(), errno_text(err));
        }
        written += n;
    }
    hash_.add(data, size);
    size_ += size;
    if (size_ - writeback_from_ >= kWritebackBytes) {
        // Asynchronous: only starts writing these pages; errors surface at commit()'s fsync.
        ::sync_file_range(fd_, writeback_from_, size_ - writeback_from_, SYNC_FILE_RANGE_WRITE);
        writeback_from_ = size_;
    }
    return std::nullopt;
}

QString PartFile::finish_hash() { return hash_.hex(); }

std::optional<QString> PartFile::commit() {
    if (::fsync(fd_) != 0) return QStringLiteral("cannot save %1: %2").arg(part_path(), errno_text(errno));
    const QByteArray from = QFile::encodeName(part_path()), to = QFile::encodeName(target_);
    // RENAME_NOREPLACE: a file that appeared at the target meanwhile is never replaced.
    int rc = ::renameat2(AT_FDCWD, from.constData(), AT_FDCWD, to.constData(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {  // a filesystem without it: check, then rename
        if (QFileInfo::exists(target_)) errno = EEXIST;
        else rc = ::rename(from.constData(), to.constData());
    }
    if (rc != 0) return QStringLiteral("cannot move the download to %1: %2").arg(target_, errno_text(errno));
    sync_folder(QFileInfo(target_).absolutePath());
    close();
    return std::nullopt;
}

void PartFile::discard() {
    ::unlink(QFile::encodeName(part_path()).constData());
    close();
}

}  // namespace tessera::downloads

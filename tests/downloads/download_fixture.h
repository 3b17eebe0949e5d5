// Shared pieces of the download tests: generated model files (the GGUF magic, then random
// bytes), a migrated database in a temporary folder, planted partial downloads, and
// settings with short timeouts so retries and stalls cost milliseconds.
#pragma once

#include <QByteArray>
#include <QCryptographicHash>
#include <QFile>
#include <QRandomGenerator>
#include <QString>
#include <QTest>

#include "downloads/download_manager.h"
#include "storage/catalog_store.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace tessera::downloads::testing {

struct TestModel {
    QByteArray data;
    QString sha256;
};

inline QString sha256_hex(const QByteArray& data) {
    return QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
}

inline TestModel make_model(qint64 size, quint32 seed) {
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator rng(seed);
    rng.fillRange(reinterpret_cast<quint32*>(data.data()), size / 4);
    data.replace(0, 8, QByteArray("GGUF\x03\x00\x00\x00", 8));
    return {data, sha256_hex(data)};
}

inline bool write_file(const QString& path, const QByteArray& data) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

inline QByteArray read_file(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

inline storage::Database open_database(const QString& path) {
    auto db = storage::Database::open(path.toStdString());
    if (!db) qFatal("cannot open %s: %s", qPrintable(path), db.error().message.c_str());
    auto migrated = storage::migrate(*db);
    if (!migrated) qFatal("cannot migrate %s: %s", qPrintable(path), migrated.error().message.c_str());
    return std::move(db).value();
}

// Short timeouts: a stall is noticed in 1.5 s, a retry waits 10 ms.
inline DownloadSettings fast_settings() {
    DownloadSettings s;
    s.backoff_first = std::chrono::milliseconds(10);
    s.backoff_max = std::chrono::milliseconds(50);
    s.stall_timeout = std::chrono::milliseconds(1500);
    s.progress_save_every = std::chrono::milliseconds(0);
    s.reserve_bytes = 0;
    s.max_attempts = 6;
    return s;
}

// A job left paused by an earlier run, with `bytes` already in "<target>.part".
inline qint64 plant_partial(storage::CatalogStore& catalog, const QUrl& url, const QString& target,
                            const QByteArray& bytes, const QByteArray& etag, std::optional<qint64> size,
                            std::optional<QString> sha256) {
    storage::NewDownload job;
    job.url = url.toString().toStdString();
    job.target_path = target.toStdString();
    job.expected_size = size;
    if (sha256) job.expected_sha256 = sha256->toStdString();
    auto id = catalog.add_download(job);
    if (!id) qFatal("plant_partial: %s", id.error().message.c_str());
    if (!catalog.set_download_state(*id, storage::DownloadState::running).ok() ||
        !catalog.record_progress(*id, bytes.size(), etag.toStdString()).ok() ||
        !catalog.set_download_state(*id, storage::DownloadState::paused).ok() ||
        !write_file(target + QStringLiteral(".part"), bytes))
        qFatal("plant_partial: cannot set up job %lld", static_cast<long long>(*id));
    return *id;
}

inline bool finished(DownloadManager& m, qint64 id) {
    const auto state = m.progress(id).state;
    return state == storage::DownloadState::done || state == storage::DownloadState::failed;
}

}  // namespace tessera::downloads::testing

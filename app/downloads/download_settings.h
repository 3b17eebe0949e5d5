// Knobs of the download engine. The defaults are for real networks; tests shrink the
// timeouts so a stall or a backoff costs milliseconds, and replace the free-space probe to
// simulate a full disk (D6) without mounting anything.
#pragma once

#include <QString>
#include <chrono>
#include <functional>

namespace tessera::downloads {

// Reading a catalog file's header before downloading it (header_probe.h).
struct ProbeSettings {
    qint64 first_bytes = 4ll << 20;  // most GGUF headers (a 128k vocabulary included) fit in this
    qint64 max_bytes = 64ll << 20;   // a header larger than this is not read ahead of a download
    std::chrono::milliseconds timeout{20000};
    QString user_agent = QStringLiteral("Tessera");
    int max_parallel = 2;            // header reads at once (the catalog's files queue for them)
};

struct DownloadSettings {
    int max_parallel = 2;                                  // transfers at once; the rest wait queued
    int max_attempts = 8;                                  // per job before it fails; a completed byte range resets it
    std::chrono::milliseconds backoff_first{1000};         // doubled per failed attempt ...
    std::chrono::milliseconds backoff_max{60000};          // ... up to this
    std::chrono::milliseconds stall_timeout{30000};        // no byte for this long: abort and retry
    std::chrono::milliseconds progress_save_every{1000};   // bytes_done written to the database
    qint64 reserve_bytes = 256ll << 20;                    // never fill the disk past this
    qint64 space_check_every_bytes = 64ll << 20;           // free space is checked again after this much
    QString user_agent = QStringLiteral("Tessera");
    ProbeSettings probe;
    // Test seam (D11): runs after a finished file is renamed into place, before it is
    // registered; the kill test ends the process here.
    std::function<void(const QString& path)> after_rename;
    // Free bytes for the folder; QStorageInfo when empty.
    std::function<qint64(const QString& folder)> free_space;
};

}  // namespace tessera::downloads

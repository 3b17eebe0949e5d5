// What the Models page shows of the download queue: one row per job and the total, as
// plain values copied from the download thread to the GUI thread.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QUrl>
#include <variant>

namespace tessera::app {

struct DownloadRow {
    qint64 id = 0;
    QString name;         // the file name in the models folder
    QString url;
    QString state;        // storage's DownloadState: queued, running, paused, verifying, done, failed
    qint64 bytes_done = 0;
    qint64 bytes_total = -1;   // -1 while unknown (a direct URL before the server answers)
    double bytes_per_second = 0;
    double seconds_left = -1;  // -1 while unknown
    QString error;
    bool removed = false;      // cancelled or cleared: the row goes
};

struct DownloadTotals {
    int active = 0, queued = 0;
    qint64 bytes_done = 0, bytes_total = 0;  // over jobs whose size is known
    double bytes_per_second = 0;
    double seconds_left = -1;
};

// A file of a Hugging Face repository typed as "owner/name/path/in/repo.gguf".
struct HubFileRef {
    QString repo, path;
};

// What the "add a download" field holds: an https URL (http only to this machine, for local
// mirrors and tests), or a repository file; otherwise the reason it is refused.
std::variant<QUrl, HubFileRef, QString> parse_download_source(const QString& text);

}  // namespace tessera::app

Q_DECLARE_METATYPE(tessera::app::DownloadRow)
Q_DECLARE_METATYPE(tessera::app::DownloadTotals)

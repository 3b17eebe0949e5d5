// nginx (Debian's nginx-light) started as a child process (by the download tests and
// tessera-download-bench) with a configuration written into a temporary folder: pid, logs
// and temp paths inside it, listening on 127.0.0.1 at a free port, with nginx's real Range,
// If-Range and ETag behaviour. It serves www(), a folder inside its own (readable by nginx's
// workers even when run as root). The access log records status, Range and If-Range.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

namespace tessera::loopback {

class NginxServer {
public:
    NginxServer() = default;
    NginxServer(const NginxServer&) = delete;
    NginxServer& operator=(const NginxServer&) = delete;
    ~NginxServer();

    // Empty on success, otherwise what went wrong (nginx missing: how to install it).
    QString start();
    QString www() const { return dir_.path() + QStringLiteral("/www"); }
    void stop();

    quint16 port() const { return port_; }
    QUrl url(const QString& file) const;
    // One line per request: "STATUS range=RANGE if_range=IF-RANGE" (empty when not sent).
    QStringList access_log() const;
    // The body bytes nginx sent for each request, in the same order.
    QList<qint64> bytes_sent() const;

private:
    QTemporaryDir dir_;
    QProcess process_;
    quint16 port_ = 0;
};

}  // namespace tessera::loopback

#include "nginx_loopback.h"

#include <unistd.h>

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

namespace tessera::loopback {

NginxServer::~NginxServer() { stop(); }

void NginxServer::stop() {
    if (process_.state() == QProcess::NotRunning) return;
    process_.terminate();  // SIGTERM: nginx's fast shutdown
    if (!process_.waitForFinished(5000)) {
        process_.kill();
        process_.waitForFinished(2000);
    }
}

QString NginxServer::start() {
    QString nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"));
    if (nginx.isEmpty())
        nginx = QStandardPaths::findExecutable(QStringLiteral("nginx"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    if (nginx.isEmpty()) return QStringLiteral("nginx is not installed (apt-get install nginx-light; packaging/setup.sh lists it)");
    if (!dir_.isValid()) return QStringLiteral("no temporary folder for nginx");
    {
        QTcpServer probe;  // a free port; nginx binds it a moment later
        if (!probe.listen(QHostAddress::LocalHost, 0)) return QStringLiteral("no free port on 127.0.0.1");
        port_ = probe.serverPort();
    }
    const QString d = dir_.path();
    // As root (CI containers), nginx's workers drop to this user; it must read the files.
    const auto open_dir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadOther |
                          QFile::ExeOther | QFile::ReadGroup | QFile::ExeGroup;
    QFile::setPermissions(d, open_dir);
    QDir().mkpath(www());
    QFile::setPermissions(www(), open_dir);
    const QString root = www();
    const QString user = ::geteuid() == 0 ? QStringLiteral("user nobody nogroup;\n") : QString();
    const QString conf = QStringLiteral(
                             "%1worker_processes 1;\n"
                             "pid %2/nginx.pid;\n"
                             "error_log %2/error.log;\n"
                             "events { worker_connections 64; }\n"
                             "http {\n"
                             "  log_format probe escape=none '$status range=$http_range if_range=$http_if_range';\n"
                             "  access_log %2/access.log probe;\n"
                             "  log_format sizes escape=none '$body_bytes_sent';\n"
                             "  access_log %2/sent.log sizes;\n"
                             "  client_body_temp_path %2/client_body;\n"
                             "  proxy_temp_path %2/proxy;\n"
                             "  fastcgi_temp_path %2/fastcgi;\n"
                             "  uwsgi_temp_path %2/uwsgi;\n"
                             "  scgi_temp_path %2/scgi;\n"
                             "  default_type application/octet-stream;\n"
                             "  sendfile on;\n"
                             "  server {\n"
                             "    listen 127.0.0.1:%3;\n"
                             "    root %4;\n"
                             "  }\n"
                             "}\n")
                             .arg(user, d)
                             .arg(port_)
                             .arg(root);
    QFile file(d + QStringLiteral("/nginx.conf"));
    if (!file.open(QIODevice::WriteOnly) || file.write(conf.toUtf8()) < 0) return QStringLiteral("cannot write nginx.conf");
    file.close();
    process_.setProcessChannelMode(QProcess::MergedChannels);
    process_.start(nginx, {QStringLiteral("-p"), d, QStringLiteral("-c"), d + QStringLiteral("/nginx.conf"),
                           QStringLiteral("-e"), d + QStringLiteral("/error.log"), QStringLiteral("-g"),
                           QStringLiteral("daemon off;")});
    if (!process_.waitForStarted(5000)) return QStringLiteral("nginx did not start: ") + process_.errorString();
    const QDeadlineTimer deadline(10000);
    while (!deadline.hasExpired()) {
        if (process_.state() == QProcess::NotRunning) break;
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, port_);
        if (socket.waitForConnected(200)) return {};
        QThread::msleep(50);
    }
    QFile log(d + QStringLiteral("/error.log"));
    log.open(QIODevice::ReadOnly);
    return QStringLiteral("nginx is not answering on port %1: %2 %3")
        .arg(port_)
        .arg(QString::fromUtf8(process_.readAll()), QString::fromUtf8(log.readAll()));
}

QUrl NginxServer::url(const QString& file) const {
    return QUrl(QStringLiteral("http://127.0.0.1:%1/%2").arg(port_).arg(file));
}

QList<qint64> NginxServer::bytes_sent() const {
    QFile log(dir_.path() + QStringLiteral("/sent.log"));
    QList<qint64> out;
    if (!log.open(QIODevice::ReadOnly)) return out;
    for (const QByteArray& line : log.readAll().split('\n'))
        if (!line.isEmpty()) out << line.toLongLong();
    return out;
}

QStringList NginxServer::access_log() const {
    QFile log(dir_.path() + QStringLiteral("/access.log"));
    if (!log.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(log.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

}  // namespace tessera::loopback

// tessera-download-bench: download throughput on loopback. nginx serves one generated file
// (2 GiB by default: the GGUF magic, then a 64 MiB random block repeated); it is fetched
// alternately with `curl -o` and with DownloadManager (transfer, SHA-256 as bytes arrive,
// verification, rename, catalog entry), and the best times and their ratio are printed.
// The target: DownloadManager within 1.3x of curl. Prints numbers, asserts nothing.
//
//   tessera-download-bench [--size 2G|512M|BYTES] [--runs N]
#include <QCoreApplication>
#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <algorithm>
#include <cstdio>

#include "downloads/download_manager.h"
#include "nginx_loopback.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace {

qint64 parse_size(const QString& text) {
    const QString t = text.trimmed().toUpper();
    qint64 unit = 1;
    QString digits = t;
    if (t.endsWith(QLatin1Char('G'))) unit = 1ll << 30;
    else if (t.endsWith(QLatin1Char('M'))) unit = 1ll << 20;
    else if (t.endsWith(QLatin1Char('K'))) unit = 1ll << 10;
    if (unit != 1) digits.chop(1);
    bool ok = false;
    const qint64 n = digits.toLongLong(&ok);
    return ok && n > 0 ? n * unit : -1;
}

// Writes the file and returns its SHA-256 (hashed here, once, outside any timing).
QString generate(const QString& path, qint64 size) {
    QByteArray block(64 << 20, Qt::Uninitialized);
    QRandomGenerator rng(7);
    rng.fillRange(reinterpret_cast<quint32*>(block.data()), block.size() / 4);
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (qint64 written = 0; written < size;) {
        QByteArray chunk = block.left(std::min<qint64>(block.size(), size - written));
        if (written == 0) chunk.replace(0, 8, QByteArray("GGUF\x03\x00\x00\x00", 8));
        if (out.write(chunk) != chunk.size()) qFatal("cannot write %s (disk full?)", qPrintable(path));
        hash.addData(chunk);
        written += chunk.size();
    }
    return QString::fromLatin1(hash.result().toHex());
}

double time_curl(const QString& curl, const QUrl& url, const QString& out) {
    QFile::remove(out);
    QElapsedTimer timer;
    timer.start();
    const int rc = QProcess::execute(curl, {QStringLiteral("-s"), QStringLiteral("-f"), QStringLiteral("-o"), out,
                                            url.toString()});
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (rc != 0) qFatal("curl failed with %d", rc);
    return seconds;
}

double time_manager(const QUrl& url, const QString& models, const QString& db_path, qint64 size, const QString& sha) {
    QFile::remove(models + QStringLiteral("/bench.gguf"));
    QFile::remove(db_path);
    auto db = tessera::storage::Database::open(db_path.toStdString());
    if (!db || !tessera::storage::migrate(*db)) qFatal("cannot open the bench database");
    tessera::downloads::DownloadSettings settings;
    settings.reserve_bytes = 0;
    tessera::downloads::DownloadManager manager(*db, models, settings);
    QString error;
    bool done = false;
    QObject::connect(&manager, &tessera::downloads::DownloadManager::jobFinished, [&] { done = true; });
    QObject::connect(&manager, &tessera::downloads::DownloadManager::jobFailed, [&](qint64, const QString& message) {
        error = message;
        done = true;
    });
    QElapsedTimer timer;
    timer.start();
    auto id = manager.enqueue({url, QStringLiteral("bench.gguf"), size, sha, {}});
    if (auto* refused = std::get_if<QString>(&id)) qFatal("enqueue: %s", qPrintable(*refused));
    manager.start();
    while (!done) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (!error.isEmpty()) qFatal("download failed: %s", qPrintable(error));
    return seconds;
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    qint64 size = 2ll << 30;
    int runs = 3;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--size") && i + 1 < args.size()) size = parse_size(args[++i]);
        else if (args[i] == QLatin1String("--runs") && i + 1 < args.size()) runs = args[++i].toInt();
        else {
            std::fprintf(stderr, "usage: tessera-download-bench [--size 2G|512M|BYTES] [--runs N]\n");
            return 2;
        }
    }
    if (size < 16 || runs < 1) {
        std::fprintf(stderr, "--size must be at least 16 bytes and --runs at least 1\n");
        return 2;
    }
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    if (curl.isEmpty()) {
        std::fprintf(stderr, "curl is not installed (apt-get install curl)\n");
        return 1;
    }
    tessera::loopback::NginxServer nginx;
    if (const QString error = nginx.start(); !error.isEmpty()) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    QTemporaryDir work;
    const QString models = work.filePath(QStringLiteral("models"));
    const QString sha = generate(nginx.www() + QStringLiteral("/bench.gguf"), size);
    const QUrl url = nginx.url(QStringLiteral("bench.gguf"));
    std::printf("file: %.1f MiB from nginx on 127.0.0.1:%d, %d run(s) each, alternating\n", size / 1048576.0,
                nginx.port(), runs);

    std::vector<double> curl_s, manager_s;
    for (int run = 0; run < runs; ++run) {
        curl_s.push_back(time_curl(curl, url, work.filePath(QStringLiteral("curl.out"))));
        QFile::remove(work.filePath(QStringLiteral("curl.out")));
        manager_s.push_back(time_manager(url, models, work.filePath(QStringLiteral("bench.db")), size, sha));
        std::printf("run %d: curl -o %.3f s, DownloadManager %.3f s\n", run + 1, curl_s.back(), manager_s.back());
        std::fflush(stdout);
    }
    const double best_curl = *std::min_element(curl_s.begin(), curl_s.end());
    const double best_manager = *std::min_element(manager_s.begin(), manager_s.end());
    const auto mibs = [&](double s) { return size / 1048576.0 / s; };
    std::printf("curl -o (transfer + write):                  best %.3f s  %.0f MiB/s\n", best_curl, mibs(best_curl));
    std::printf("DownloadManager (transfer + write + SHA-256): best %.3f s  %.0f MiB/s\n", best_manager,
                mibs(best_manager));
    std::printf("ratio DownloadManager / curl: %.2fx (target: at most 1.30x)\n", best_manager / best_curl);
    return 0;
}

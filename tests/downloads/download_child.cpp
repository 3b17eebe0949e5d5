// A process that runs one download and is killed mid-way by the D11 test:
//   tessera_download_child DATABASE MODELS_DIR URL FILE_NAME SIZE SHA256 [kill-after-rename]
// With kill-after-rename it kills itself (SIGKILL: no clean-up) right after the finished file
// is renamed into place, before it is registered.
#include <signal.h>

#include <QCoreApplication>
#include <QTextStream>

#include "download_fixture.h"

using namespace tessera::downloads;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 7 && !(args.size() == 8 && args[7] == QLatin1String("kill-after-rename"))) {
        QTextStream(stderr) << "usage: tessera_download_child DATABASE MODELS_DIR URL FILE_NAME SIZE SHA256 "
                               "[kill-after-rename]\n";
        return 2;
    }
    tessera::storage::Database db = testing::open_database(args[1]);
    DownloadSettings settings = testing::fast_settings();
    if (args.size() == 8) settings.after_rename = [](const QString&) { ::raise(SIGKILL); };
    DownloadManager manager(db, args[2], settings);
    QObject::connect(&manager, &DownloadManager::jobFinished, &app, [] { QCoreApplication::exit(0); });
    QObject::connect(&manager, &DownloadManager::jobFailed, &app, [](qint64, const QString& message) {
        QTextStream(stderr) << message << "\n";
        QCoreApplication::exit(1);
    });
    auto id = manager.enqueue({QUrl(args[3]), args[4], args[5].toLongLong(), args[6], {}});
    if (auto* error = std::get_if<QString>(&id)) {
        QTextStream(stderr) << *error << "\n";
        return 1;
    }
    QTextStream(stdout) << "started " << std::get<qint64>(id) << "\n";
    manager.start();
    return app.exec();
}

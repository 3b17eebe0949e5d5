// A process that runs one download and is killed mid-way by the D11 test:
//   tessera_download_child DATABASE MODELS_DIR URL FILE_NAME SIZE SHA256
#include <QCoreApplication>
#include <QTextStream>

#include "download_fixture.h"

using namespace tessera::downloads;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 7) {
        QTextStream(stderr) << "usage: tessera_download_child DATABASE MODELS_DIR URL FILE_NAME SIZE SHA256\n";
        return 2;
    }
    tessera::storage::Database db = testing::open_database(args[1]);
    DownloadManager manager(db, args[2], testing::fast_settings());
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

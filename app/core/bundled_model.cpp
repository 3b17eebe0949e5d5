#include "bundled_model.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace tessera::app {

QString bundled_model_path() {
    const QString file = QString::fromLatin1(kBundledModelFile);
    const QStringList candidates = {
        // Installed: <prefix>/bin/tessera and <prefix>/share/tessera/models/.
        QCoreApplication::applicationDirPath() + QStringLiteral("/../" TESSERA_INSTALL_DATADIR "/tessera/models/") + file,
        // A build tree: the model is in the sources.
        QStringLiteral(TESSERA_SOURCE_DIR "/packaging/models/") + file,
    };
    for (const QString& path : candidates)
        if (QFileInfo(path).isFile()) return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    return {};
}

}  // namespace tessera::app

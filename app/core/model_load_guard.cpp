#include "model_load_guard.h"

#include <QFile>
#include <QSaveFile>

#include "logging.h"

namespace tessera::app {

ModelLoadGuard::ModelLoadGuard(std::filesystem::path data_dir, EngineThread& engine, QObject* parent)
    : QObject(parent), marker_(std::move(data_dir) / kMarkerName), engine_(engine) {
    connect(&engine_, &EngineThread::stateChanged, this, &ModelLoadGuard::onStateChanged);
}

std::optional<QString> ModelLoadGuard::unfinished_load() const {
    QFile file(QString::fromStdString(marker_.string()));
    if (!file.open(QIODevice::ReadOnly)) return std::nullopt;
    const QString path = QString::fromUtf8(file.readAll()).trimmed();
    if (path.isEmpty()) return std::nullopt;
    return path;
}

bool ModelLoadGuard::load_or_offer(const QString& path) {
    if (auto unfinished = unfinished_load()) {
        qCWarning(lcEngine) << "the last run stopped while loading" << *unfinished;
        engine_.offer(*unfinished, EngineThread::tr("Tessera stopped while loading this model last time, so it "
                                                    "was not loaded again. Load it only if that was not the cause."));
        return false;
    }
    engine_.load(path);
    return true;
}

void ModelLoadGuard::onStateChanged() {
    const QString marker = QString::fromStdString(marker_.string());
    if (engine_.state() == EngineThread::State::Loading) {
        // Written and synced before the engine starts reading the model (QSaveFile commits atomically).
        QSaveFile file(marker);
        if (!file.open(QIODevice::WriteOnly) || file.write(engine_.modelPath().toUtf8()) < 0 || !file.commit())
            qCWarning(lcEngine) << "cannot write" << marker << file.errorString();
    } else {
        QFile::remove(marker);
    }
}

}  // namespace tessera::app

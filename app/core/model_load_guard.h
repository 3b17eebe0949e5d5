// A crash while a model loads (memory exhausted, a driver fault) must not repeat at every
// start. While a model loads, a marker file in the data folder names it; it is removed when
// the load ends either way. Found at start-up, the marker means the last load never ended:
// the app then offers that model instead of loading it.
#pragma once

#include <QObject>
#include <QString>
#include <filesystem>
#include <optional>

#include "engine_thread.h"

namespace tessera::app {

class ModelLoadGuard : public QObject {
    Q_OBJECT
public:
    static constexpr const char* kMarkerName = "model-loading";

    // Watches the engine's loads from now on.
    ModelLoadGuard(std::filesystem::path data_dir, EngineThread& engine, QObject* parent = nullptr);

    // The model whose load an earlier run began and never ended, if any.
    std::optional<QString> unfinished_load() const;

    // Loads `path`, unless an earlier run died loading a model: then that one is offered
    // (the user decides) and false is returned.
    bool load_or_offer(const QString& path);

private:
    void onStateChanged();

    std::filesystem::path marker_;
    EngineThread& engine_;
};

}  // namespace tessera::app

// The details view of one model file: its facts (architecture, parameters, quantization,
// shape), its layer map and its fit estimate. Setting `path` reads the GGUF header and block
// plan on a pool thread (the engine's reader and tensor checks, weights left unread); the
// result is published on the GUI thread. A newer path wins over a read still under way.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QtQml/qqmlregistration.h>

#include "core/result.h"
#include "fit_estimate.h"
#include "layer_map_model.h"
#include "machine_memory.h"
#include "model/model_summary.h"

namespace tessera::app {

class ModelDetails : public QObject {
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString path READ path WRITE setPath NOTIFY pathChanged)
    Q_PROPERTY(tessera::app::MachineMemory* machine READ machine WRITE setMachine NOTIFY machineChanged)
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY statusChanged)
    Q_PROPERTY(QString name READ name NOTIFY statusChanged)
    Q_PROPERTY(QString architecture READ architecture NOTIFY statusChanged)
    Q_PROPERTY(double parameterCount READ parameterCount NOTIFY statusChanged)
    Q_PROPERTY(QString quantization READ quantization NOTIFY statusChanged)
    Q_PROPERTY(double fileSize READ fileSize NOTIFY statusChanged)
    Q_PROPERTY(QString shape READ shape NOTIFY statusChanged)
    Q_PROPERTY(tessera::app::LayerMapModel* layers READ layers CONSTANT)
    Q_PROPERTY(tessera::app::FitEstimate* fit READ fit CONSTANT)

public:
    enum class Status { Empty, Reading, Ready, Failed };
    Q_ENUM(Status)

    explicit ModelDetails(QObject* parent = nullptr);

    QString path() const { return path_; }
    void setPath(const QString& path);
    MachineMemory* machine() const { return machine_; }
    void setMachine(MachineMemory* machine);
    Status status() const { return status_; }
    QString errorText() const { return error_text_; }
    QString name() const;
    QString architecture() const;
    double parameterCount() const;
    QString quantization() const;
    double fileSize() const;
    // "embedding 8192, 64 heads of 128, vocabulary 128256, trained context 131072"
    QString shape() const;
    LayerMapModel* layers() { return &layers_; }
    FitEstimate* fit() { return &fit_; }
    const std::optional<ModelSummary>& summary() const { return summary_; }

signals:
    void pathChanged();
    void machineChanged();
    void statusChanged();

private:
    void onRead();
    void setStatus(Status status, QString error = {});

    QString path_;
    QPointer<MachineMemory> machine_;
    Status status_ = Status::Empty;
    QString error_text_;
    std::optional<ModelSummary> summary_;
    LayerMapModel layers_;
    FitEstimate fit_;
    QFutureWatcher<Result<ModelSummary>> watcher_;
};

}  // namespace tessera::app

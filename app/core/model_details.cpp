#include "model_details.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace tessera::app {

ModelDetails::ModelDetails(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<Result<ModelSummary>>::finished, this, &ModelDetails::onRead);
}

void ModelDetails::setPath(const QString& path) {
    if (path == path_) return;
    path_ = path;
    emit pathChanged();
    summary_.reset();
    layers_.clear();
    fit_.clearModel();
    if (path.isEmpty()) {
        setStatus(Status::Empty);
        return;
    }
    setStatus(Status::Reading);
    // setFuture drops the previous read's pending signals: its result is never shown.
    watcher_.setFuture(QtConcurrent::run([p = path.toStdString()] { return read_model_summary(p); }));
}

void ModelDetails::setMachine(MachineMemory* machine) {
    if (machine_ == machine) return;
    machine_ = machine;
    fit_.setMachine(machine);
    emit machineChanged();
}

void ModelDetails::onRead() {
    if (watcher_.isCanceled() || !watcher_.future().isFinished()) return;
    Result<ModelSummary> result = watcher_.result();
    if (!result) {
        setStatus(Status::Failed, QString::fromStdString(result.error().message));
        return;
    }
    summary_ = std::move(result.value());
    layers_.setPlan(summary_->config.layers);
    fit_.setModel(summary_->config, summary_->weight_bytes);
    setStatus(Status::Ready);
}

void ModelDetails::setStatus(Status status, QString error) {
    status_ = status;
    error_text_ = std::move(error);
    emit statusChanged();
}

QString ModelDetails::name() const {
    if (summary_ && !summary_->config.name.empty()) return QString::fromStdString(summary_->config.name);
    return QFileInfo(path_).completeBaseName();
}

QString ModelDetails::architecture() const { return summary_ ? QString::fromStdString(summary_->config.architecture) : QString(); }
double ModelDetails::parameterCount() const { return summary_ ? static_cast<double>(summary_->parameter_count) : 0.0; }
QString ModelDetails::quantization() const { return summary_ ? QString::fromStdString(summary_->quantization) : QString(); }
double ModelDetails::fileSize() const { return summary_ ? static_cast<double>(summary_->file_size) : 0.0; }

QString ModelDetails::shape() const {
    if (!summary_) return {};
    const ModelConfig& c = summary_->config;
    return tr("embedding %1, %2 heads of %3, vocabulary %4, trained context %5")
        .arg(c.n_embd)
        .arg(c.n_head)
        .arg(c.head_dim)
        .arg(c.n_vocab)
        .arg(c.n_ctx_train);
}

}  // namespace tessera::app

#include "fit_estimate.h"

#include <QVariantMap>

namespace tessera::app {

void FitEstimate::setModel(const ModelConfig& config, uint64_t weight_bytes) {
    config_ = config;
    weight_bytes_ = weight_bytes;
    // Start where the app loads models: 4096 tokens, or less when the model was trained on less.
    context_length_ = static_cast<int>(std::min<int64_t>(kDefaultContext, std::max<int64_t>(config.n_ctx_train, 1)));
    recompute();
}

void FitEstimate::clearModel() {
    config_.reset();
    weight_bytes_ = 0;
    recompute();
}

void FitEstimate::setMachine(MachineMemory* machine) {
    if (machine_ == machine) return;
    if (machine_) disconnect(machine_, nullptr, this, nullptr);
    machine_ = machine;
    if (machine_) connect(machine_, &MachineMemory::poolsChanged, this, &FitEstimate::recompute);
    recompute();
}

void FitEstimate::setContextLength(int tokens) {
    tokens = std::max(tokens, 1);
    if (tokens == context_length_) return;
    context_length_ = tokens;
    recompute();
}

QVariantList FitEstimate::pools() const {
    QVariantList list;
    if (!machine_) return list;
    for (QVariant entry : machine_->poolsForQml()) {
        QVariantMap m = entry.toMap();
        m.insert(QStringLiteral("fits"), known() && m.value(QStringLiteral("available")).toDouble() >= totalBytes());
        list.append(m);
    }
    return list;
}

void FitEstimate::recompute() {
    if (!config_) {
        needs_ = {};
        verdict_ = Verdict::Unknown;
        verdict_text_.clear();
    } else {
        needs_ = estimate_memory(*config_, weight_bytes_, context_length_);
        if (!machine_ || !machine_->ready()) {
            verdict_ = Verdict::Unknown;
            verdict_text_ = tr("Needs %1; reading this machine's memory…").arg(QString::fromStdString(human_bytes(needs_.total())));
        } else {
            const FitVerdict v = judge_fit(needs_.total(), machine_->placement_pools());
            switch (v.kind) {
                case FitKind::Gpu: verdict_ = Verdict::Gpu; break;
                case FitKind::Ram: verdict_ = Verdict::Ram; break;
                case FitKind::Split: verdict_ = Verdict::Split; break;
                case FitKind::NotNow: verdict_ = Verdict::NotNow; break;
                case FitKind::TooBig: verdict_ = Verdict::TooBig; break;
            }
            verdict_text_ = QString::fromStdString(v.reason);
        }
    }
    emit changed();
}

}  // namespace tessera::app

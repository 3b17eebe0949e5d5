// "Will it fit" for one model at a chosen context length: weights + KV cache + scratch
// (engine/model/memory_estimate.h) against this machine's RAM and GPUs (MachineMemory).
// Recomputed whenever the context length, the model or the machine changes.
#pragma once

#include <QObject>
#include <QPointer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>
#include <algorithm>
#include <optional>

#include "machine_memory.h"
#include "model/block_plan.h"
#include "model/memory_estimate.h"

namespace tessera::app {

class FitEstimate : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ModelDetails")
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY changed)
    Q_PROPERTY(int trainedContext READ trainedContext NOTIFY changed)
    Q_PROPERTY(bool known READ known NOTIFY changed)
    // Bytes as numbers (QML numbers hold them exactly up to 2^53).
    Q_PROPERTY(double weightBytes READ weightBytes NOTIFY changed)
    Q_PROPERTY(double kvCacheBytes READ kvCacheBytes NOTIFY changed)
    Q_PROPERTY(double scratchBytes READ scratchBytes NOTIFY changed)
    Q_PROPERTY(double totalBytes READ totalBytes NOTIFY changed)
    Q_PROPERTY(Verdict verdict READ verdict NOTIFY changed)
    Q_PROPERTY(QString verdictText READ verdictText NOTIFY changed)
    // Each entry: MachineMemory's pool fields plus fits (bool).
    Q_PROPERTY(QVariantList pools READ pools NOTIFY changed)

public:
    enum class Verdict { Unknown, Gpu, Ram, Split, NotNow, TooBig };
    static constexpr int kDefaultContext = 4096;
    Q_ENUM(Verdict)

    explicit FitEstimate(QObject* parent = nullptr) : QObject(parent) {}

    void setModel(const ModelConfig& config, uint64_t weight_bytes);
    void clearModel();
    void setMachine(MachineMemory* machine);

    int contextLength() const { return context_length_; }
    void setContextLength(int tokens);
    int trainedContext() const { return config_ ? static_cast<int>(std::min<int64_t>(config_->n_ctx_train, INT32_MAX)) : 0; }
    bool known() const { return config_.has_value(); }
    const MemoryNeeds& needs() const { return needs_; }
    double weightBytes() const { return static_cast<double>(needs_.weights); }
    double kvCacheBytes() const { return static_cast<double>(needs_.kv_cache); }
    double scratchBytes() const { return static_cast<double>(needs_.scratch); }
    double totalBytes() const { return static_cast<double>(needs_.total()); }
    Verdict verdict() const { return verdict_; }
    QString verdictText() const { return verdict_text_; }
    QVariantList pools() const;

signals:
    void changed();

private:
    void recompute();

    std::optional<ModelConfig> config_;
    uint64_t weight_bytes_ = 0;
    int context_length_ = kDefaultContext;
    QPointer<MachineMemory> machine_;
    MemoryNeeds needs_;
    Verdict verdict_ = Verdict::Unknown;
    QString verdict_text_;
};

}  // namespace tessera::app

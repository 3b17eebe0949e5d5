// This machine's memory for "will it fit": RAM from /proc/meminfo (MemTotal, MemAvailable)
// and each Vulkan device's device-local memory (its budget where the driver reports one).
// Enumerating Vulkan devices can take a noticeable time (driver start-up), so refresh() reads
// everything on a pool thread and publishes the result on the GUI thread.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>
#include <optional>
#include <vector>

#include "model/memory_estimate.h"

namespace tessera::app {

struct MachinePool {
    MemoryPool pool;
    bool software = false;  // a CPU Vulkan device (lavapipe): its memory is the RAM, not counted twice
};

class MachineMemory : public QObject {
    Q_OBJECT
    QML_ELEMENT
    // Each entry: {name, gpu, software, total, available} (bytes as numbers).
    Q_PROPERTY(QVariantList pools READ poolsForQml NOTIFY poolsChanged)
    Q_PROPERTY(bool ready READ ready NOTIFY poolsChanged)

public:
    explicit MachineMemory(QObject* parent = nullptr);

    // MemTotal and MemAvailable of a /proc/meminfo text, as a pool named "RAM"; nullopt when absent.
    static std::optional<MemoryPool> parse_meminfo(const QByteArray& text);
    // Blocking: RAM and the Vulkan devices. For a pool thread.
    static std::vector<MachinePool> read_machine();

    bool ready() const { return ready_; }
    const std::vector<MachinePool>& pools() const { return pools_; }
    QVariantList poolsForQml() const;
    // The pools a model may be placed in (software Vulkan devices left out).
    std::vector<MemoryPool> placement_pools() const;
    // Replaces what refresh() found (tests describe a machine they choose).
    void setPools(std::vector<MachinePool> pools);

    Q_INVOKABLE void refresh();

signals:
    void poolsChanged();

private:
    std::vector<MachinePool> pools_;
    bool ready_ = false;
    QFutureWatcher<std::vector<MachinePool>> watcher_;
};

}  // namespace tessera::app

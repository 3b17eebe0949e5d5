#include "machine_memory.h"

#include <QFile>
#include <QVariantMap>
#include <QtConcurrent/QtConcurrentRun>

#include "logging.h"

#if defined(TESSERA_VULKAN)
#include "backend/vulkan/device_info.h"
#include "backend/vulkan/instance.h"
#endif

namespace tessera::app {

MachineMemory::MachineMemory(QObject* parent) : QObject(parent) {
    connect(&watcher_, &QFutureWatcher<std::vector<MachinePool>>::finished, this,
            [this] { setPools(watcher_.result()); });
}

std::optional<MemoryPool> MachineMemory::parse_meminfo(const QByteArray& text) {
    std::optional<uint64_t> total, available;
    for (const QByteArray& line : text.split('\n')) {
        // "MemAvailable:   12345678 kB"
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2) continue;
        bool ok = false;
        const qulonglong kib = fields[1].toULongLong(&ok);
        if (!ok) continue;
        if (fields[0] == "MemTotal:") total = uint64_t{kib} * 1024;
        if (fields[0] == "MemAvailable:") available = uint64_t{kib} * 1024;
    }
    if (!total || !available) return std::nullopt;
    return MemoryPool{"RAM", false, *total, *available};
}

std::vector<MachinePool> MachineMemory::read_machine() {
    std::vector<MachinePool> pools;
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    // /proc files report size 0: read to the end, not by size.
    if (meminfo.open(QIODevice::ReadOnly))
        if (auto ram = parse_meminfo(meminfo.readAll())) pools.push_back({*ram, false});
#if defined(TESSERA_VULKAN)
    auto instance = vulkan::Instance::create(vulkan::Validation::Off);
    if (!instance) {
        qCInfo(lcEngine) << "no Vulkan devices:" << instance.error().message.c_str();
        return pools;
    }
    auto devices = vulkan::enumerate_devices(**instance);
    if (!devices) {
        qCWarning(lcEngine) << "listing Vulkan devices:" << devices.error().message.c_str();
        return pools;
    }
    for (const auto& d : *devices) {
        MachinePool p;
        p.pool = MemoryPool{d.name, true, d.device_local_bytes(), d.device_local_budget()};
        p.software = d.kind == vulkan::DeviceKind::Cpu;
        pools.push_back(std::move(p));
    }
#endif
    return pools;
}

QVariantList MachineMemory::poolsForQml() const {
    QVariantList list;
    for (const auto& p : pools_)
        list.append(QVariantMap{{QStringLiteral("name"), QString::fromStdString(p.pool.name)},
                                {QStringLiteral("gpu"), p.pool.gpu},
                                {QStringLiteral("software"), p.software},
                                {QStringLiteral("total"), static_cast<double>(p.pool.total)},
                                {QStringLiteral("available"), static_cast<double>(p.pool.available)}});
    return list;
}

std::vector<MemoryPool> MachineMemory::placement_pools() const {
    std::vector<MemoryPool> out;
    for (const auto& p : pools_)
        if (!p.software) out.push_back(p.pool);
    return out;
}

void MachineMemory::setPools(std::vector<MachinePool> pools) {
    pools_ = std::move(pools);
    ready_ = true;
    emit poolsChanged();
}

void MachineMemory::refresh() {
    if (watcher_.isRunning()) return;
    watcher_.setFuture(QtConcurrent::run(&MachineMemory::read_machine));
}

}  // namespace tessera::app

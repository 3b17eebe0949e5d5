#include "device_list_model.h"

#include <QtConcurrent/QtConcurrentRun>

#if defined(TESSERA_VULKAN)
#include "backend/vulkan/context.h"
#include "backend/vulkan/device_choice.h"
#include "backend/vulkan/device_info.h"
#include "backend/vulkan/instance.h"
#endif

namespace tessera::app {

#if defined(TESSERA_VULKAN)
namespace {

QString memory_text(const vulkan::DeviceInfo& d) {
    const uint64_t local = d.device_local_bytes();
    if (local == 0) return DeviceListModel::tr("no device-local memory");
    QString text = DeviceListModel::tr("%1 device memory").arg(QString::fromStdString(vulkan::format_bytes(local)));
    if (d.has_memory_budget)
        text += DeviceListModel::tr(", %1 available").arg(QString::fromStdString(vulkan::format_bytes(d.device_local_budget())));
    return text;
}

}  // namespace

DeviceListing list_vulkan_devices() {
    DeviceListing listing;
    auto instance = vulkan::Instance::create(vulkan::Validation::Off);
    if (!instance) {
        listing.message = DeviceListModel::tr("No Vulkan: %1. Models run on the CPU.")
                              .arg(QString::fromStdString(instance.error().message));
        return listing;
    }
    auto devices = vulkan::enumerate_devices(**instance);
    if (!devices) {
        listing.message = QString::fromStdString(devices.error().message);
        return listing;
    }
    if (devices->empty()) {
        listing.message = DeviceListModel::tr("No Vulkan devices (a GPU driver, or mesa-vulkan-drivers for lavapipe, "
                                              "provides one). Models run on the CPU.");
        return listing;
    }
    auto choice = vulkan::choose_device(*devices);
    for (size_t i = 0; i < devices->size(); ++i) {
        const vulkan::DeviceInfo& d = (*devices)[i];
        DeviceRow row;
        row.spec = QStringLiteral("vulkan:%1").arg(d.index);
        row.name = QString::fromStdString(d.name);
        row.kind = QString::fromLatin1(vulkan::device_kind_name(d.kind));
        row.memory = memory_text(d);
        row.is_default = choice.ok() && choice->position == i;
        if (auto usable = vulkan::check_requirements(d, vulkan::ContextOptions{}.workgroup_size); !usable)
            row.problem = QString::fromStdString(usable.error().message);
        listing.rows.push_back(std::move(row));
    }
    if (choice) listing.default_reason = QString::fromStdString(choice->reason);
    else listing.message = QString::fromStdString(choice.error().message);  // e.g. a TESSERA_VK_DEVICE matching nothing
    return listing;
}
#else
DeviceListing list_vulkan_devices() {
    DeviceListing listing;
    listing.message = DeviceListModel::tr("This build has no Vulkan backend; models run on the CPU.");
    return listing;
}
#endif

DeviceListModel::DeviceListModel(QObject* parent) : QAbstractListModel(parent) {
    connect(&watcher_, &QFutureWatcher<DeviceListing>::finished, this, [this] {
        beginResetModel();
        listing_ = watcher_.result();
        endResetModel();
        emit listed();
        emit loadingChanged();
    });
}

DeviceListModel::~DeviceListModel() { watcher_.waitForFinished(); }

void DeviceListModel::refresh() {
    if (watcher_.isRunning()) return;
    watcher_.setFuture(QtConcurrent::run(list_vulkan_devices));
    emit loadingChanged();
}

int DeviceListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(listing_.rows.size());
}

QVariant DeviceListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    const DeviceRow& row = listing_.rows[static_cast<size_t>(index.row())];
    switch (role) {
    case SpecRole: return row.spec;
    case Qt::DisplayRole:
    case NameRole: return row.name;
    case KindRole: return row.kind;
    case MemoryRole: return row.memory;
    case IsDefaultRole: return row.is_default;
    case ProblemRole: return row.problem;
    default: return {};
    }
}

QHash<int, QByteArray> DeviceListModel::roleNames() const {
    return {{SpecRole, "spec"}, {NameRole, "name"}, {KindRole, "kind"},
            {MemoryRole, "memory"}, {IsDefaultRole, "isDefault"}, {ProblemRole, "problem"}};
}

}  // namespace tessera::app

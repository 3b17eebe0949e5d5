// The Vulkan devices for the settings page: kind, memory, whether each can run models, and
// which one the engine picks by default and why (vulkan/device_choice.h, as `tessera-cli
// devices` shows). Listing creates a Vulkan instance, which can take long (seconds on some
// drivers), so refresh() enumerates on a pool thread and the rows arrive when it is done.
#pragma once

#include <QAbstractListModel>
#include <QFutureWatcher>
#include <QtQml/qqmlregistration.h>
#include <vector>

namespace tessera::app {

struct DeviceRow {
    QString spec;       // what the device setting stores: "vulkan:0"
    QString name;
    QString kind;       // "discrete GPU", "CPU (software)", ...
    QString memory;     // "8.0 GiB device-local, 6.1 GiB free" / "no device-local memory"
    bool is_default = false;
    QString problem;    // why it cannot run models; empty when it can
};

struct DeviceListing {
    std::vector<DeviceRow> rows;
    QString default_reason;  // "discrete GPU, the fastest kind present"; empty without devices
    QString message;         // when there is no list: no Vulkan, no devices, an error
};

// Blocking; what the model shows. Public for tests.
DeviceListing list_vulkan_devices();

class DeviceListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(QString defaultReason READ defaultReason NOTIFY listed)
    Q_PROPERTY(QString message READ message NOTIFY listed)

public:
    enum Role { SpecRole = Qt::UserRole + 1, NameRole, KindRole, MemoryRole, IsDefaultRole, ProblemRole };

    explicit DeviceListModel(QObject* parent = nullptr);
    ~DeviceListModel() override;  // waits for a listing in progress

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    bool loading() const { return watcher_.isRunning(); }
    QString defaultReason() const { return listing_.default_reason; }
    QString message() const { return listing_.message; }

    // Lists the devices again (off the GUI thread); ignored while a listing runs.
    Q_INVOKABLE void refresh();

signals:
    void loadingChanged();
    void listed();

private:
    QFutureWatcher<DeviceListing> watcher_;
    DeviceListing listing_;
};

}  // namespace tessera::app

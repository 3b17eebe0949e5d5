// The models the app knows (the catalog: the bundled one, every --model given, every file
// imported on the models page), most recently used first, for the model picker in the header
// and the models page; then the models of the remote servers the user added (remote: true,
// path "remote:<server id>/<model id>"), which the picker shows and the models page lists
// under its server instead (localModels leaves them out; local rows keep their numbers).
#pragma once

#include <QAbstractListModel>
#include <QSortFilterProxyModel>
#include <QtQml/qqmlregistration.h>
#include <vector>

#include "model/model_summary.h"
#include "model_details.h"
#include "storage/catalog_store.h"
#include "storage/remote_server_store.h"

namespace tessera::app {

class ModelCatalogModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    Q_PROPERTY(QAbstractItemModel* localModels READ localModels CONSTANT)

public:
    enum Roles {
        PathRole = Qt::UserRole + 1,  // path: the GGUF file
        NameRole,                     // name: the file name without .gguf
        SizeRole,                     // size: bytes, as registered
        PresentRole,                  // present: whether the file is still there
        IdRole,                       // modelId: the catalog row's id
        ArchitectureRole,             // architecture: "deci", "llama"; "" until the file was read
        ParameterCountRole,           // parameterCount: number of weights; 0 until the file was read
        QuantizationRole,             // quantization: "Q4_K_M", "F16"; "" until the file was read
        LastUsedRole,                 // lastUsed: ms since the epoch; 0 when never used
        AddedRole,                    // added: ms since the epoch
        RemoteRole,                   // remote: served by a remote server, not a file here
        ServerRole,                   // server: the remote server's name; "" for files
        LabelRole,                    // label: what the picker shows ("model · server" when remote)
    };

    ModelCatalogModel(storage::Database& db, storage::Clock clock, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    QAbstractItemModel* localModels() { return &local_models_; }

    Q_INVOKABLE void refresh();
    Q_INVOKABLE int rowOfPath(const QString& path) const;
    // Marks the model used (it moves to the top) and returns its path to load; empty if unknown.
    Q_INVOKABLE QString use(int row);
    // Stores what reading the file found (architecture, parameters, quantization, size), so
    // the list shows it without reading the file again.
    Q_INVOKABLE void recordDetails(tessera::app::ModelDetails* details);
    void record_summary(const QString& path, const ModelSummary& summary);

signals:
    void errorOccurred(const QString& message);

private:
    struct RemoteModel {
        std::int64_t server_id;
        QString server;
        QString model_id;
    };
    QVariant remoteData(const RemoteModel& m, int role) const;

    storage::CatalogStore catalog_;
    storage::RemoteServerStore servers_;
    std::vector<storage::ModelFile> rows_;
    std::vector<RemoteModel> remote_rows_;  // after rows_
    QSortFilterProxyModel local_models_;
};

}  // namespace tessera::app

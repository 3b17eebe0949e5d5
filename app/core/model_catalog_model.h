// The models the app knows (the catalog: the bundled one, and every --model given), most
// recently used first, for the model picker in the header.
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>
#include <vector>

#include "storage/catalog_store.h"

namespace tessera::app {

class ModelCatalogModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")

public:
    enum Roles {
        PathRole = Qt::UserRole + 1,  // path: the GGUF file
        NameRole,                     // name: the file name without .gguf
        SizeRole,                     // size: bytes, as registered
        PresentRole,                  // present: whether the file is still there
    };

    ModelCatalogModel(storage::Database& db, storage::Clock clock, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    Q_INVOKABLE void refresh();
    Q_INVOKABLE int rowOfPath(const QString& path) const;
    // Marks the model used (it moves to the top) and returns its path to load; empty if unknown.
    Q_INVOKABLE QString use(int row);

signals:
    void errorOccurred(const QString& message);

private:
    storage::CatalogStore catalog_;
    std::vector<storage::ModelFile> rows_;
};

}  // namespace tessera::app

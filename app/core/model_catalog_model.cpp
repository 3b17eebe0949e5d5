#include "model_catalog_model.h"

#include <QFileInfo>

namespace tessera::app {

ModelCatalogModel::ModelCatalogModel(storage::Database& db, storage::Clock clock, QObject* parent)
    : QAbstractListModel(parent), catalog_(db, std::move(clock)) {
    refresh();
}

int ModelCatalogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant ModelCatalogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& m = rows_[static_cast<size_t>(index.row())];
    const QString path = QString::fromStdString(m.path);
    switch (role) {
        case PathRole: return path;
        case NameRole: return QFileInfo(path).completeBaseName();
        case SizeRole: return QVariant::fromValue<qint64>(m.size_bytes);
        case PresentRole: return QFileInfo::exists(path);
        default: return {};
    }
}

QHash<int, QByteArray> ModelCatalogModel::roleNames() const {
    return {{PathRole, "path"}, {NameRole, "name"}, {SizeRole, "size"}, {PresentRole, "present"}};
}

void ModelCatalogModel::refresh() {
    auto models = catalog_.models();
    if (!models) {
        emit errorOccurred(tr("The model list could not be read: %1").arg(QString::fromStdString(models.error().message)));
        return;
    }
    beginResetModel();
    rows_ = std::move(*models);
    endResetModel();
}

int ModelCatalogModel::rowOfPath(const QString& path) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (QString::fromStdString(rows_[i].path) == path) return static_cast<int>(i);
    return -1;
}

QString ModelCatalogModel::use(int row) {
    if (row < 0 || row >= rowCount()) return {};
    const auto& m = rows_[static_cast<size_t>(row)];
    const QString path = QString::fromStdString(m.path);
    if (auto s = catalog_.mark_model_used(m.id); !s)
        emit errorOccurred(tr("The model list could not be updated: %1").arg(QString::fromStdString(s.error().message)));
    refresh();
    return path;
}

}  // namespace tessera::app

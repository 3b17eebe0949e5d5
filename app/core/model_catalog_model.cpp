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
        case IdRole: return QVariant::fromValue<qint64>(m.id);
        case ArchitectureRole: return QString::fromStdString(m.architecture.value_or(""));
        case ParameterCountRole: return static_cast<double>(m.parameter_count.value_or(0));
        case QuantizationRole: return QString::fromStdString(m.quantization.value_or(""));
        case LastUsedRole: return static_cast<double>(m.last_used_at_ms.value_or(0));
        case AddedRole: return static_cast<double>(m.added_at_ms);
        default: return {};
    }
}

QHash<int, QByteArray> ModelCatalogModel::roleNames() const {
    return {{PathRole, "path"},
            {NameRole, "name"},
            {SizeRole, "size"},
            {PresentRole, "present"},
            {IdRole, "modelId"},
            {ArchitectureRole, "architecture"},
            {ParameterCountRole, "parameterCount"},
            {QuantizationRole, "quantization"},
            {LastUsedRole, "lastUsed"},
            {AddedRole, "added"}};
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

void ModelCatalogModel::recordDetails(ModelDetails* details) {
    if (details && details->summary()) record_summary(details->path(), *details->summary());
}

void ModelCatalogModel::record_summary(const QString& path, const ModelSummary& summary) {
    const int row = rowOfPath(path);
    if (row < 0) return;
    storage::ModelFile m = rows_[static_cast<size_t>(row)];
    if (m.architecture == summary.config.architecture && m.parameter_count == summary.parameter_count &&
        m.quantization == summary.quantization && m.size_bytes == static_cast<std::int64_t>(summary.file_size))
        return;  // already known: no write, no reset of the list
    m.architecture = summary.config.architecture;
    m.parameter_count = summary.parameter_count;
    m.quantization = summary.quantization;
    m.size_bytes = static_cast<std::int64_t>(summary.file_size);
    if (auto s = catalog_.update_model(m); !s) {
        emit errorOccurred(tr("The model list could not be updated: %1").arg(QString::fromStdString(s.error().message)));
        return;
    }
    rows_[static_cast<size_t>(row)] = std::move(m);
    emit dataChanged(index(row), index(row));
}

}  // namespace tessera::app

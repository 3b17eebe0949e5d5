#include "model_catalog_model.h"

#include <QFileInfo>

#include "remote_endpoint.h"

namespace tessera::app {

ModelCatalogModel::ModelCatalogModel(storage::Database& db, storage::Clock clock, QObject* parent)
    : QAbstractListModel(parent), catalog_(db, clock), servers_(db, clock) {
    local_models_.setSourceModel(this);
    local_models_.setFilterRole(RemoteRole);
    local_models_.setFilterFixedString(QStringLiteral("false"));
    refresh();
}

int ModelCatalogModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size() + remote_rows_.size());
}

QVariant ModelCatalogModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    if (static_cast<size_t>(index.row()) >= rows_.size())
        return remoteData(remote_rows_[static_cast<size_t>(index.row()) - rows_.size()], role);
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
        case RemoteRole: return false;
        case ServerRole: return QString();
        case LabelRole: return QFileInfo(path).completeBaseName();
        default: return {};
    }
}

QVariant ModelCatalogModel::remoteData(const RemoteModel& m, int role) const {
    switch (role) {
        case PathRole: return remote_model_uri(m.server_id, m.model_id);
        case NameRole: return m.model_id;
        case SizeRole: return QVariant::fromValue<qint64>(0);
        case PresentRole: return true;
        case IdRole: return QVariant::fromValue<qint64>(0);
        case ArchitectureRole:
        case QuantizationRole: return QString();
        case ParameterCountRole:
        case LastUsedRole:
        case AddedRole: return 0.0;
        case RemoteRole: return true;
        case ServerRole: return m.server;
        case LabelRole: return tr("%1 · %2 (remote)").arg(m.model_id, m.server);
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
            {AddedRole, "added"},
            {RemoteRole, "remote"},
            {ServerRole, "server"},
            {LabelRole, "label"}};
}

void ModelCatalogModel::refresh() {
    auto models = catalog_.models();
    if (!models) {
        emit errorOccurred(tr("The model list could not be read: %1").arg(QString::fromStdString(models.error().message)));
        return;
    }
    auto servers = servers_.servers();
    if (!servers)
        emit errorOccurred(tr("The list of remote servers could not be read: %1").arg(QString::fromStdString(servers.error().message)));
    beginResetModel();
    rows_ = std::move(*models);
    remote_rows_.clear();
    if (servers)
        for (const auto& server : *servers)
            for (const auto& model : server.models)
                remote_rows_.push_back({server.id, QString::fromStdString(server.name), QString::fromStdString(model)});
    endResetModel();
}

int ModelCatalogModel::rowOfPath(const QString& path) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (QString::fromStdString(rows_[i].path) == path) return static_cast<int>(i);
    if (auto ref = parse_remote_model_uri(path))
        for (size_t i = 0; i < remote_rows_.size(); ++i)
            if (remote_rows_[i].server_id == ref->server_id && remote_rows_[i].model_id == ref->model_id)
                return static_cast<int>(rows_.size() + i);
    return -1;
}

QString ModelCatalogModel::use(int row) {
    if (row < 0 || row >= rowCount()) return {};
    if (static_cast<size_t>(row) >= rows_.size()) {  // nothing to mark: the server keeps no catalog row
        const RemoteModel& r = remote_rows_[static_cast<size_t>(row) - rows_.size()];
        return remote_model_uri(r.server_id, r.model_id);
    }
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
    if (row < 0 || static_cast<size_t>(row) >= rows_.size()) return;
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

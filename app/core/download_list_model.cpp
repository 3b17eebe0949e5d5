#include "download_list_model.h"

namespace tessera::app {

int DownloadListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant DownloadListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rows_.size()) return {};
    const DownloadRow& r = rows_.at(index.row());
    switch (role) {
        case JobIdRole: return r.id;
        case Qt::DisplayRole:
        case NameRole: return r.name;
        case UrlRole: return r.url;
        case StateRole: return r.state;
        case BytesDoneRole: return r.bytes_done;
        case BytesTotalRole: return r.bytes_total;
        case SpeedRole: return r.bytes_per_second;
        case SecondsLeftRole: return r.seconds_left;
        case ErrorRole: return r.error;
        default: return {};
    }
}

QHash<int, QByteArray> DownloadListModel::roleNames() const {
    return {{JobIdRole, "jobId"},           {NameRole, "name"},   {UrlRole, "url"},
            {StateRole, "state"},           {BytesDoneRole, "bytesDone"}, {BytesTotalRole, "bytesTotal"},
            {SpeedRole, "speed"},           {SecondsLeftRole, "secondsLeft"}, {ErrorRole, "errorText"}};
}

int DownloadListModel::rowOfJob(qint64 id) const {
    for (int i = 0; i < rows_.size(); ++i)
        if (rows_.at(i).id == id) return i;
    return -1;
}

void DownloadListModel::apply(const QList<DownloadRow>& rows) {
    const int before = rowCount();
    for (const DownloadRow& r : rows) {
        const int i = rowOfJob(r.id);
        if (r.removed) {
            if (i < 0) continue;
            beginRemoveRows({}, i, i);
            rows_.removeAt(i);
            endRemoveRows();
        } else if (i < 0) {
            // By id: jobs come in the order they were added, whatever order the batch has.
            int at = 0;
            while (at < rows_.size() && rows_.at(at).id < r.id) ++at;
            beginInsertRows({}, at, at);
            rows_.insert(at, r);
            endInsertRows();
        } else {
            rows_[i] = r;
            emit dataChanged(index(i), index(i));
        }
    }
    if (rowCount() != before) emit countChanged();
}

}  // namespace tessera::app

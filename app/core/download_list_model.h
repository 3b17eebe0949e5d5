// The download jobs for the Models page, one row per job in the order they were added; fed
// by Downloads with the rows the download thread sends (only the GUI thread changes it).
#pragma once

#include <QAbstractListModel>
#include <QtQml/qqmlregistration.h>

#include "download_rows.h"

namespace tessera::app {

class DownloadListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by Downloads")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Roles {
        JobIdRole = Qt::UserRole + 1,  // jobId: the download's id (for pause, resume, cancel)
        NameRole,                      // name: the file name in the models folder
        UrlRole,                       // url: where it comes from
        StateRole,                     // state: "queued", "running", "paused", "verifying", "done", "failed"
        BytesDoneRole,                 // bytesDone: bytes on disk
        BytesTotalRole,                // bytesTotal: the file's size; -1 while unknown
        SpeedRole,                     // speed: bytes per second, smoothed; 0 when not transferring
        SecondsLeftRole,               // secondsLeft: at the current speed; -1 while unknown
        ErrorRole,                     // errorText: why it failed, or the last retried error
    };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Adds new jobs, updates known ones, drops removed ones.
    void apply(const QList<DownloadRow>& rows);
    Q_INVOKABLE int rowOfJob(qint64 id) const;
    const DownloadRow& at(int row) const { return rows_.at(row); }

signals:
    void countChanged();

private:
    QList<DownloadRow> rows_;
};

}  // namespace tessera::app

// The settings page's database actions: "Back up now" (a VACUUM INTO copy in DATA_DIR/backups)
// and "Export all conversations" (Tessera's JSON, streamed, into DATA_DIR/exports). Each runs
// on a pool thread over its own read-only connection, so the GUI thread never waits on the
// disk and the app's connection is never shared between threads; the result is one message.
#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace tessera::app {

struct ActionResult {
    bool ok = false;
    QString message;  // for the user: where the file is, or what went wrong
    QString path;     // the file written; empty on failure
};

// Blocking; what the actions run. Public for tests. `database` is the history's file.
ActionResult back_up_database(const QString& database, const QString& folder);
ActionResult export_all_conversations(const QString& database, const QString& target);

class DataActions : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString resultText READ resultText NOTIFY finished)
    Q_PROPERTY(bool resultOk READ resultOk NOTIFY finished)
    Q_PROPERTY(QString backupFolder READ backupFolder CONSTANT)
    Q_PROPERTY(QString exportFolder READ exportFolder CONSTANT)

public:
    DataActions(QString data_folder, QObject* parent = nullptr);
    ~DataActions() override;  // waits for an action in progress

    bool busy() const { return watcher_.isRunning(); }
    QString resultText() const { return result_.message; }
    bool resultOk() const { return result_.ok; }
    QString backupFolder() const;
    QString exportFolder() const;

    // Both return false (nothing started) while another action runs.
    Q_INVOKABLE bool backUp();
    Q_INVOKABLE bool exportAll();

signals:
    void busyChanged();
    void finished(bool ok, const QString& message, const QString& path);

private:
    bool start(std::function<ActionResult()> action);

    QString data_folder_;
    QFutureWatcher<ActionResult> watcher_;
    ActionResult result_;
};

}  // namespace tessera::app

// SIGTERM, SIGINT and SIGHUP (logout, Ctrl+C in the terminal, `kill`) end the app the way
// closing its window does, so the history is closed cleanly and the clean-exit marker
// written. The handler only writes to a socket; the GUI thread reads it and quits.
#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <memory>

namespace tessera::app {

class QuitOnSignals : public QObject {
    Q_OBJECT
public:
    // One instance per process: installs the handlers (and restores the defaults when destroyed).
    explicit QuitOnSignals(QObject* parent = nullptr);
    ~QuitOnSignals() override;

signals:
    // On the GUI thread, after the handler ran; connected to QCoreApplication::quit.
    void signalReceived(int signal_number);

private:
    void readSignal();
    std::unique_ptr<QSocketNotifier> notifier_;
};

}  // namespace tessera::app

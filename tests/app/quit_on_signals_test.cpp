// SIGTERM and SIGINT reach the GUI thread as a signal that quits the app (a clean exit,
// with the history closed), instead of killing the process.
#include <signal.h>

#include <QSignalSpy>
#include <QtTest>

#include "quit_on_signals.h"

using tessera::app::QuitOnSignals;

class QuitOnSignalsTest : public QObject {
    Q_OBJECT

private slots:
    void terminationSignalsArriveOnTheEventLoop_data() {
        QTest::addColumn<int>("number");
        QTest::newRow("SIGTERM") << int(SIGTERM);
        QTest::newRow("SIGINT") << int(SIGINT);
    }
    void terminationSignalsArriveOnTheEventLoop() {
        QFETCH(int, number);
        QuitOnSignals quit;
        QSignalSpy received(&quit, &QuitOnSignals::signalReceived);
        QCOMPARE(::raise(number), 0);  // without the handler this would end the test process
        QVERIFY(received.wait(10000));
        QCOMPARE(received.count(), 1);
        QCOMPARE(received.at(0).at(0).toInt(), number);
    }
};

QTEST_GUILESS_MAIN(QuitOnSignalsTest)
#include "quit_on_signals_test.moc"

// The model-load guard: a marker names the model while it loads and is gone once the load
// ends (well or not); a marker left by a run that died makes the next start offer the model
// instead of loading it.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "model_load_guard.h"

using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

bool wait_until_loaded(EngineThread& engine) {
    QSignalSpy state(&engine, &EngineThread::stateChanged);
    while (engine.state() == EngineThread::State::Loading)
        if (!state.wait(120000)) return false;
    return true;
}

QString read(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

}  // namespace

class ModelLoadGuardTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(dir_.isValid()); }

    void markerNamesTheModelWhileItLoadsAndGoesAfter() {
        EngineThread engine;
        ModelLoadGuard guard(dir_.path().toStdString(), engine);
        QVERIFY(guard.load_or_offer(bundled_model()));
        // Written before the worker starts reading the file.
        QCOMPARE(read(marker()), bundled_model());
        QVERIFY(wait_until_loaded(engine));
        QCOMPARE(engine.state(), EngineThread::State::Ready);
        QVERIFY(!QFile::exists(marker()));
        QVERIFY(!guard.unfinished_load().has_value());
    }

    void aFailedLoadRemovesTheMarkerToo() {
        EngineThread engine;
        ModelLoadGuard guard(dir_.path().toStdString(), engine);
        engine.load(dir_.path() + QStringLiteral("/missing.gguf"));
        QVERIFY(QFile::exists(marker()));
        QVERIFY(wait_until_loaded(engine));
        QCOMPARE(engine.state(), EngineThread::State::Failed);
        QVERIFY(!QFile::exists(marker()));
    }

    void aLoadThatNeverEndedIsOfferedNotRepeated() {
        {
            QFile left(marker());  // as left by a run that died while loading
            QVERIFY(left.open(QIODevice::WriteOnly));
            left.write(bundled_model().toUtf8());
        }
        EngineThread engine;
        ModelLoadGuard guard(dir_.path().toStdString(), engine);
        QCOMPARE(guard.unfinished_load().value_or(QString()), bundled_model());
        QVERIFY(!guard.load_or_offer(bundled_model()));
        QCOMPARE(engine.state(), EngineThread::State::NoModel);
        QCOMPARE(engine.offeredModel(), bundled_model());
        QVERIFY(!engine.errorText().isEmpty());

        engine.loadOffered();  // the user chose to load it
        QVERIFY(wait_until_loaded(engine));
        QCOMPARE(engine.state(), EngineThread::State::Ready);
        QVERIFY(engine.offeredModel().isEmpty());
        QVERIFY(!QFile::exists(marker()));
    }

private:
    QString marker() const { return dir_.path() + QLatin1Char('/') + QLatin1String(ModelLoadGuard::kMarkerName); }

    QTemporaryDir dir_;
};

QTEST_GUILESS_MAIN(ModelLoadGuardTest)
#include "model_load_guard_test.moc"

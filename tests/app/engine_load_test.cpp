// Load progress: the throttle that keeps it to about 30 updates a second, and the engine
// thread's loadProgress for a real load of a synthetic model of some 65 MB.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "engine_thread.h"
#include "nas_test_models.h"
#include "progress_throttle.h"

using namespace tessera;
using namespace tessera::app;

namespace {
constexpr int kWaitMs = 120000;  // a bound for a stuck load, not a performance limit
}

class EngineLoadTest : public QObject {
    Q_OBJECT

private slots:
    void throttlePassesOneReportPerIntervalAndAlwaysTheEnd() {
        std::int64_t now = 1000;
        QList<double> seen;
        ProgressThrottle throttle([&](double f) { seen << f; }, 33, [&] { return now; });
        throttle(10, 100);  // the first report passes
        throttle(20, 100);  // same moment: dropped
        now += 32;
        throttle(30, 100);  // still within the interval
        now += 1;
        throttle(40, 100);
        throttle(100, 100);  // the end always passes
        throttle(5, 0);      // no total: nothing to say
        QCOMPARE(seen, (QList<double>{0.1, 0.4, 1.0}));
    }

    void loadProgressRisesToOneWhileARealModelLoads() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.path() + QStringLiteral("/progress.gguf");
        SyntheticSpec spec = testing::every_variant_spec();
        spec.n_vocab = 32000;
        spec.n_embd = 256;  // with the output: two 33 MB matrices, read in 4 MiB steps
        spec.n_head = 8;
        for (auto& layer : spec.layers)
            if (layer.attention == AttentionKind::Gqa) layer.n_head_kv = 4;
        QVERIFY(testing::write_model(path, spec));

        EngineThread engine;
        engine.setLoadProgressInterval(0);  // every step, so a fast disk still shows several
        QList<double> values;
        connect(&engine, &EngineThread::loadProgressChanged, this, [&] {
            if (engine.state() == EngineThread::State::Loading) values << engine.loadProgress();
        });
        QSignalSpy state(&engine, &EngineThread::stateChanged);
        engine.load(path);
        QCOMPARE(engine.loadProgress(), 0.0);
        QVERIFY(state.wait(kWaitMs));
        QCOMPARE(engine.state(), EngineThread::State::Ready);
        QVERIFY2(values.size() >= 10, qPrintable(QStringLiteral("%1 updates").arg(values.size())));
        for (qsizetype i = 1; i < values.size(); ++i) QVERIFY(values[i] > values[i - 1]);
        QCOMPARE(values.last(), 1.0);
        QCOMPARE(engine.loadProgress(), 1.0);

        // At the usual rate the end is reported too.
        engine.setLoadProgressInterval(33);
        values.clear();
        engine.load(path);
        QVERIFY(state.wait(kWaitMs));
        QCOMPARE(engine.state(), EngineThread::State::Ready);
        QVERIFY(!values.isEmpty());
        QCOMPARE(values.last(), 1.0);
    }
};

QTEST_GUILESS_MAIN(EngineLoadTest)
#include "engine_load_test.moc"

// The engine worker when the GPU fails under a reply (lavapipe, with the engine's test-only
// fault hook): the reply fails with the device's error and says what happens next, the
// worker loads the same model again on the CPU, and the next reply runs there.
#include <QSignalSpy>
#include <QtTest>

#include "app_fixture.h"
#include "engine_worker.h"

#if defined(TESSERA_VULKAN)
#include "backend/vulkan/context.h"
#include "backend/vulkan/fault_injection.h"
#endif

using namespace tessera::app;
using namespace tessera::app::testing;

class EngineWorkerTest : public QObject {
    Q_OBJECT

private slots:
    void aLostGpuMidReplyReloadsTheModelOnTheCpu() {
#if !defined(TESSERA_VULKAN)
        QSKIP("this build has no Vulkan backend");
#else
        if (auto why = tessera::vulkan::vulkan_unavailable()) QSKIP(why->c_str());
        EngineWorker worker;  // called directly: its signals arrive before each call returns
        QSignalSpy loaded(&worker, &EngineWorker::modelLoaded);
        QSignalSpy failed(&worker, &EngineWorker::replyFailed);
        QSignalSpy finished(&worker, &EngineWorker::replyFinished);
        LoadRequest request;
        request.path = bundled_model();
        request.context_tokens = 128;
        request.device = QStringLiteral("vulkan");
        request.gpu_layers = 2;  // half of the bundled model's 4 layers: a split model
        worker.loadModel(request);
        QCOMPARE(loaded.count(), 1);
        const QString gpu_device = loaded.at(0).at(2).toString();
        QVERIFY2(gpu_device.startsWith(QLatin1String("Vulkan: ")), qPrintable(gpu_device));
        QVERIFY2(gpu_device.contains(QLatin1String("2 of 4 layers on the GPU")), qPrintable(gpu_device));

        GenerationRequest reply;
        reply.id = 1;
        reply.messages = {{"user", "Tell me a dream."}};
        reply.settings.max_tokens = 16;
        tessera::vulkan::inject_fault(tessera::vulkan::FaultSite::Submit, VK_ERROR_DEVICE_LOST, 10);
        worker.generate(reply);
        tessera::vulkan::clear_faults();
        QCOMPARE(finished.count(), 0);
        QCOMPARE(failed.count(), 1);
        const QString error = failed.at(0).at(1).toString();
        QVERIFY2(error.contains(QLatin1String("VK_ERROR_DEVICE_LOST")), qPrintable(error));
        QVERIFY2(error.contains(QLatin1String("loaded again on the CPU")), qPrintable(error));
        QCOMPARE(loaded.count(), 2);
        const QString cpu_device = loaded.at(1).at(2).toString();
        QVERIFY2(cpu_device.startsWith(QLatin1String("CPU, ")), qPrintable(cpu_device));

        reply.id = 2;
        worker.generate(reply);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(finished.count(), 1);
        QVERIFY(finished.at(0).at(2).toLongLong() > 0);
#endif
    }

    void anErrorFromTheInputDoesNotReload() {
        EngineWorker worker;
        QSignalSpy loaded(&worker, &EngineWorker::modelLoaded);
        QSignalSpy failed(&worker, &EngineWorker::replyFailed);
        LoadRequest request;
        request.path = bundled_model();
        request.context_tokens = 16;  // too short for the prompt: the session refuses it
        worker.loadModel(request);
        QCOMPARE(loaded.count(), 1);
        GenerationRequest reply;
        reply.id = 1;
        reply.messages = {{"user", QStringLiteral("a long message ").repeated(20).toStdString()}};
        reply.settings.max_tokens = 4;
        worker.generate(reply);
        QCOMPARE(failed.count(), 1);
        QVERIFY(!failed.at(0).at(1).toString().contains(QLatin1String("loaded again")));
        QCOMPARE(loaded.count(), 1);
    }
};

QTEST_GUILESS_MAIN(EngineWorkerTest)
#include "engine_worker_test.moc"

// tessera-ui-bench [--replies N] [--model FILE.gguf]
// GUI-thread responsiveness while replies stream at full speed: the real window (offscreen,
// software rendering), the real engine and a history in a temporary folder. A 1 ms timer on
// the GUI thread measures how late it fires (a stall is the delay beyond its interval), and
// the window's frame intervals are recorded. Prints JSON; the target is no stall over 16 ms.
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <vector>

#include "app_storage.h"
#include "bundled_model.h"
#include "chat_controller.h"
#include "engine_thread.h"
#include "main_window.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace tessera::app;

namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())))];
}

double thread_cpu_ms() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double max_of(const std::vector<double>& v) { return v.empty() ? 0.0 : *std::max_element(v.begin(), v.end()); }

}  // namespace

int main(int argc, char** argv) {
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    QGuiApplication app(argc, argv);
    QCommandLineParser parser;
    QCommandLineOption replies_option(QStringLiteral("replies"), QStringLiteral("Replies to stream."),
                                      QStringLiteral("n"), QStringLiteral("20"));
    QCommandLineOption model_option(QStringLiteral("model"), QStringLiteral("GGUF model."), QStringLiteral("file"),
                                    bundled_model_path());
    parser.addHelpOption();
    parser.addOptions({replies_option, model_option});
    parser.process(app);
    const int replies = std::max(1, parser.value(replies_option).toInt());

    QTemporaryDir dir;
    auto history = AppStorage::open(dir.path().toStdString());
    if (!history) {
        std::fprintf(stderr, "error: %s\n", history.error().message.c_str());
        return 1;
    }
    EngineThread engine;
    ChatController controller(**history, engine);
    use_app_style();
    QQmlApplicationEngine qml;
    if (!load_main_window(qml, &controller, QStringLiteral("light"))) return 1;
    auto* window = qobject_cast<QQuickWindow*>(qml.rootObjects().constFirst());

    std::vector<double> stalls, frames, work;  // work: GUI-thread CPU ms between two ticks
    double last_cpu = 0, longest_stall_work = 0;
    QElapsedTimer clock;
    clock.start();
    qint64 last_tick = 0, last_frame = 0;
    int pieces = 0, done = 0;
    bool measuring = false;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(1);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        const double cpu = thread_cpu_ms();
        if (measuring && last_tick > 0) {
            const double stall = std::max(0.0, (now - last_tick) / 1e6 - 1.0);
            if (stall > max_of(stalls)) longest_stall_work = cpu - last_cpu;
            stalls.push_back(stall);
            work.push_back(cpu - last_cpu);
        }
        last_tick = now;
        last_cpu = cpu;
    });
    QObject::connect(window, &QQuickWindow::frameSwapped, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (measuring && last_frame > 0) frames.push_back((now - last_frame) / 1e6);
        last_frame = now;
    });
    QObject::connect(&engine, &EngineThread::textPiece, [&] { ++pieces; });
    QObject::connect(&controller, &ChatController::replyStored, [&](qint64 message_id) {
        if (++done >= replies) {
            QCoreApplication::quit();
            return;
        }
        controller.regenerate(message_id);  // the next reply streams at once
    });
    QObject::connect(&engine, &EngineThread::stateChanged, [&] {
        if (engine.state() == EngineThread::State::Failed) {
            std::fprintf(stderr, "error: %s\n", qPrintable(engine.errorText()));
            QCoreApplication::exit(1);
        } else if (engine.state() == EngineThread::State::Ready && !measuring) {
            measuring = true;
            probe.start();
            controller.send(QStringLiteral("I"));
        }
    });
    engine.load(parser.value(model_option));
    if (const int rc = QGuiApplication::exec(); rc != 0) return rc;

    QJsonObject out{{"replies", done},
                    {"pieces", pieces},
                    {"stall_max_ms", max_of(stalls)},
                    {"stall_max_gui_cpu_ms", longest_stall_work},
                    {"stall_p99_ms", percentile(stalls, 0.99)},
                    {"stalls_over_16ms", static_cast<int>(std::count_if(stalls.begin(), stalls.end(),
                                                                         [](double s) { return s > 16.0; }))},
                    {"frames", static_cast<int>(frames.size())},
                    {"frame_interval_p50_ms", percentile(frames, 0.5)},
                    {"frame_interval_max_ms", max_of(frames)},
                    {"gui_work_max_ms", max_of(work)},
                    {"gui_work_p99_ms", percentile(work, 0.99)}};
    std::printf("%s\n", QJsonDocument(out).toJson(QJsonDocument::Indented).constData());
    return 0;
}

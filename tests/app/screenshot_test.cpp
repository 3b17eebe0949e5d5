// The real QML UI, offscreen, over a prepared history: the main window in the light and
// the dark theme, with a code block, a collapsed reasoning block and a sibling switcher;
// the models page with the layer map of nas-256 (../shared/fixtures) and of a synthetic
// 80-layer model shaped like Nemotron-Super; the settings page in both themes; and the models
// page with two downloads from a throttled server on loopback, one in progress, one paused.
// The PNGs go to SCREENSHOT_DIR (build/<preset>/screenshots/) for people to look at.
#include <QDir>
#include <QImage>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSet>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtTest>

#include "app_fixture.h"
#include "download_fixture.h"
#include "download_list_model.h"
#include "downloads.h"
#include "fault_server.h"
#include "main_window.h"
#include "model_details.h"
#include "remote_endpoint.h"
#include "remote_servers.h"
#include "synthetic_model.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

const char* const kCodeReply =
    "Use `qsort` from `<stdlib.h>` with a comparison function:\n\n"
    "```c\n"
    "int cmp(const void *a, const void *b) {\n"
    "    return *(const int *)a - *(const int *)b;\n"
    "}\n\n"
    "qsort(values, count, sizeof values[0], cmp);\n"
    "```\n\n"
    "The comparison returns a negative number, zero or a positive number.";
const char* const kFirstReasoningReply =
    "<think>Stability: qsort makes no promise.</think>No: the C standard does not require `qsort` to be stable.";
const char* const kSecondReasoningReply =
    "<think>Stability means equal keys keep their order; the contract of qsort says nothing about it, "
    "so the answer is no, with a way around it.</think>"
    "**No.** `qsort` may reorder equal elements. For a stable result, break ties by the original index:\n\n"
    "- compare the keys;\n- when they are equal, compare the indices.";

storage::NewMessage message(std::optional<std::int64_t> parent, storage::Role role, const char* text) {
    storage::NewMessage m;
    m.parent_id = parent;
    m.role = role;
    m.content = text;
    if (role == storage::Role::assistant) {
        m.model = "aidreams260K-f32";
        m.stats.completion_tokens = 64;
        m.stats.tokens_per_second = 850.0;
        m.stats.time_to_first_token_ms = 4.0;
    }
    return m;
}

// Three conversations, one pinned; returns the one with code, reasoning and two replies.
storage::DbResult<std::int64_t> prepare_history(storage::ConversationStore& store) {
    using storage::Role;
    storage::ConversationSettings poem{"A poem about noise"};
    STORAGE_ASSIGN(auto poem_id, store.create_conversation(poem));
    STORAGE_TRY(store.add_message(poem_id, message(std::nullopt, Role::user, "Write a poem about noise")));
    storage::ConversationSettings pinned{"Trip notes"};
    pinned.pinned = true;
    STORAGE_TRY(store.create_conversation(pinned));
    STORAGE_ASSIGN(auto id, store.create_conversation({"Sorting in C"}));
    STORAGE_ASSIGN(auto q1, store.add_message(id, message(std::nullopt, Role::user, "How do I sort an array of integers in C?")));
    STORAGE_ASSIGN(auto a1, store.add_message(id, message(q1, Role::assistant, kCodeReply)));
    STORAGE_ASSIGN(auto q2, store.add_message(id, message(a1, Role::user, "Is it stable?")));
    STORAGE_TRY(store.add_message(id, message(q2, Role::assistant, kFirstReasoningReply)));
    STORAGE_TRY(store.add_message(id, message(q2, Role::assistant, kSecondReasoningReply)));  // shown
    return id;
}

double mean_luminance(const QImage& image) {
    double sum = 0;
    for (int y = 0; y < image.height(); y += 4)
        for (int x = 0; x < image.width(); x += 4) sum += qGray(image.pixel(x, y));
    return sum / ((image.height() / 4 + 1) * (image.width() / 4 + 1));
}

int distinct_colours(const QImage& image) {
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 2)
        for (int x = 0; x < image.width(); x += 2) colours.insert(image.pixel(x, y));
    return static_cast<int>(colours.size());
}

// 80 layers like Nemotron-Super's plan (GQA kv=8 and pruned attention, FFN widths varying
// from 2/7 to the full width), at a toy size: n_embd 64, 8 heads of 8.
SyntheticSpec eighty_layer_spec() {
    SyntheticSpec spec;
    spec.name = "nas-80-layers (synthetic)";
    spec.n_embd = 64;
    spec.n_head = 8;
    spec.n_vocab = 64;
    spec.n_ctx = 131072;
    spec.seed = 80;
    const int64_t widths[] = {512, 448, 384, 320, 256, 224, 192, 160, 128};
    for (int i = 0; i < 80; ++i) {
        SyntheticLayer l;
        const bool pruned = i > 6 && i < 72 && (i % 5 == 2 || i % 7 == 3);
        l.attention = pruned ? AttentionKind::None : i % 11 == 5 ? AttentionKind::Linear : AttentionKind::Gqa;
        l.n_head_kv = l.attention == AttentionKind::Gqa ? (i % 9 == 4 ? 4 : 8) : 0;
        l.ffn = i % 13 == 12 ? FfnKind::Linear : FfnKind::SwiGlu;
        l.ffn_width = l.ffn == FfnKind::SwiGlu ? widths[(i * 7 + i / 10) % 9] : 0;
        spec.layers.push_back(l);
    }
    return spec;
}

}  // namespace

class ScreenshotTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);  // no GPU, no display
        use_app_style();
        QVERIFY(dir_.isValid());
        {
            auto history = AppStorage::open(dir_.path().toStdString());
            QVERIFY(history.ok());
            auto id = prepare_history((*history)->conversations());
            QVERIFY2(id.ok(), id.ok() ? "" : id.error().message.c_str());
            conversation_ = *id;
            QVERIFY((*history)->register_model(bundled_model().toStdString()).ok());  // as main() does
        }
        app_ = std::make_unique<AppFixture>(dir_.path());
        QVERIFY(app_->open());
        app_->controller().openConversation(conversation_);
        QCOMPARE(app_->controller().messages()->rowCount(), 4);
        QVERIFY(QDir().mkpath(QStringLiteral(SCREENSHOT_DIR)));
    }
    void init() {
        // A QML warning (binding loop, unknown property, ...) is a failure here.
        QTest::failOnWarning(QRegularExpression(QStringLiteral("qrc:/Tessera/")));
    }
    void cleanupTestCase() {
        qml_.reset();
        app_.reset();
    }

    void mainWindow_data() {
        QTest::addColumn<QString>("theme");
        QTest::newRow("light") << QStringLiteral("light");
        QTest::newRow("dark") << QStringLiteral("dark");
    }

    void mainWindow() {
        QFETCH(QString, theme);
        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), theme));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        // Nothing in a reply goes online (U4): the engine's network refuses remote URLs at once.
        QNetworkReply* remote = qml_->networkAccessManager()->get(QNetworkRequest(QUrl(QStringLiteral("http://example.invalid/x.png"))));
        QSignalSpy remote_done(remote, &QNetworkReply::finished);
        QVERIFY(remote->isFinished() || remote_done.wait(10000));
        QCOMPARE(remote->error(), QNetworkReply::ProtocolUnknownError);
        remote->deleteLater();
        const QImage image = window->grabWindow();
        const QString path = QStringLiteral(SCREENSHOT_DIR "/main-window-%1.png").arg(theme);
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));

        QCOMPARE(image.size(), window->size() * window->devicePixelRatio());
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");
        luminance_[theme] = mean_luminance(image);
        if (luminance_.contains(QStringLiteral("light")) && luminance_.contains(QStringLiteral("dark")))
            QVERIFY2(luminance_[QStringLiteral("dark")] + 60 < luminance_[QStringLiteral("light")],
                     "the dark theme is not darker than the light one");
        qml_.reset();
    }

    // The conversation settings dialog open over the chat (light theme).
    void conversationSettingsDialog() {
        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), QStringLiteral("light")));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QVERIFY(app_->controller().setConversationOptions({{"temperature", 0.6}, {"maxTokens", 256}}));
        auto* dialog = window->findChild<QObject*>(QStringLiteral("conversationSettings"));
        QVERIFY(dialog);
        QVERIFY(QMetaObject::invokeMethod(dialog, "open"));
        QTRY_VERIFY(dialog->property("opened").toBool());
        const QImage image = window->grabWindow();
        const QString path = QStringLiteral(SCREENSHOT_DIR "/conversation-settings.png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");
        QMetaObject::invokeMethod(dialog, "close");
        QVERIFY(app_->controller().setConversationOptions({}));
        qml_.reset();
    }

    void modelsPage_data() {
        QTest::addColumn<QString>("theme");
        QTest::addColumn<QString>("model");
        const QString nas256 = QStringLiteral(TESSERA_SHARED_DIR "/fixtures/models/nas-256-q4_k_m.gguf");
        const QString eighty = dir_.filePath(QStringLiteral("nas-80-layers.gguf"));
        QTest::newRow("nas-256-light") << QStringLiteral("light") << nas256;
        QTest::newRow("nas-256-dark") << QStringLiteral("dark") << nas256;
        QTest::newRow("80-layers-light") << QStringLiteral("light") << eighty;
        QTest::newRow("80-layers-dark") << QStringLiteral("dark") << eighty;
    }

    // The models page of one model: facts, layer map, will it fit.
    void modelsPage() {
        QFETCH(QString, theme);
        QFETCH(QString, model);
        if (model.startsWith(QStringLiteral(TESSERA_SHARED_DIR)) && !QFile::exists(model))
            QSKIP(qPrintable(QStringLiteral("../shared/fixtures is absent (%1 not found): the nas-256 screenshot needs it")
                                 .arg(model)));
        if (QFile::exists(model)) {
            model = QFileInfo(model).canonicalFilePath();  // shown on the page: no "/../"
        } else {
            SyntheticWriteOptions options;
            options.n_threads = 1;
            Status written = write_synthetic_model(eighty_layer_spec(), model.toStdString(), options);
            QVERIFY2(written.ok(), written.ok() ? "" : written.error().message.c_str());
        }
        QVERIFY(app_->storage().register_model(model.toStdString()).ok());
        app_->controller().models()->refresh();

        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), theme));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        window->resize(1280, 900);
        window->setProperty("page", QStringLiteral("models"));
        QVERIFY(QTest::qWaitForWindowExposed(window));
        auto* page = window->findChild<QQuickItem*>(QStringLiteral("modelsPage"));
        QVERIFY(page);
        QVERIFY(QMetaObject::invokeMethod(page, "selectPath", Q_ARG(QVariant, model)));
        auto* details = qobject_cast<ModelDetails*>(page->property("details").value<QObject*>());
        QVERIFY(details);
        QCOMPARE(details->path(), model);
        QTRY_VERIFY_WITH_TIMEOUT(details->status() != ModelDetails::Status::Reading, 60000);
        QVERIFY2(details->status() == ModelDetails::Status::Ready, qPrintable(details->errorText()));
        QTRY_VERIFY_WITH_TIMEOUT(details->fit()->verdict() != FitEstimate::Verdict::Unknown, 60000);
        QTest::qWait(50);  // one more frame after the last change

        const QImage image = window->grabWindow();
        const QString name = QFileInfo(model).completeBaseName().startsWith(QStringLiteral("nas-256")) ? QStringLiteral("nas-256")
                                                                                                        : QStringLiteral("80-layers");
        const QString path = QStringLiteral(SCREENSHOT_DIR "/models-page-%1-%2.png").arg(name, theme);
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");
        qml_.reset();
    }

    void settingsPage_data() {
        QTest::addColumn<QString>("theme");
        QTest::newRow("light") << QStringLiteral("light");
        QTest::newRow("dark") << QStringLiteral("dark");
    }

    // The settings page: the Vulkan devices (lavapipe here) with the default and why, engine,
    // appearance, local server (running) and data sections, after a backup so its result line shows.
    void settingsPage() {
        QFETCH(QString, theme);
        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), theme));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        window->resize(1100, 1320);
        window->setProperty("page", QStringLiteral("settings"));
        AppSettings& settings = *app_->controller().settings();
        settings.setServerPort(0);
        settings.setServerEnabled(true);
        QTRY_VERIFY_WITH_TIMEOUT(app_->controller().localServer()->running(), 60000);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        DeviceListModel& devices = *app_->controller().devices();
        QTRY_VERIFY_WITH_TIMEOUT(!devices.loading() && devices.rowCount() > 0, 60000);
        DataActions& actions = *app_->controller().dataActions();
        if (actions.resultText().isEmpty()) {
            QVERIFY(actions.backUp());
            QTRY_VERIFY_WITH_TIMEOUT(!actions.busy(), 60000);
            QVERIFY2(actions.resultOk(), qPrintable(actions.resultText()));
        }
        QTest::qWait(50);  // one more frame after the last change

        const QImage image = window->grabWindow();
        const QString path = QStringLiteral(SCREENSHOT_DIR "/settings-page-%1.png").arg(theme);
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");
        // The page's background follows the theme.
        const double lightness = image.pixelColor(image.width() - 20, image.height() / 2).lightnessF();
        QVERIFY2(theme == QLatin1String("dark") ? lightness < 0.3 : lightness > 0.8, qPrintable(QString::number(lightness)));
        settings.setServerEnabled(false);
        qml_.reset();
    }

    // The models page while a download runs (light theme): a throttled loopback server keeps
    // one job mid-way; a second is paused part way through.
    void modelsPageDownload() {
        using namespace tessera::downloads::testing;
        const TestModel big = make_model(64ll << 20, 49);
        const TestModel small = make_model(24ll << 20, 51);
        FaultServer server([&](const HttpRequest& request) {
            const bool is_big = request.target.endsWith("Q4_K_M.gguf");
            // About 2.5 MiB/s: the big one takes half a minute.
            return serve_file(request, is_big ? big.data : small.data, is_big ? "\"q4\"" : "\"q8\"", {128 << 10, 50});
        });
        QVERIFY(server.listen());
        Downloads& downloads = *app_->controller().downloads();
        DownloadListModel& jobs = *downloads.jobs();
        QVERIFY(downloads.add(server.url(QStringLiteral("/nvidia/nas-demo-49B-Q8_0.gguf")).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(jobs.rowCount() == 1 && jobs.at(0).bytes_done > small.data.size() * 2 / 5, 60000);
        const qint64 paused = jobs.at(0).id;
        downloads.pause(paused);
        QTRY_COMPARE_WITH_TIMEOUT(jobs.at(0).state, QStringLiteral("paused"), 60000);
        QVERIFY(downloads.add(server.url(QStringLiteral("/nvidia/nas-demo-49B-Q4_K_M.gguf")).toString()));

        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), QStringLiteral("light")));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        window->resize(1280, 900);
        window->setProperty("page", QStringLiteral("models"));
        QVERIFY(QTest::qWaitForWindowExposed(window));
        // The issue asks for nas-256's layer map beside the download (when ../shared has it).
        const QString nas256 = QFileInfo(QStringLiteral(TESSERA_SHARED_DIR "/fixtures/models/nas-256-q4_k_m.gguf")).canonicalFilePath();
        if (!nas256.isEmpty()) {
            QVERIFY(app_->storage().register_model(nas256.toStdString()).ok());
            app_->controller().models()->refresh();
            auto* page = window->findChild<QQuickItem*>(QStringLiteral("modelsPage"));
            QVERIFY(page);
            QVERIFY(QMetaObject::invokeMethod(page, "selectPath", Q_ARG(QVariant, nas256)));
            auto* details = qobject_cast<ModelDetails*>(page->property("details").value<QObject*>());
            QVERIFY(details);
            QTRY_VERIFY_WITH_TIMEOUT(details->status() == ModelDetails::Status::Ready && details->fit()->verdict() != FitEstimate::Verdict::Unknown, 60000);
        }
        // Mid-way, with a speed and a time left to show.
        QTRY_VERIFY_WITH_TIMEOUT(jobs.rowCount() == 2 && jobs.at(1).state == QLatin1String("running") &&
                                     jobs.at(1).bytes_done > big.data.size() / 4 && jobs.at(1).seconds_left > 0,
                                 60000);
        QVERIFY2(jobs.at(1).bytes_done < big.data.size(), "the download ended before the screenshot");
        QTest::qWait(50);  // one more frame after the last change
        const QImage image = window->grabWindow();
        const QString path = QStringLiteral(SCREENSHOT_DIR "/models-page-download.png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");
        auto* list = window->findChild<QQuickItem*>(QStringLiteral("downloadJobs"));
        QVERIFY(list);
        QCOMPARE(list->property("count").toInt(), 2);

        for (qint64 id : {jobs.at(0).id, jobs.at(1).id}) downloads.cancel(id);
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowCount(), 0, 60000);
        qml_.reset();
    }

    // The models page with a remote server and the models it serves (a loopback server
    // answering /v1/models as vLLM does), then its form after a connection test.
    void modelsPageRemoteServer() {
        using namespace tessera::downloads::testing;
        FaultServer vllm([](const HttpRequest& request) {
            HttpResponse r;
            r.header("Content-Type", "application/json");
            r.body = request.target == "/v1/models"
                         ? R"({"object":"list","data":[{"id":"nvidia/Llama-3_1-Nemotron-Ultra-253B-v1","object":"model","owned_by":"vllm"},{"id":"nvidia/Llama-3_3-Nemotron-Super-49B-v1","object":"model","owned_by":"vllm"}]})"
                         : R"({"error":{"message":"not found"}})";
            return r;
        });
        QVERIFY(vllm.listen());
        RemoteServers& servers = *app_->controller().remoteServers();
        QSignalSpy tested(&servers, &RemoteServers::testChanged);
        servers.testConnection(vllm.url(QStringLiteral("/v1")).toString(), QStringLiteral("sk-cluster-key-123"));
        QTRY_VERIFY_WITH_TIMEOUT(!servers.testing(), 60000);
        QVERIFY2(servers.testPassed(), qPrintable(servers.testMessage()));
        const qint64 id = servers.save(0, QStringLiteral("DGX cluster (vLLM, TP=8)"), vllm.url(QStringLiteral("/v1")).toString(),
                                       QStringLiteral("sk-cluster-key-123"), false, false, 120, 60, servers.testModels());
        QVERIFY2(id > 0, qPrintable(servers.errorText()));

        qml_ = std::make_unique<QQmlApplicationEngine>();
        QVERIFY(load_main_window(*qml_, &app_->controller(), QStringLiteral("light")));
        auto* window = qobject_cast<QQuickWindow*>(qml_->rootObjects().constFirst());
        QVERIFY(window);
        window->resize(1280, 900);
        window->setProperty("page", QStringLiteral("models"));
        QVERIFY(QTest::qWaitForWindowExposed(window));
        auto* list = window->findChild<QQuickItem*>(QStringLiteral("serverList"));
        QVERIFY(list);
        QTRY_COMPARE(list->property("count").toInt(), 1);
        // The picker offers the server's models beside the local files, marked remote.
        auto* picker = window->findChild<QQuickItem*>(QStringLiteral("modelPicker"));
        QVERIFY(picker);
        QCOMPARE(picker->property("count").toInt(), app_->controller().models()->rowCount());
        const int remote_row = app_->controller().models()->rowOfPath(
            remote_model_uri(id, QStringLiteral("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1")));
        QVERIFY(remote_row >= 0);
        QString label;
        QVERIFY(QMetaObject::invokeMethod(picker, "textAt", Q_RETURN_ARG(QString, label), Q_ARG(int, remote_row)));
        QCOMPARE(label, QStringLiteral("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1 · DGX cluster (vLLM, TP=8) (remote)"));
        QTest::qWait(50);
        QImage image = window->grabWindow();
        QString path = QStringLiteral(SCREENSHOT_DIR "/models-page-remote-server.png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY2(distinct_colours(image) > 40, "the window is (nearly) a single colour");

        auto* dialog = window->findChild<QObject*>(QStringLiteral("addServerDialog"));
        QVERIFY(dialog);
        QVariantMap server{{QStringLiteral("serverId"), id},
                           {QStringLiteral("name"), QStringLiteral("DGX cluster (vLLM, TP=8)")},
                           {QStringLiteral("baseUrl"), servers.data(servers.index(0), RemoteServers::BaseUrlRole)},
                           {QStringLiteral("hasKey"), true},
                           {QStringLiteral("models"), servers.data(servers.index(0), RemoteServers::ModelsRole)},
                           {QStringLiteral("firstByteTimeout"), 120},
                           {QStringLiteral("idleTimeout"), 60}};
        QVERIFY(QMetaObject::invokeMethod(dialog, "openFor", Q_ARG(QVariant, server)));
        servers.testConnection(servers.data(servers.index(0), RemoteServers::BaseUrlRole).toString(), QString(), false, id);
        QTRY_VERIFY_WITH_TIMEOUT(!servers.testing(), 60000);
        QVERIFY2(servers.testPassed(), qPrintable(servers.testMessage()));  // with the key from the secret store
        QCOMPARE(vllm.requests().back().header("authorization"), QByteArray("Bearer sk-cluster-key-123"));
        QTest::qWait(300);  // the dialog's opening transition
        image = window->grabWindow();
        path = QStringLiteral(SCREENSHOT_DIR "/add-server-dialog.png");
        QVERIFY(image.save(path));
        qInfo("screenshot: %s", qPrintable(path));
        QVERIFY(QMetaObject::invokeMethod(dialog, "close"));
        qml_.reset();
        QVERIFY(servers.remove(id));
    }

private:
    QTemporaryDir dir_;
    std::int64_t conversation_ = 0;
    std::unique_ptr<AppFixture> app_;
    std::unique_ptr<QQmlApplicationEngine> qml_;
    QMap<QString, double> luminance_;
};

QTEST_MAIN(ScreenshotTest)
#include "screenshot_test.moc"

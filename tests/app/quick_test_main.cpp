// Qt Quick Test runner for the UI components (tests/app/qml/tst_*.qml). The components get
// a real controller: history in a temporary folder, the engine on the bundled model, and two
// model files for the models page: testNasModel (a synthetic NAS model with every block
// variant) and testBrokenModel (the same file cut in half); and testDownloadUrl, that model
// served slowly by an HTTP server on loopback, for the Downloads section; and testOpenAiUrl, a
// loopback server answering /v1/models as an OpenAI-compatible server does (testOpenAiKey is
// the key it accepts), for the Add-server form.
#include <QFile>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>
#include <memory>

#include "app_fixture.h"
#include "fault_server.h"
#include "main_window.h"
#include "nas_test_models.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

// What a test file may add to its app's history (testData).
class TestData : public QObject {
    Q_OBJECT
public:
    explicit TestData(tessera::app::testing::AppFixture& app) : app_(app) {}
    Q_INVOKABLE qint64 addLongConversation(int messages) {
        const qint64 id = tessera::app::testing::add_long_conversation(app_.storage().conversations(), messages);
        app_.controller().conversations()->refresh();
        return id;
    }

private:
    tessera::app::testing::AppFixture& app_;
};

class Setup : public QObject {
    Q_OBJECT
public slots:
    void applicationAvailable() {
        QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
        tessera::app::use_app_style();
    }
    void qmlEngineAvailable(QQmlEngine* engine) {
        engine->addImportPath(QStringLiteral("qrc:/"));  // where the static modules' qmldir files are
        // One app per test file (each file gets its own engine); the previous one goes first.
        data_.reset();
        app_.reset();
        app_ = std::make_unique<tessera::app::testing::AppFixture>(
            dir_.path() + QStringLiteral("/data-%1").arg(++files_));
        const bool ready = dir_.isValid() && app_->open();
        engine->rootContext()->setContextProperty(QStringLiteral("appReady"), ready);
        engine->rootContext()->setContextProperty(QStringLiteral("testController"),
                                                  ready ? &app_->controller() : nullptr);
        data_ = ready ? std::make_unique<TestData>(*app_) : nullptr;
        engine->rootContext()->setContextProperty(QStringLiteral("testData"), data_.get());
        const QString good = dir_.path() + QStringLiteral("/nas-every-variant.gguf");
        const QString broken = dir_.path() + QStringLiteral("/nas-truncated.gguf");
        const bool written = QFile::exists(broken) ||
                             (tessera::app::testing::write_model(good) && tessera::app::testing::write_truncated_copy(good, broken));
        engine->rootContext()->setContextProperty(QStringLiteral("testNasModel"), written ? good : QString());
        engine->rootContext()->setContextProperty(QStringLiteral("testBrokenModel"), written ? broken : QString());
        if (!server_ && written) {
            QFile file(good);
            served_ = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
            server_ = std::make_unique<tessera::downloads::testing::FaultServer>(
                [this](const tessera::downloads::testing::HttpRequest& request) {
                    // A few seconds: long enough to pause mid-way.
                    return tessera::downloads::testing::serve_file(request, served_, "\"every-variant\"", {4096, 15});
                });
            if (!server_->listen()) server_.reset();
        }
        if (!openai_) {
            openai_ = std::make_unique<tessera::downloads::testing::FaultServer>(
                [](const tessera::downloads::testing::HttpRequest& request) {
                    tessera::downloads::testing::HttpResponse r;
                    r.header("Content-Type", "application/json");
                    if (request.header("authorization") != "Bearer qml-test-key-0123") {
                        r.status = 401;
                        r.body = R"({"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}})";
                    } else {
                        r.body = R"({"object":"list","data":[{"id":"nemotron-ultra-253b","object":"model"}]})";
                    }
                    return r;
                });
            if (!openai_->listen()) openai_.reset();
        }
        engine->rootContext()->setContextProperty(QStringLiteral("testOpenAiUrl"),
                                                  openai_ ? openai_->url(QStringLiteral("/v1")).toString() : QString());
        engine->rootContext()->setContextProperty(QStringLiteral("testOpenAiKey"), QStringLiteral("qml-test-key-0123"));
        engine->rootContext()->setContextProperty(
            QStringLiteral("testDownloadUrl"),
            server_ ? server_->url(QStringLiteral("/models/downloaded-every-variant.gguf")).toString() : QString());
    }
    void cleanupTestCase() {
        data_.reset();
        app_.reset();
        server_.reset();
        openai_.reset();
    }

private:
    QTemporaryDir dir_;
    int files_ = 0;
    std::unique_ptr<tessera::app::testing::AppFixture> app_;
    std::unique_ptr<TestData> data_;
    QByteArray served_;
    std::unique_ptr<tessera::downloads::testing::FaultServer> server_;
    std::unique_ptr<tessera::downloads::testing::FaultServer> openai_;
};

QUICK_TEST_MAIN_WITH_SETUP(tessera_ui, Setup)
#include "quick_test_main.moc"

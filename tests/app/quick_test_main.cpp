// Qt Quick Test runner for the UI components (tests/app/qml/tst_*.qml). The components get
// a real controller: history in a temporary folder, the engine on the bundled model.
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>
#include <memory>

#include "app_fixture.h"
#include "main_window.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

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
        app_.reset();
        app_ = std::make_unique<tessera::app::testing::AppFixture>(
            dir_.path() + QStringLiteral("/data-%1").arg(++files_));
        const bool ready = dir_.isValid() && app_->open();
        engine->rootContext()->setContextProperty(QStringLiteral("appReady"), ready);
        engine->rootContext()->setContextProperty(QStringLiteral("testController"),
                                                  ready ? &app_->controller() : nullptr);
    }
    void cleanupTestCase() { app_.reset(); }

private:
    QTemporaryDir dir_;
    int files_ = 0;
    std::unique_ptr<tessera::app::testing::AppFixture> app_;
};

QUICK_TEST_MAIN_WITH_SETUP(tessera_ui, Setup)
#include "quick_test_main.moc"

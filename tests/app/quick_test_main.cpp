// Qt Quick Test runner for the UI components (tests/app/qml/tst_*.qml). The components get
// a real controller: history in a temporary folder, the engine on the bundled model, and two
// model files for the models page: testNasModel (a synthetic NAS model with every block
// variant) and testBrokenModel (the same file cut in half).
#include <QFile>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>
#include <memory>

#include "app_fixture.h"
#include "main_window.h"
#include "synthetic_model.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

namespace {

// n_embd 64, 4 heads of 16: GQA kv=2 + SwiGLU 96, linear + SwiGLU 64, none + SwiGLU 128,
// GQA kv=1 + linear FFN, GQA kv=4 + no FFN, linear + no FFN, none + none.
bool write_models(const QString& good, const QString& broken) {
    tessera::SyntheticSpec spec;
    spec.name = "every-variant";
    spec.n_embd = 64;
    spec.n_head = 4;
    spec.n_vocab = 96;
    spec.n_ctx = 512;
    using tessera::AttentionKind;
    using tessera::FfnKind;
    spec.layers = {{AttentionKind::Gqa, 2, FfnKind::SwiGlu, 96}, {AttentionKind::Linear, 0, FfnKind::SwiGlu, 64},
                   {AttentionKind::None, 0, FfnKind::SwiGlu, 128}, {AttentionKind::Gqa, 1, FfnKind::Linear, 0},
                   {AttentionKind::Gqa, 4, FfnKind::None, 0},      {AttentionKind::Linear, 0, FfnKind::None, 0},
                   {AttentionKind::None, 0, FfnKind::None, 0}};
    tessera::SyntheticWriteOptions options;
    options.n_threads = 1;
    if (auto s = tessera::write_synthetic_model(spec, good.toStdString(), options); !s) {
        qWarning("writing %s: %s", qPrintable(good), s.error().message.c_str());
        return false;
    }
    QFile in(good), out(broken);
    return in.open(QIODevice::ReadOnly) && out.open(QIODevice::WriteOnly) && out.write(in.read(in.size() / 2)) > 0;
}

}  // namespace

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
        const QString good = dir_.path() + QStringLiteral("/nas-every-variant.gguf");
        const QString broken = dir_.path() + QStringLiteral("/nas-truncated.gguf");
        const bool written = QFile::exists(broken) || write_models(good, broken);
        engine->rootContext()->setContextProperty(QStringLiteral("testNasModel"), written ? good : QString());
        engine->rootContext()->setContextProperty(QStringLiteral("testBrokenModel"), written ? broken : QString());
    }
    void cleanupTestCase() { app_.reset(); }

private:
    QTemporaryDir dir_;
    int files_ = 0;
    std::unique_ptr<tessera::app::testing::AppFixture> app_;
};

QUICK_TEST_MAIN_WITH_SETUP(tessera_ui, Setup)
#include "quick_test_main.moc"

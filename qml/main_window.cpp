#include "main_window.h"

#include <QQuickStyle>

#include "chat_controller.h"
#include "offline_network.h"

namespace tessera::app {
namespace {

bool load(QQmlApplicationEngine& engine, const char* file, const QVariantMap& properties) {
    static OfflineNetworkAccessManagerFactory offline;  // outlives every engine
    engine.setNetworkAccessManagerFactory(&offline);
    engine.addImportPath(QStringLiteral("qrc:/"));  // the static modules' qmldir files
    engine.setInitialProperties(properties);
    engine.load(QUrl(QStringLiteral("qrc:/Tessera/Ui/") + QLatin1String(file)));
    return !engine.rootObjects().isEmpty();
}

}  // namespace

void use_app_style() {
    // Basic: the style whose colours the theme sets fully, the same on every desktop.
    QQuickStyle::setStyle(QStringLiteral("Basic"));
}

bool load_main_window(QQmlApplicationEngine& engine, ChatController* controller, const QString& theme_mode) {
    return load(engine, "Main.qml",
                {{QStringLiteral("controller"), QVariant::fromValue(controller)},
                 {QStringLiteral("themeMode"), theme_mode}});
}

bool load_error_window(QQmlApplicationEngine& engine, const QString& message) {
    return load(engine, "ErrorWindow.qml", {{QStringLiteral("message"), message}});
}

}  // namespace tessera::app

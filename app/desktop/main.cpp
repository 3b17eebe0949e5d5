// tessera [--model FILE.gguf] [--data-dir DIR] [--theme system|light|dark]
// Opens the history, loads the model (the bundled one without --model) on the engine
// thread and shows the window; the history is closed cleanly (clean-exit marker) on quit.
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QtQml/qqmlextensionplugin.h>
#include <memory>

#include "app_settings.h"
#include "app_storage.h"
#include "bundled_model.h"
#include "chat_controller.h"
#include "engine_thread.h"
#include "logging.h"
#include "main_window.h"
#include "model_load_guard.h"
#include "quit_on_signals.h"
#include "storage/paths.h"

Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin)
Q_IMPORT_QML_PLUGIN(Tessera_UiPlugin)

using namespace tessera;

namespace {

int run_window(app::AppStorage& storage, const QString& model_path, const QString& theme, const QString& default_dir,
               bool dir_from_command_line) {
    // Registered first, so the model picker lists it.
    if (!model_path.isEmpty())
        if (auto s = storage.register_model(model_path.toStdString()); !s)
            qCWarning(lcHistory) << "registering the model:" << s.error().message.c_str();
    app::EngineThread engine;
    app::ChatController controller(storage, engine);
    controller.settings()->setDefaultDataFolder(default_dir);
    controller.settings()->setDataFolderFromCommandLine(dir_from_command_line);
    app::ModelLoadGuard guard(storage.data_dir(), engine);
    if (model_path.isEmpty())
        qCWarning(lcEngine) << "no model given and the bundled model was not found";
    else
        guard.load_or_offer(model_path);
    QQmlApplicationEngine qml;  // destroyed first: the window goes before what it shows
    if (!app::load_main_window(qml, &controller, theme)) return 1;
    return QGuiApplication::exec();
}

}  // namespace

int main(int argc, char** argv) {
    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(QStringLiteral("Tessera"));
    QGuiApplication::setDesktopFileName(QStringLiteral("tessera"));
    QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("tessera")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Chat with language models on this machine."));
    parser.addHelpOption();
    QCommandLineOption model({QStringLiteral("m"), QStringLiteral("model")}, QStringLiteral("GGUF model to load."),
                             QStringLiteral("file"));
    QCommandLineOption data_dir(QStringLiteral("data-dir"), QStringLiteral("Folder of the history database."),
                                QStringLiteral("dir"));
    QCommandLineOption theme(QStringLiteral("theme"),
                             QStringLiteral("system, light or dark (default: the settings page's choice)."),
                             QStringLiteral("mode"));
    parser.addOptions({model, data_dir, theme});
    parser.process(app);

    app::use_app_style();
    app::QuitOnSignals quit_on_signals;  // a clean exit on SIGTERM / SIGINT / SIGHUP too
    std::optional<std::filesystem::path> dir_option;
    if (parser.isSet(data_dir)) dir_option = parser.value(data_dir).toStdString();
    // Without --data-dir: the folder chosen on the settings page (kept in the default
    // folder's history), the default folder until one is chosen.
    const auto default_dir = QString::fromStdString(storage::resolve_data_dir(std::nullopt).string());
    auto history = app::AppStorage::open(dir_option ? *dir_option
                                                    : std::filesystem::path(app::AppSettings::start_data_folder(default_dir).toStdString()));
    if (!history) {
        // Shown in a window, not a crash: e.g. another Tessera holds the history.
        QQmlApplicationEngine qml;
        if (!app::load_error_window(qml, QString::fromStdString(history.error().message))) return 1;
        return QGuiApplication::exec();
    }
    const QString model_path = parser.isSet(model) ? parser.value(model) : app::bundled_model_path();
    const int rc = run_window(**history, model_path, parser.isSet(theme) ? parser.value(theme) : QString(),
                              default_dir, dir_option.has_value());
    // After the window, controller and engine are gone: nothing writes any more.
    if (auto s = (*history)->close(); !s) {
        qCWarning(lcHistory) << "closing the history:" << s.error().message.c_str();
        return rc == 0 ? 1 : rc;
    }
    return rc;
}

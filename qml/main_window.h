// Loading the UI: the main window over a controller, or a window that only says why the
// app cannot start (the history could not be opened). Used by `tessera` and the screenshot test.
#pragma once

#include <QQmlApplicationEngine>
#include <QString>

namespace tessera::app {

class ChatController;

// The Quick Controls style the theme is written for; call before loading a window.
// (Executables also need Q_IMPORT_QML_PLUGIN(Tessera_CorePlugin) and (Tessera_UiPlugin):
// the modules are static.)
void use_app_style();

// theme_mode: "system", "light" or "dark" (--theme), or empty for the saved setting.
// False when the window could not be created.
bool load_main_window(QQmlApplicationEngine& engine, ChatController* controller, const QString& theme_mode);
bool load_error_window(QQmlApplicationEngine& engine, const QString& message);

}  // namespace tessera::app

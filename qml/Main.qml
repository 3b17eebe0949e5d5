import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The main window: conversations on the left, the chat on the right, the loaded model
// above and the engine's status below.
ApplicationWindow {
    id: root
    required property ChatController controller
    // --theme from the command line; empty: the settings page's theme. Choosing a theme on
    // the page replaces it.
    property string themeMode: ""
    // The models or the settings page replaces the chat while shown (the header's buttons).
    property string page: "chat"  // "chat", "models", "settings"
    readonly property bool modelsShown: page === "models"

    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 400
    visible: true
    title: qsTr("Tessera")
    color: Theme.window

    Binding { target: Theme; property: "mode"; value: root.themeMode !== "" ? root.themeMode : root.controller.settings.theme }
    Binding { target: Theme; property: "fontSize"; value: root.controller.settings.fontSize }
    Connections { target: root.controller.settings; function onThemeChanged() { root.themeMode = "" } }

    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.text: Theme.text
    palette.button: Theme.surface
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.placeholderText: Theme.mutedText
    palette.mid: Theme.border
    palette.dark: Theme.border
    palette.light: Theme.surface

    header: HeaderBar {
        controller: root.controller
        page: root.page
        onPageToggled: (page) => root.page = root.page === page ? "chat" : page
    }
    footer: StatusLine { controller: root.controller }

    Shortcut {
        sequence: StandardKey.New
        onActivated: { root.controller.newChat(); chatView.focusComposer() }
    }
    Shortcut {
        sequence: StandardKey.Find
        onActivated: sidebar.focusSearch()
    }
    Shortcut {
        sequence: "Ctrl+Shift+C"
        onActivated: Clipboard.setText(root.controller.lastReplyText())
    }
    Shortcut {
        sequence: "Escape"
        enabled: root.controller.generating
        onActivated: root.controller.stop()
    }

    StackLayout {
        anchors.fill: parent
        currentIndex: root.page === "models" ? 1 : root.page === "settings" ? 2 : 0
        RowLayout {
            spacing: 0
            Sidebar {
                id: sidebar
                Layout.preferredWidth: 280
                Layout.fillHeight: true
                controller: root.controller
            }
            Rectangle {
                Layout.fillHeight: true
                implicitWidth: 1
                color: Theme.border
            }
            ChatView {
                id: chatView
                Layout.fillWidth: true
                Layout.fillHeight: true
                controller: root.controller
            }
        }
        ModelsPage {
            objectName: "modelsPage"
            controller: root.controller
        }
        SettingsPage {
            objectName: "settingsPage"
            controller: root.controller
        }
    }
}

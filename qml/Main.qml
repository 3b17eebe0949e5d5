import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The main window: conversations on the left, the chat on the right, the loaded model
// above and the engine's status below.
ApplicationWindow {
    id: root
    required property ChatController controller
    property string themeMode: "system"
    // The models page replaces the chat while shown (the header's Models button).
    property bool modelsShown: false

    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 400
    visible: true
    title: qsTr("Tessera")
    color: Theme.window

    Binding { target: Theme; property: "mode"; value: root.themeMode }

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
        modelsShown: root.modelsShown
        onModelsToggled: root.modelsShown = !root.modelsShown
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
        currentIndex: root.modelsShown ? 1 : 0
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
    }
}

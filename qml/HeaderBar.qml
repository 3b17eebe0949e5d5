import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The model picker (what is loaded, and its state) and the device it runs on.
ToolBar {
    id: bar
    required property ChatController controller
    readonly property Engine engine: controller.engine
    property string page: "chat"  // which page the window shows: "chat", "models", "settings"
    readonly property bool modelsShown: page === "models"
    signal pageToggled(string page)
    implicitHeight: 40
    background: Rectangle { color: Theme.sidebar; Rectangle { anchors.bottom: parent.bottom; width: parent.width; height: 1; color: Theme.border } }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        Label {
            text: qsTr("Tessera")
            font.bold: true
            font.pixelSize: Theme.fontSize + 2
            color: Theme.text
        }
        Item { Layout.fillWidth: true }
        Button {
            objectName: "modelsButton"
            text: bar.modelsShown ? qsTr("Back to chat") : qsTr("Models")
            onClicked: bar.pageToggled("models")
            Layout.preferredHeight: 30
            Accessible.name: bar.modelsShown ? qsTr("Back to the chat") : qsTr("Models: installed models, layer maps and memory")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Installed models, their layer maps and whether they fit")
        }
        Button {
            objectName: "settingsButton"
            text: bar.page === "settings" ? qsTr("Back to chat") : qsTr("Settings")
            onClicked: bar.pageToggled("settings")
            Layout.preferredHeight: 30
            Accessible.name: bar.page === "settings" ? qsTr("Back to the chat") : qsTr("Settings: device, threads, theme, data")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Device, threads, context, theme, font size, data folder, backup and export")
        }
        // The model picker: every model the app knows, most recently used first, then the
        // models of remote servers (labelled with their server and "remote").
        ComboBox {
            id: picker
            objectName: "modelPicker"
            model: bar.controller.models
            textRole: "label"
            displayText: currentIndex >= 0 ? currentText : bar.engine.modelName !== "" ? bar.engine.modelName : qsTr("No model")
            enabled: !bar.controller.generating && bar.engine.state !== Engine.Loading && count > 0
            Layout.preferredWidth: 260
            Layout.preferredHeight: 30
            onActivated: (row) => {
                const path = bar.controller.models.use(row)
                if (path !== "") bar.controller.loadModel(path)
            }
            Accessible.name: qsTr("Model: %1").arg(displayText)
            // Follows the engine (a load from elsewhere) and the list's reordering after a use.
            function sync() { currentIndex = bar.controller.models.rowOfPath(bar.engine.modelPath) }
            Component.onCompleted: sync()
            Connections { target: bar.engine; function onStateChanged() { picker.sync() } }
            Connections { target: bar.controller.models; function onModelReset() { picker.sync() } }
        }
        Label {
            id: stateLabel
            visible: text !== ""
            text: {
                switch (bar.engine.state) {
                case Engine.Loading: return qsTr("loading…")
                case Engine.Failed: return qsTr("failed to load")
                case Engine.NoModel: return bar.engine.offeredModel !== "" ? qsTr("not loaded") : ""
                default: return ""
                }
            }
            color: bar.engine.state === Engine.Failed ? Theme.error : Theme.mutedText
            Accessible.name: qsTr("Model state: %1").arg(text)
        }
        Button {
            visible: bar.engine.offeredModel !== "" && bar.engine.state === Engine.NoModel
            text: qsTr("Load")
            onClicked: bar.engine.loadOffered()
            Accessible.name: qsTr("Load %1").arg(bar.engine.modelName)
        }
        Label {
            text: bar.engine.device
            color: Theme.mutedText
            leftPadding: 6
            rightPadding: 6
            background: Rectangle { radius: 4; color: "transparent"; border.color: Theme.border }
            Accessible.name: qsTr("Device: %1").arg(bar.engine.device)
        }
    }
}

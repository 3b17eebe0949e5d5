import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The loaded model and the device it runs on.
ToolBar {
    id: bar
    required property Engine engine
    implicitHeight: 36
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
        Label {
            id: modelLabel
            text: {
                switch (bar.engine.state) {
                case Engine.Ready: return bar.engine.modelName
                case Engine.Loading: return qsTr("Loading %1…").arg(bar.engine.modelName)
                case Engine.Failed: return qsTr("Model failed to load")
                default: return bar.engine.offeredModel !== "" ? qsTr("%1 (not loaded)").arg(bar.engine.modelName)
                                                                : qsTr("No model loaded")
                }
            }
            color: bar.engine.state === Engine.Failed ? Theme.error : Theme.text
            elide: Text.ElideMiddle
            Layout.maximumWidth: 420
            Accessible.name: qsTr("Model: %1").arg(text)
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

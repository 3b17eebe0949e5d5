import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// Load progress while a model loads; tokens/s and the context used otherwise; the last error.
ToolBar {
    id: line
    required property ChatController controller
    readonly property Engine engine: controller.engine
    implicitHeight: 36
    background: Rectangle { color: Theme.sidebar; Rectangle { width: parent.width; height: 1; color: Theme.border } }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 12
        anchors.rightMargin: 12
        spacing: 12
        ProgressBar {
            objectName: "loadProgressBar"
            visible: line.engine.state === Engine.Loading
            from: 0
            to: 1
            value: line.engine.loadProgress
            Layout.preferredWidth: 160
            Accessible.name: qsTr("Loading the model: %1").arg(loadPercent.text)
        }
        Label {
            id: loadPercent
            objectName: "loadPercent"
            visible: line.engine.state === Engine.Loading
            text: qsTr("%1 %").arg(Math.floor(line.engine.loadProgress * 100))
            color: Theme.mutedText
        }
        Label {
            id: errorLabel
            Layout.fillWidth: true
            elide: Text.ElideRight
            textFormat: Text.PlainText
            text: line.controller.errorText !== "" ? line.controller.errorText
                  : line.engine.errorText
            color: Theme.error
            Accessible.name: qsTr("Error: %1").arg(text)
        }
        ActionButton {
            visible: line.controller.errorText !== ""
            text: "×"
            onClicked: line.controller.clearError()
            Accessible.name: qsTr("Dismiss the error")
        }
        Label {
            visible: line.controller.generating || line.controller.tokensPerSecond > 0
            text: qsTr("%1 tokens/s").arg(line.controller.tokensPerSecond.toFixed(1))
            color: Theme.mutedText
            Accessible.name: qsTr("Speed: %1").arg(text)
        }
        Label {
            visible: line.engine.contextSize > 0
            text: qsTr("context %1 / %2").arg(line.controller.contextUsed).arg(line.engine.contextSize)
            color: Theme.mutedText
            Accessible.name: qsTr("Context used: %1 of %2 tokens").arg(line.controller.contextUsed).arg(line.engine.contextSize)
        }
    }
}

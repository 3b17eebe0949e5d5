import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Shown instead of the main window when the history cannot be opened: the reason, and a way out.
ApplicationWindow {
    id: root
    required property string message
    width: 560
    height: 240
    visible: true
    title: qsTr("Tessera cannot start")
    color: Theme.window

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 24
        spacing: 16
        Label {
            Layout.fillWidth: true
            text: qsTr("The chat history could not be opened.")
            font.bold: true
            font.pixelSize: Theme.fontSize + 2
            color: Theme.text
        }
        Label {
            Layout.fillWidth: true
            Layout.fillHeight: true
            text: root.message
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
            Accessible.name: qsTr("Error: %1").arg(root.message)
        }
        Button {
            Layout.alignment: Qt.AlignRight
            text: qsTr("Quit")
            Accessible.name: qsTr("Quit Tessera")
            onClicked: Qt.quit()
        }
    }
}

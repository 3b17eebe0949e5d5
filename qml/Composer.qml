import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// Where a message is written: Enter sends, Shift+Enter starts a new line; Send becomes
// Stop while a reply streams.
Rectangle {
    id: composer
    required property ChatController controller
    property alias text: input.text
    implicitHeight: Math.min(layout.implicitHeight + 24, 240)
    color: Theme.window

    function focusInput() { input.forceActiveFocus() }
    function submit() {
        if (composer.controller.send(input.text)) input.clear()
    }

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: 12
        spacing: Theme.spacing

        ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.minimumHeight: 40
            TextArea {
                id: input
                focus: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                placeholderText: qsTr("Message")
                Accessible.name: qsTr("Message to send")
                selectByMouse: true
                color: Theme.text
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: input.activeFocus ? Theme.accent : Theme.border
                }
                Keys.onPressed: (event) => {
                    if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                            && !(event.modifiers & Qt.ShiftModifier)) {
                        composer.submit()
                        event.accepted = true
                    }
                }
            }
        }
        Button {
            Layout.alignment: Qt.AlignBottom
            text: composer.controller.generating ? qsTr("Stop") : qsTr("Send")
            enabled: composer.controller.generating || input.text.trim() !== ""
            highlighted: true
            onClicked: composer.controller.generating ? composer.controller.stop() : composer.submit()
            Accessible.name: composer.controller.generating ? qsTr("Stop the reply (Escape)") : qsTr("Send the message (Enter)")
        }
    }
}

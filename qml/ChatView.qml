import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The shown conversation (a virtualized list; a streamed token changes only the last
// delegate) and the message composer.
Item {
    id: view
    required property ChatController controller

    function focusComposer() { composer.focusInput() }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ListView {
            id: messages
            objectName: "messageList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: view.controller.messages
            spacing: Theme.spacing
            topMargin: 16
            bottomMargin: 16
            reuseItems: true
            Accessible.name: qsTr("Messages")
            ScrollBar.vertical: ScrollBar {}
            // Follows a streaming reply while the view is at its end.
            property bool atEnd: true
            onMovementEnded: atEnd = atYEnd
            onContentHeightChanged: if (atEnd) positionViewAtEnd()
            onCountChanged: { atEnd = true; positionViewAtEnd() }

            delegate: MessageDelegate {
                width: messages.width
                controller: view.controller
                isLast: index === messages.count - 1
            }

            Label {
                anchors.centerIn: parent
                visible: messages.count === 0
                text: qsTr("Ask anything. Enter sends, Shift+Enter starts a new line.")
                color: Theme.mutedText
            }
        }

        Composer {
            id: composer
            Layout.fillWidth: true
            controller: view.controller
        }
    }
}

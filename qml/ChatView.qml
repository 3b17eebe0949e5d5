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
    // Web links open; anything else (file:, javascript:, a program's scheme) asks first.
    function openLink(link) {
        if (/^https?:\/\//i.test(link)) {
            Qt.openUrlExternally(link)
        } else {
            linkDialog.link = link
            linkDialog.open()
        }
    }

    Dialog {
        id: linkDialog
        property string link
        anchors.centerIn: parent
        modal: true
        title: qsTr("Open this link?")
        standardButtons: Dialog.Open | Dialog.Cancel
        Label {
            text: qsTr("The reply links to a location that is not a web page:\n%1").arg(linkDialog.link)
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            width: Math.min(view.width * 0.7, 520)
            Accessible.name: text
        }
        onAccepted: Qt.openUrlExternally(link)
    }

    ConversationSettingsDialog {
        id: settingsDialog
        anchors.centerIn: parent
        width: Math.min(view.width * 0.8, 560)
        controller: view.controller
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.leftMargin: 24
            Layout.rightMargin: 24
            Layout.topMargin: 6
            Label {
                Layout.fillWidth: true
                text: view.controller.systemPrompt !== "" ? qsTr("System: %1").arg(view.controller.systemPrompt) : ""
                textFormat: Text.PlainText
                elide: Text.ElideRight
                color: Theme.mutedText
            }
            ActionButton {
                text: qsTr("Settings…")
                onClicked: settingsDialog.open()
                Accessible.name: qsTr("Conversation settings")
            }
        }

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
            ScrollBar.vertical: ScrollBar { id: scrollBar }
            // Follows a streaming reply while the view is at its end.
            property bool atEnd: true
            onMovementEnded: { atEnd = atYEnd; Qt.callLater(loadOlder) }  // once, however often asked in a turn
            onContentHeightChanged: if (atEnd) positionViewAtEnd()
            onCountChanged: if (!prepending) { atEnd = true; positionViewAtEnd() }
            // A long conversation opens on its newest page; scrolling to the top puts the page
            // above in front, and the message that was at the top stays where it was. Only the
            // user's scrolling counts: the list passes the top while it is laid out at open.
            property bool prepending: false
            onAtYBeginningChanged: if (atYBeginning && (moving || scrollBar.pressed)) { atEnd = false; Qt.callLater(loadOlder) }
            function loadOlder() {
                if (!atYBeginning || atYEnd || count === 0 || !view.controller.messages.hasOlder) return
                const top = Math.max(0, indexAt(width / 2, contentY + topMargin))
                const before = count
                prepending = true
                view.controller.loadOlderMessages()
                prepending = false
                atEnd = false
                positionViewAtIndex(top + count - before, ListView.Beginning)
            }

            delegate: MessageDelegate {
                width: messages.width
                controller: view.controller
                isLast: index === messages.count - 1
                onLinkActivated: (link) => view.openLink(link)
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

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// Conversations: a search box over titles and messages, a new-chat button, the list
// (pinned first), and the undo banner after a delete.
Rectangle {
    id: sidebar
    required property ChatController controller
    readonly property ConversationListModel conversations: controller.conversations
    color: Theme.sidebar

    function focusSearch() { search.forceActiveFocus(); search.selectAll() }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: search
                objectName: "searchField"
                Layout.fillWidth: true
                placeholderText: qsTr("Search conversations")
                Accessible.name: qsTr("Search conversations")
                selectByMouse: true
                onTextChanged: searchDelay.restart()
                Keys.onEscapePressed: text = ""
                Timer {
                    id: searchDelay
                    interval: 150  // search as one types, not on every key
                    onTriggered: sidebar.conversations.searchText = search.text
                }
            }
            Button {
                text: qsTr("New")
                icon.name: "document-new"
                onClicked: sidebar.controller.newChat()
                Accessible.name: qsTr("New chat")
                ToolTip.visible: hovered
                ToolTip.text: qsTr("New chat (Ctrl+N)")
            }
        }

        ListView {
            id: list
            objectName: "conversationList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            model: sidebar.conversations
            spacing: 2
            reuseItems: true
            Accessible.name: qsTr("Conversations")
            ScrollBar.vertical: ScrollBar {}
            section.property: "section"
            section.delegate: Label {
                required property string section
                text: section
                visible: section !== ""
                height: visible ? implicitHeight : 0
                topPadding: 8
                bottomPadding: 2
                leftPadding: 8
                font.pixelSize: Theme.fontSize - 2
                font.bold: true
                color: Theme.mutedText
            }
            delegate: ConversationDelegate {
                width: list.width
                current: conversationId === sidebar.controller.conversationId
                onOpenRequested: sidebar.controller.openConversation(conversationId)
                onRenameRequested: (title) => sidebar.conversations.rename(conversationId, title)
                onPinRequested: sidebar.conversations.setPinned(conversationId, !pinned)
                onDeleteRequested: sidebar.conversations.remove(conversationId)
                onForkRequested: sidebar.controller.forkConversation(conversationId)
            }
            Label {
                anchors.centerIn: parent
                visible: list.count === 0
                text: sidebar.conversations.searchText !== "" ? qsTr("Nothing found") : qsTr("No conversations yet")
                color: Theme.mutedText
            }
        }

        Rectangle {
            id: undoBanner
            objectName: "undoBanner"
            Layout.fillWidth: true
            visible: sidebar.conversations.canUndoDelete
            implicitHeight: undoRow.implicitHeight + 12
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            RowLayout {
                id: undoRow
                anchors.fill: parent
                anchors.margins: 6
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Deleted “%1”").arg(sidebar.conversations.lastDeletedTitle)
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.text
                }
                Button {
                    objectName: "undoButton"
                    text: qsTr("Undo")
                    onClicked: sidebar.conversations.undoDelete()
                    Accessible.name: qsTr("Undo the delete")
                }
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One conversation in the sidebar: title (editable in place), pin mark, search snippet,
// and a menu to rename, pin or delete.
ItemDelegate {
    id: item
    required property var conversationId
    required property string title
    required property bool pinned
    required property string snippet
    property bool current: false
    property bool editing: false

    signal openRequested()
    signal renameRequested(string title)
    signal pinRequested()
    signal deleteRequested()
    signal forkRequested()

    highlighted: current
    ListView.onReused: editing = false  // a reused delegate must not keep another row's editor
    onClicked: openRequested()
    Accessible.name: qsTr("Conversation %1").arg(title)
    background: Rectangle {
        radius: Theme.radius
        color: item.highlighted ? Theme.selection : item.hovered ? Qt.rgba(0.5, 0.5, 0.5, 0.12) : "transparent"
    }

    contentItem: RowLayout {
        spacing: 6
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2
            Label {
                Layout.fillWidth: true
                visible: !item.editing
                text: (item.pinned ? "★ " : "") + item.title
                textFormat: Text.PlainText
                elide: Text.ElideRight
                color: Theme.text
            }
            TextField {
                id: renameField
                Layout.fillWidth: true
                visible: item.editing
                text: item.title
                Accessible.name: qsTr("New title")
                onAccepted: { item.editing = false; item.renameRequested(text) }
                Keys.onEscapePressed: item.editing = false
            }
            Label {
                Layout.fillWidth: true
                visible: item.snippet !== ""
                text: item.snippet
                textFormat: Text.StyledText  // escaped text with <b> around matches only
                elide: Text.ElideRight
                maximumLineCount: 2
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontSize - 2
                color: Theme.mutedText
            }
        }
        ActionButton {
            text: "⋯"
            onClicked: menu.open()
            Accessible.name: qsTr("Actions for %1").arg(item.title)
            Menu {
                id: menu
                MenuItem {
                    text: qsTr("Rename")
                    Accessible.name: text
                    onTriggered: { item.editing = true; renameField.forceActiveFocus(); renameField.selectAll() }
                }
                MenuItem {
                    text: item.pinned ? qsTr("Unpin") : qsTr("Pin")
                    Accessible.name: text
                    onTriggered: item.pinRequested()
                }
                MenuItem {
                    text: qsTr("Fork")
                    Accessible.name: qsTr("Fork: a new conversation with a copy of the branch shown")
                    onTriggered: item.forkRequested()
                }
                MenuItem {
                    text: qsTr("Delete")
                    Accessible.name: text
                    onTriggered: item.deleteRequested()
                }
            }
        }
    }
}

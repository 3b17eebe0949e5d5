import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// One message: its reasoning (collapsed), its text (Markdown for replies, plain for what
// the user wrote), its state, the sibling switcher, and copy / edit / regenerate.
Item {
    id: delegate
    required property ChatController controller
    required property int index
    required property var messageId
    required property string role
    required property string answer
    required property string shownAnswer  // the answer, cut when it is megabytes long (U1)
    required property string reasoning
    required property string messageState
    required property string errorText
    required property int siblingIndex
    required property int siblingCount
    required property string modelName
    required property string stats
    required property var blocks
    property bool isLast: false
    property bool editing: false
    property bool reasoningOpen: false

    readonly property bool fromUser: role === "user"
    readonly property bool busy: controller.generating

    implicitHeight: column.implicitHeight
    // The list reuses delegates: a reused one must not keep another message's open editor.
    ListView.onReused: { editing = false; reasoningOpen = false }

    signal linkActivated(string link)
    TextMetrics { id: naturalWidth; font: body.font; text: delegate.fromUser ? delegate.shownAnswer : "" }

    ColumnLayout {
        id: column
        x: 24
        width: parent.width - 48
        spacing: 4

        Label {
            text: delegate.fromUser ? qsTr("You") : (delegate.modelName !== "" ? delegate.modelName : qsTr("Assistant"))
            font.bold: true
            color: Theme.mutedText
            Layout.alignment: delegate.fromUser ? Qt.AlignRight : Qt.AlignLeft
        }

        // Reasoning, collapsed by default, with its length.
        ColumnLayout {
            visible: delegate.reasoning !== ""
            Layout.fillWidth: true
            spacing: 2
            ActionButton {
                text: (delegate.reasoningOpen ? "▾ " : "▸ ") + qsTr("Reasoning (%1 characters)").arg(delegate.reasoning.length)
                onClicked: delegate.reasoningOpen = !delegate.reasoningOpen
                Accessible.name: delegate.reasoningOpen ? qsTr("Hide the reasoning") : qsTr("Show the reasoning")
            }
            Rectangle {
                visible: delegate.reasoningOpen
                Layout.fillWidth: true
                implicitHeight: reasoningText.implicitHeight + 16
                radius: Theme.radius
                color: Theme.reasoningBackground
                Text {
                    id: reasoningText
                    x: 8; y: 8
                    width: parent.width - 16
                    text: delegate.reasoning
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.mutedText
                    font.italic: true
                }
            }
        }

        Rectangle {
            id: bubble
            visible: !delegate.editing
            Layout.alignment: delegate.fromUser ? Qt.AlignRight : Qt.AlignLeft
            Layout.maximumWidth: column.width * (delegate.fromUser ? 0.8 : 1.0)
            // A user's bubble fits its text: measured unwrapped, so the width does not depend on itself.
            Layout.preferredWidth: delegate.fromUser ? Math.min(naturalWidth.advanceWidth + 26, column.width * 0.8) : column.width
            implicitHeight: (delegate.fromUser ? body.implicitHeight : blocksColumn.implicitHeight) + 20
            radius: Theme.radius
            color: delegate.fromUser ? Theme.userBubble : Theme.surface
            border.color: delegate.fromUser ? "transparent" : Theme.border
            // What the user wrote, shown as typed.
            TextEdit {
                id: body
                visible: delegate.fromUser
                x: 12; y: 10
                width: parent.width - 24
                readOnly: true
                selectByMouse: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                text: delegate.fromUser ? delegate.shownAnswer : ""
                color: Theme.text
                selectionColor: Theme.accent
                font.pixelSize: Theme.fontSize
                Accessible.name: qsTr("Your message: ") + delegate.shownAnswer
            }
            // A reply: prose as Markdown and each code block in its own box. The repeater's model
            // is a count, so a streamed token re-renders only the block it changed.
            Column {
                id: blocksColumn
                visible: !delegate.fromUser
                x: 12; y: 10
                width: parent.width - 24
                spacing: 8
                Label {
                    visible: delegate.blocks.length === 0
                    text: delegate.messageState === "streaming" ? "…" : ""
                    color: Theme.mutedText
                }
                Repeater {
                    model: delegate.fromUser ? 0 : delegate.blocks.length
                    delegate: MessageBlock {
                        required property int index
                        width: blocksColumn.width
                        block: delegate.blocks[index] ?? ({})
                        onLinkActivated: (link) => delegate.linkActivated(link)
                    }
                }
            }
        }

        // Editing a message adds a new version beside it; the original stays.
        ColumnLayout {
            visible: delegate.editing
            Layout.fillWidth: true
            TextArea {
                id: editor
                Layout.fillWidth: true
                wrapMode: TextEdit.Wrap
                textFormat: TextEdit.PlainText
                Accessible.name: qsTr("Edited message")
                background: Rectangle { radius: Theme.radius; color: Theme.surface; border.color: Theme.accent }
                color: Theme.text
            }
            RowLayout {
                Layout.alignment: Qt.AlignRight
                Button {
                    text: qsTr("Cancel")
                    onClicked: delegate.editing = false
                    Accessible.name: qsTr("Cancel the edit")
                }
                Button {
                    text: qsTr("Save and send")
                    highlighted: true
                    enabled: editor.text.trim() !== ""
                    onClicked: {
                        if (delegate.controller.editMessage(delegate.messageId, editor.text)) delegate.editing = false
                    }
                    Accessible.name: qsTr("Save the edit and send it")
                }
            }
        }

        Label {
            visible: delegate.messageState === "interrupted" || delegate.messageState === "error"
            text: delegate.messageState === "error" ? qsTr("Failed: %1").arg(delegate.errorText) : qsTr("Stopped")
            textFormat: Text.PlainText
            color: delegate.messageState === "error" ? Theme.error : Theme.mutedText
            font.italic: true
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        RowLayout {
            Layout.alignment: delegate.fromUser ? Qt.AlignRight : Qt.AlignLeft
            spacing: 2
            visible: delegate.messageState !== "streaming"
            SiblingSwitcher {
                index: delegate.siblingIndex
                count: delegate.siblingCount
                enabled: !delegate.busy
                onMoveRequested: (delta) => delegate.controller.switchSibling(delegate.messageId, delta)
            }
            ActionButton {
                text: qsTr("Copy")
                onClicked: Clipboard.setText(delegate.answer)
                Accessible.name: qsTr("Copy the message")
            }
            ActionButton {
                visible: delegate.fromUser
                enabled: !delegate.busy
                text: qsTr("Edit")
                onClicked: { editor.text = delegate.answer; delegate.editing = true; editor.forceActiveFocus() }
                Accessible.name: qsTr("Edit the message")
            }
            ActionButton {
                visible: !delegate.fromUser
                enabled: !delegate.busy
                text: qsTr("Regenerate")
                onClicked: delegate.controller.regenerate(delegate.messageId)
                Accessible.name: qsTr("Regenerate the reply")
            }
            Label {
                visible: delegate.stats !== ""
                text: delegate.stats
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize - 2
                leftPadding: 8
            }
        }
    }
}

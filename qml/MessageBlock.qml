import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// One block of a reply: prose rendered as Markdown, or a code block in a monospace box
// with its language, syntax colouring and a copy button.
Item {
    id: item
    property var block: ({})
    readonly property bool code: block.code === true
    signal linkActivated(string link)
    implicitHeight: code ? codeBox.implicitHeight : prose.implicitHeight

    TextEdit {
        id: prose
        objectName: "prose"
        visible: !item.code
        width: parent.width
        readOnly: true
        selectByMouse: true
        wrapMode: TextEdit.Wrap
        // Set explicitly: Markdown rendering never fetches anything (U4).
        // Prose too long or too deeply nested for Markdown layout comes marked plain (U6).
        textFormat: item.block.plain === true ? TextEdit.PlainText : TextEdit.MarkdownText
        text: item.code ? "" : (item.block.text ?? "")
        color: Theme.text
        selectionColor: Theme.accent
        font.pixelSize: Theme.fontSize
        onLinkActivated: (link) => item.linkActivated(link)
        Accessible.name: qsTr("Reply text: %1").arg(text)
    }

    Rectangle {
        id: codeBox
        visible: item.code
        width: parent.width
        implicitHeight: codeHeader.height + codeText.implicitHeight + 16
        radius: 6
        color: Theme.codeBackground
        border.color: Theme.border
        RowLayout {
            id: codeHeader
            x: 10
            width: parent.width - 14
            height: 28
            Label {
                Layout.fillWidth: true
                text: item.block.language || qsTr("code")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSize - 2
            }
            ActionButton {
                text: qsTr("Copy")
                onClicked: Clipboard.setText(item.block.text)
                Accessible.name: qsTr("Copy the code")
            }
        }
        TextEdit {
            id: codeText
            objectName: "code"
            x: 10
            y: codeHeader.height + 4
            width: parent.width - 20
            readOnly: true
            selectByMouse: true
            wrapMode: TextEdit.WrapAnywhere
            textFormat: TextEdit.PlainText
            text: item.code ? item.block.text : ""
            font.family: Theme.monoFont
            font.pixelSize: Theme.fontSize - 1
            color: Theme.text
            selectionColor: Theme.accent
            Accessible.name: qsTr("Code: %1").arg(text)
            CodeHighlighter {
                objectName: "codeHighlighter"
                document: codeText.textDocument
                language: item.code ? (item.block.language ?? "") : ""
                dark: Theme.dark
            }
        }
    }
}

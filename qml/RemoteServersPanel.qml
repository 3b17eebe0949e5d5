import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The models page's remote servers (vLLM, TensorRT-LLM, llama.cpp's server, exo: for models
// too big for this machine): each with its address and the models it serves, Edit and
// Remove; "Add server…" opens the form. Their models are chosen in the header's picker.
ColumnLayout {
    id: panel
    required property RemoteServers servers
    signal editRequested(var server)  // {} for a new one
    spacing: 4

    RowLayout {
        Layout.fillWidth: true
        Label {
            Layout.fillWidth: true
            text: qsTr("Remote servers")
            font.bold: true
            font.pixelSize: Theme.fontSize + 1
            color: Theme.text
        }
        Button {
            objectName: "addServerButton"
            text: qsTr("Add server…")
            onClicked: panel.editRequested({})
            Accessible.name: qsTr("Add a remote OpenAI-compatible server")
            ToolTip.visible: hovered
            ToolTip.text: qsTr("Chat with a model served elsewhere (vLLM, TensorRT-LLM, llama.cpp, exo)")
        }
    }
    Label {
        Layout.fillWidth: true
        visible: serverList.count === 0
        text: qsTr("None yet. A model too big for this machine can run on a server; its models then appear in the model picker.")
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontSize - 2
        color: Theme.mutedText
    }
    ListView {
        id: serverList
        objectName: "serverList"
        Layout.fillWidth: true
        Layout.preferredHeight: Math.min(contentHeight, 200)
        visible: count > 0
        clip: true
        spacing: 4
        model: panel.servers
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Remote servers")
        ScrollBar.vertical: ScrollBar {}
        delegate: Rectangle {
            id: row
            required property var serverId
            required property string name
            required property string baseUrl
            required property bool hasKey
            required property var models
            required property int firstByteTimeout
            required property int idleTimeout
            width: serverList.width
            implicitHeight: rowLayout.implicitHeight + 12
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            Accessible.name: qsTr("Server %1 at %2").arg(name).arg(baseUrl)
            ColumnLayout {
                id: rowLayout
                anchors.fill: parent
                anchors.margins: 6
                spacing: 1
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        text: row.name
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.bold: true
                        color: Theme.text
                    }
                    ToolButton {
                        objectName: "editServerButton"
                        text: qsTr("Edit")
                        onClicked: panel.editRequested({ serverId: row.serverId, name: row.name, baseUrl: row.baseUrl,
                                                         hasKey: row.hasKey, models: row.models,
                                                         firstByteTimeout: row.firstByteTimeout, idleTimeout: row.idleTimeout })
                        Accessible.name: qsTr("Edit %1").arg(row.name)
                    }
                    ToolButton {
                        objectName: "removeServerButton"
                        text: qsTr("Remove")
                        onClicked: panel.servers.remove(row.serverId)
                        Accessible.name: qsTr("Remove %1 and its API key").arg(row.name)
                    }
                }
                Label {
                    Layout.fillWidth: true
                    text: row.baseUrl + (row.hasKey ? qsTr(" · API key kept") : "")
                    textFormat: Text.PlainText
                    elide: Text.ElideMiddle
                    font.pixelSize: Theme.fontSize - 2
                    color: Theme.mutedText
                }
                // One line per model (the picker offers them), a few at most.
                Repeater {
                    model: row.models.slice(0, 4)
                    Label {
                        required property string modelData
                        Layout.fillWidth: true
                        text: "• " + modelData
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.text
                    }
                }
                Label {
                    objectName: "serverModels"
                    Layout.fillWidth: true
                    visible: text !== ""
                    text: row.models.length === 0 ? qsTr("no models listed: edit and test the connection")
                          : row.models.length > 4 ? qsTr("and %1 more").arg(row.models.length - 4) : ""
                    font.pixelSize: Theme.fontSize - 2
                    color: row.models.length === 0 ? Theme.error : Theme.mutedText
                }
            }
        }
    }
    Label {
        objectName: "serversError"
        Layout.fillWidth: true
        visible: text !== ""
        text: panel.servers.errorText
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        font.pixelSize: Theme.fontSize - 2
        color: Theme.error
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// Adding or editing a remote OpenAI-compatible server: name, address, API key (kept in the
// secret store, never in the history), the time limits, and "Test connection", which asks
// the server for its models and says plainly why when it cannot. Plain http to another
// machine needs the user's consent (the key would travel in clear). Saved only with the
// models a test listed, so the picker has something to offer.
Dialog {
    id: dialog
    required property RemoteServers servers
    property var serverId: 0   // 0: a new server
    property bool hadKey: false
    readonly property string problem: servers.urlProblem(urlField.text, consent.checked)
    readonly property bool needsConsent: servers.needsPlainHttpConsent(urlField.text)
    // The models of the last test, or the saved ones while no test was made.
    property var models: []

    function openFor(server) {
        serverId = server.serverId || 0
        hadKey = server.hasKey || false
        nameField.text = server.name || ""
        urlField.text = server.baseUrl || ""
        keyField.text = ""
        forgetKey.checked = false
        consent.checked = serverId !== 0 && servers.needsPlainHttpConsent(urlField.text)
        firstByte.value = server.firstByteTimeout || 60
        idle.value = server.idleTimeout || 30
        models = server.models || []
        servers.clearTest()
        servers.clearError()
        open()
    }

    anchors.centerIn: parent
    width: Math.min(560, parent ? parent.width - 40 : 560)
    modal: true
    title: serverId === 0 ? qsTr("Add a remote server") : qsTr("Edit %1").arg(nameField.text)

    Connections {
        target: dialog.servers
        function onTestChanged() { if (dialog.servers.testPassed) dialog.models = dialog.servers.testModels }
    }

    ColumnLayout {
        width: dialog.availableWidth
        spacing: 6
        Label { text: qsTr("Name"); color: Theme.text }
        TextField {
            id: nameField
            objectName: "serverNameField"
            Layout.fillWidth: true
            placeholderText: qsTr("GPU cluster")
            selectByMouse: true
            Accessible.name: qsTr("Server name")
        }
        Label { text: qsTr("Address (OpenAI-compatible API)"); color: Theme.text }
        TextField {
            id: urlField
            objectName: "serverUrlField"
            Layout.fillWidth: true
            placeholderText: "https://gpu-box:8000/v1"
            selectByMouse: true
            inputMethodHints: Qt.ImhUrlCharactersOnly
            Accessible.name: qsTr("Server address")
        }
        CheckBox {
            id: consent
            objectName: "plainHttpConsent"
            visible: dialog.needsConsent
            Layout.fillWidth: true
            text: qsTr("Send the API key and the chat unencrypted over plain http")
            Accessible.name: text
        }
        Label {
            objectName: "serverUrlProblem"
            Layout.fillWidth: true
            visible: urlField.text !== "" && dialog.problem !== ""
            text: dialog.problem
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize - 2
            color: Theme.error
        }
        Label { text: qsTr("API key (optional)"); color: Theme.text }
        TextField {
            id: keyField
            objectName: "serverKeyField"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            placeholderText: dialog.hadKey && !forgetKey.checked ? qsTr("kept; type a new one to replace it") : qsTr("none")
            selectByMouse: true
            Accessible.name: qsTr("API key")
        }
        CheckBox {
            id: forgetKey
            objectName: "forgetKey"
            visible: dialog.hadKey
            text: qsTr("Forget the kept key")
            Accessible.name: text
        }
        Label {
            Layout.fillWidth: true
            text: qsTr("The key is kept in %1, never in the history.").arg(dialog.servers.keyLocation)
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize - 3
            color: Theme.mutedText
        }
        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("Wait for the first byte"); color: Theme.text }
            SpinBox {
                id: firstByte
                objectName: "firstByteTimeout"
                from: 1; to: 3600; value: 60; editable: true
                Accessible.name: qsTr("Seconds to wait for the server's first byte")
            }
            Label { text: qsTr("s; silence allowed"); color: Theme.text }
            SpinBox {
                id: idle
                objectName: "idleTimeout"
                from: 1; to: 3600; value: 30; editable: true
                Accessible.name: qsTr("Seconds of silence allowed in the middle of a reply")
            }
            Label { text: qsTr("s"); color: Theme.text }
        }
        RowLayout {
            Layout.fillWidth: true
            Button {
                objectName: "testConnectionButton"
                text: qsTr("Test connection")
                enabled: dialog.problem === "" && !dialog.servers.testing
                onClicked: dialog.servers.testConnection(urlField.text, keyField.text, consent.checked,
                                                         forgetKey.checked ? 0 : dialog.serverId, firstByte.value)
                Accessible.name: qsTr("Test the connection and list the server's models")
            }
            BusyIndicator { visible: dialog.servers.testing; running: visible; implicitWidth: 24; implicitHeight: 24 }
            Label {
                objectName: "testMessage"
                Layout.fillWidth: true
                text: dialog.servers.testMessage
                wrapMode: Text.Wrap
                textFormat: Text.PlainText
                color: dialog.servers.testPassed ? Theme.success : dialog.servers.testing ? Theme.mutedText : Theme.error
                Accessible.name: qsTr("Connection test: %1").arg(text)
            }
        }
        Label {
            objectName: "serverModelList"
            Layout.fillWidth: true
            visible: dialog.models.length > 0
            text: qsTr("Models: %1").arg(dialog.models.join(", "))
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            color: Theme.text
        }
        Label {
            objectName: "saveProblem"
            Layout.fillWidth: true
            visible: text !== ""
            text: dialog.servers.errorText
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            color: Theme.error
        }
    }
    footer: DialogButtonBox {
        Button {
            objectName: "saveServerButton"
            text: qsTr("Save")
            enabled: nameField.text.trim() !== "" && dialog.problem === "" && dialog.models.length > 0
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            Accessible.name: qsTr("Save the server")
            ToolTip.visible: hovered && !enabled
            ToolTip.text: qsTr("Give it a name and test the connection first")
        }
        Button {
            objectName: "cancelServerButton"
            text: qsTr("Cancel")
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
            Accessible.name: text
        }
    }
    onAccepted: {
        const id = servers.save(serverId, nameField.text, urlField.text, keyField.text, forgetKey.checked, consent.checked,
                                firstByte.value, idle.value, models)
        if (id === 0) open()  // kept open with the reason shown
        keyField.text = ""
    }
    onRejected: servers.clearTest()
}

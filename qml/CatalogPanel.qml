import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The Hugging Face catalog on the models page: search (answers cached, so it still lists
// offline), the repositories found (the bundled Nemotron-NAS / DeciLM ones before any search),
// and a repository's .gguf files with their size and a Download button. Each file says whether
// it will fit this machine (from its header, read before downloading) and the best one for
// this machine is marked recommended. Models too large for one machine say so and point to
// running them on a server.
Rectangle {
    id: panel
    required property Downloads downloads
    property MachineMemory machine: null
    readonly property bool showingFiles: downloads.filesRepo !== ""
    property string shownRepo: ""
    color: Theme.sidebar

    Component.onCompleted: downloads.searchCatalog("")
    Binding { target: panel.downloads; property: "machine"; value: panel.machine; when: panel.machine !== null }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Label {
            text: qsTr("Hugging Face catalog")
            font.bold: true
            font.pixelSize: Theme.fontSize + 1
            color: Theme.text
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: query
                objectName: "catalogSearchField"
                Layout.fillWidth: true
                placeholderText: qsTr("Search models, e.g. Nemotron")
                selectByMouse: true
                Accessible.name: qsTr("Search the Hugging Face catalog")
                onAccepted: searchButton.clicked()
            }
            Button {
                id: searchButton
                objectName: "catalogSearchButton"
                text: qsTr("Search")
                Accessible.name: qsTr("Search the catalog")
                onClicked: { panel.shownRepo = ""; panel.downloads.searchCatalog(query.text) }
            }
        }
        // The Hugging Face token for gated repositories: kept in the secret store, never shown again.
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: tokenField
                objectName: "hubTokenField"
                Layout.fillWidth: true
                echoMode: TextInput.Password
                placeholderText: panel.downloads.hubTokenSet ? qsTr("Token saved; type a new one to replace it")
                                                              : qsTr("Hugging Face token (for gated repositories)")
                Accessible.name: qsTr("Hugging Face token")
                onAccepted: saveTokenButton.clicked()
            }
            Button {
                id: saveTokenButton
                objectName: "hubTokenSaveButton"
                text: tokenField.text === "" && panel.downloads.hubTokenSet ? qsTr("Remove") : qsTr("Save")
                enabled: tokenField.text !== "" || panel.downloads.hubTokenSet
                Accessible.name: text === qsTr("Remove") ? qsTr("Remove the Hugging Face token") : qsTr("Save the Hugging Face token")
                onClicked: { panel.downloads.setHubToken(tokenField.text); tokenField.text = "" }
            }
        }
        Label {
            objectName: "hubTokenLocation"
            Layout.fillWidth: true
            visible: panel.downloads.hubTokenSet
            text: qsTr("Token kept in %1; sent to the catalog's address only.").arg(panel.downloads.hubTokenLocation)
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize - 2
            color: Theme.mutedText
        }
        Label {
            objectName: "catalogStatus"
            Layout.fillWidth: true
            visible: text !== ""
            text: panel.downloads.catalogBusy ? qsTr("Asking the catalog…") : panel.downloads.catalogStatus
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize - 2
            color: panel.downloads.catalogBusy ? Theme.mutedText : Theme.warning
        }
        RowLayout {
            Layout.fillWidth: true
            visible: panel.shownRepo !== ""
            Button {
                objectName: "catalogBackButton"
                text: qsTr("‹ Repositories")
                flat: true
                Accessible.name: qsTr("Back to the repositories")
                onClicked: panel.shownRepo = ""
            }
            Label {
                Layout.fillWidth: true
                text: panel.shownRepo
                textFormat: Text.PlainText
                elide: Text.ElideMiddle
                font.bold: true
                color: Theme.text
            }
        }

        ListView {
            id: repoList
            objectName: "catalogRepos"
            visible: panel.shownRepo === ""
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: panel.downloads.catalogRepos
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Repositories")
            ScrollBar.vertical: ScrollBar {}
            delegate: ItemDelegate {
                id: repoEntry
                required property var modelData
                width: repoList.width
                Accessible.name: qsTr("Repository %1").arg(modelData.repo)
                onClicked: { panel.shownRepo = modelData.repo; panel.downloads.showRepoFiles(modelData.repo) }
                background: Rectangle {
                    radius: Theme.radius
                    color: repoEntry.hovered ? Qt.rgba(0.5, 0.5, 0.5, 0.12) : "transparent"
                }
                contentItem: ColumnLayout {
                    spacing: 1
                    Label {
                        Layout.fillWidth: true
                        text: repoEntry.modelData.repo
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: text !== ""
                        text: [repoEntry.modelData.billions > 0 ? qsTr("%1 B parameters").arg(repoEntry.modelData.billions) : "",
                               repoEntry.modelData.downloads >= 0 ? qsTr("%1 downloads").arg(Format.count(repoEntry.modelData.downloads)) : ""]
                              .filter(s => s !== "").join(" · ")
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.mutedText
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: repoEntry.modelData.multiMachine
                        text: qsTr("Needs more than one machine: run it on a server")
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.error
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                visible: repoList.count === 0 && !panel.downloads.catalogBusy
                text: qsTr("No repositories found.")
                color: Theme.mutedText
            }
        }

        ListView {
            id: fileList
            objectName: "catalogFiles"
            visible: panel.shownRepo !== ""
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: panel.downloads.filesRepo === panel.shownRepo ? panel.downloads.catalogFiles : []
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Files of %1").arg(panel.shownRepo)
            ScrollBar.vertical: ScrollBar {}
            delegate: RowLayout {
                id: fileEntry
                required property var modelData
                width: fileList.width
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 1
                    Label {
                        Layout.fillWidth: true
                        text: fileEntry.modelData.path
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        color: Theme.text
                    }
                    Label {
                        Layout.fillWidth: true
                        text: Format.bytes(fileEntry.modelData.size)
                              + (fileEntry.modelData.verified ? qsTr(" · SHA-256 checked") : qsTr(" · no hash to check"))
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.mutedText
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: fileEntry.modelData.multiMachine
                        text: qsTr("Needs more than one machine: run it on a server")
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.error
                    }
                    Label {
                        objectName: "catalogFileFit"
                        Layout.fillWidth: true
                        readonly property string state: fileEntry.modelData.fitState || ""
                        visible: text !== ""
                        text: state === "reading" ? qsTr("Reading its header…")
                              : state === "failed" ? fileEntry.modelData.fitError
                              : (fileEntry.modelData.fitText || "")
                                + (fileEntry.modelData.splitParts > 1
                                   ? qsTr(" · split in %1 parts (header of part 1 read)").arg(fileEntry.modelData.splitParts) : "")
                        wrapMode: Text.Wrap
                        textFormat: Text.PlainText
                        font.pixelSize: Theme.fontSize - 2
                        color: state === "failed" ? Theme.warning
                               : fileEntry.modelData.fitKind === "tooBig" ? Theme.error
                               : fileEntry.modelData.fitKind === "gpu" || fileEntry.modelData.fitKind === "ram" ? Theme.success
                               : Theme.mutedText
                    }
                    Label {
                        objectName: "catalogRecommended"
                        visible: fileEntry.modelData.recommended === true
                        text: qsTr("★ Recommended for this machine")
                        font.pixelSize: Theme.fontSize - 2
                        font.bold: true
                        color: Theme.accent
                    }
                }
                Button {
                    objectName: "catalogDownloadButton"
                    text: qsTr("Download")
                    Accessible.name: qsTr("Download %1").arg(fileEntry.modelData.path)
                    onClicked: panel.downloads.add(panel.shownRepo + "/" + fileEntry.modelData.path)
                }
            }
            Label {
                anchors.centerIn: parent
                visible: fileList.count === 0 && !panel.downloads.catalogBusy
                text: qsTr("No .gguf files in this repository.")
                color: Theme.mutedText
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Tessera.Core

// The models page: the installed models on the left, with the remote servers and import below
// them; the chosen model's details in the middle (facts, layer map, will it fit), with load
// and delete; the downloads and the Hugging Face catalog on the right.
Rectangle {
    id: page
    required property ChatController controller
    readonly property ModelCatalogModel models: controller.models
    readonly property ModelLibrary library: controller.library
    property alias details: details
    property alias currentRow: list.currentIndex
    // RAM and GPU memory together (software Vulkan devices share the RAM): a file larger than
    // this needs more than one machine whatever the context.
    readonly property real machineTotal: {
        let total = 0
        for (const p of machineMemory.pools) if (!p.software) total += p.total
        return total
    }
    color: Theme.window

    // Read when the page is shown (free memory changes; Vulkan start-up is not paid at app
    // start), and the chosen file only while the page is shown.
    MachineMemory { id: machineMemory }
    onVisibleChanged: if (visible) machineMemory.refresh()
    Component.onCompleted: if (visible) machineMemory.refresh()
    ModelDetails {
        id: details
        machine: machineMemory
        path: page.visible && list.currentItem ? list.currentItem.modelPath : ""
        onStatusChanged: if (status === ModelDetails.Ready) page.models.recordDetails(details)
    }

    function selectPath(path) {
        const row = models.rowOfPath(path)
        if (row >= 0) list.currentIndex = row
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        // Installed models and import.
        Rectangle {
            Layout.preferredWidth: 340
            Layout.fillHeight: true
            color: Theme.sidebar
            ColumnLayout {
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing
                Label {
                    text: qsTr("Installed models")
                    font.bold: true
                    font.pixelSize: Theme.fontSize + 1
                    color: Theme.text
                }
                ListView {
                    id: list
                    objectName: "installedModels"
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    clip: true
                    model: page.models.localModels  // remote models are listed under their server
                    spacing: 2
                    currentIndex: 0
                    keyNavigationEnabled: true
                    Accessible.role: Accessible.List
                    Accessible.name: qsTr("Installed models")
                    ScrollBar.vertical: ScrollBar {}
                    delegate: ItemDelegate {
                        id: entry
                        required property int index
                        required property string name
                        required property string path
                        required property var size
                        required property bool present
                        required property string architecture
                        required property var parameterCount
                        required property string quantization
                        required property var lastUsed
                        readonly property string modelPath: path
                        readonly property bool needsServer: page.machineTotal > 0 && size > page.machineTotal
                        width: list.width
                        highlighted: ListView.isCurrentItem
                        onClicked: list.currentIndex = index
                        Accessible.name: qsTr("Model %1").arg(name)
                        background: Rectangle {
                            radius: Theme.radius
                            color: entry.highlighted ? Theme.selection : entry.hovered ? Qt.rgba(0.5, 0.5, 0.5, 0.12) : "transparent"
                        }
                        contentItem: ColumnLayout {
                            spacing: 1
                            Label {
                                Layout.fillWidth: true
                                text: entry.name
                                textFormat: Text.PlainText
                                elide: Text.ElideRight
                                font.bold: true
                                color: Theme.text
                            }
                            Label {
                                Layout.fillWidth: true
                                text: !entry.present ? qsTr("file missing")
                                      : [entry.architecture,
                                         entry.parameterCount > 0 ? qsTr("%1 parameters").arg(Format.count(entry.parameterCount)) : "",
                                         entry.quantization, Format.bytes(entry.size)].filter(s => s !== "").join(" · ")
                                elide: Text.ElideRight
                                font.pixelSize: Theme.fontSize - 2
                                color: entry.present ? Theme.mutedText : Theme.error
                            }
                            Label {
                                Layout.fillWidth: true
                                visible: entry.needsServer
                                text: qsTr("Needs more than one machine: run it on a server")
                                elide: Text.ElideRight
                                font.pixelSize: Theme.fontSize - 2
                                color: Theme.error
                            }
                            Label {
                                Layout.fillWidth: true
                                text: qsTr("last used %1").arg(Format.date(entry.lastUsed))
                                elide: Text.ElideRight
                                font.pixelSize: Theme.fontSize - 3
                                color: Theme.mutedText
                            }
                        }
                    }
                    Label {
                        anchors.centerIn: parent
                        visible: list.count === 0
                        text: qsTr("No models yet: import a GGUF file below.")
                        color: Theme.mutedText
                    }
                }

                Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }
                RemoteServersPanel {
                    objectName: "remoteServersPanel"
                    Layout.fillWidth: true
                    servers: page.controller.remoteServers
                    onEditRequested: (server) => addServerDialog.openFor(server)
                }

                // Import a file or folder: copied into the models folder, or used where it is.
                Rectangle { Layout.fillWidth: true; implicitHeight: 1; color: Theme.border }
                Label {
                    Layout.fillWidth: true  // wraps inside the column instead of running under the details
                    text: qsTr("Import a GGUF file or folder, or a Hugging Face checkpoint")
                    wrapMode: Text.Wrap
                    font.bold: true
                    color: Theme.text
                }
                TextField {
                    id: importPath
                    objectName: "importPathField"
                    Layout.fillWidth: true
                    placeholderText: qsTr("/path/to/model.gguf or a folder")
                    selectByMouse: true
                    enabled: !page.library.busy
                    Accessible.name: qsTr("Path of the file or folder to import")
                    onAccepted: importButton.clicked()
                }
                RowLayout {
                    Layout.fillWidth: true
                    Button {
                        objectName: "chooseFileButton"
                        text: qsTr("Choose a file…")
                        enabled: !page.library.busy
                        onClicked: fileDialog.open()
                        Accessible.name: qsTr("Choose a GGUF file to import")
                    }
                    Button {
                        objectName: "chooseFolderButton"
                        text: qsTr("Choose a folder…")
                        enabled: !page.library.busy
                        onClicked: folderDialog.open()
                        Accessible.name: qsTr("Choose a folder of GGUF files to import")
                    }
                }
                // A checkpoint folder (config.json + safetensors) is converted, to a type chosen here.
                readonly property bool isCheckpoint: page.library.isCheckpointFolder(importPath.text.trim())
                RowLayout {
                    Layout.fillWidth: true
                    visible: parent.isCheckpoint
                    Label { text: qsTr("Convert to"); color: Theme.text }
                    ComboBox {
                        id: convertType
                        objectName: "convertTypeBox"
                        Layout.fillWidth: true
                        textRole: "label"
                        valueRole: "type"
                        model: [
                            { type: "", label: qsTr("f16 / bf16, as the checkpoint is (largest, exact)") },
                            { type: "q8_0", label: qsTr("q8_0 (8-bit, near exact)") },
                            { type: "q6_k", label: qsTr("q6_k (6-bit)") },
                            { type: "q5_k_m", label: qsTr("q5_k_m (5-bit mix)") },
                            { type: "q4_k_m", label: qsTr("q4_k_m (4-bit mix, the usual choice)") },
                            { type: "q3_k_m", label: qsTr("q3_k_m (3-bit mix)") },
                            { type: "q2_k", label: qsTr("q2_k (2-bit, smallest)") }
                        ]
                        enabled: !page.library.busy
                        Accessible.name: qsTr("Type to convert the checkpoint to")
                    }
                }
                RadioButton {
                    id: copyChoice
                    objectName: "copyChoice"
                    visible: !parent.isCheckpoint
                    text: qsTr("Copy into the models folder")
                    checked: true
                    enabled: !page.library.busy
                    Accessible.name: text
                }
                RadioButton {
                    objectName: "referenceChoice"
                    visible: !parent.isCheckpoint
                    text: qsTr("Use the file where it is")
                    enabled: !page.library.busy
                    Accessible.name: text
                }
                RowLayout {
                    Layout.fillWidth: true
                    Button {
                        id: importButton
                        objectName: "importButton"
                        text: qsTr("Import")
                        enabled: !page.library.busy && importPath.text.trim() !== ""
                        Accessible.name: qsTr("Import")
                        onClicked: if (page.library.importPath(importPath.text, copyChoice.checked, convertType.currentValue)) importPath.text = ""
                    }
                    ProgressBar {
                        objectName: "importProgress"
                        visible: page.library.busy
                        Layout.fillWidth: true
                        from: 0
                        to: 1
                        value: page.library.progress
                        Accessible.name: qsTr("Import progress: %1 %").arg(Math.round(value * 100))
                    }
                    Button {
                        visible: page.library.busy
                        text: qsTr("Cancel")
                        onClicked: page.library.cancelImport()
                        Accessible.name: qsTr("Cancel the import")
                    }
                }
                Label {
                    objectName: "libraryStatus"
                    Layout.fillWidth: true
                    visible: text !== ""
                    text: page.library.statusText
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                    font.pixelSize: Theme.fontSize - 2
                    color: Theme.mutedText
                }
                Label {
                    objectName: "libraryError"
                    Layout.fillWidth: true
                    visible: text !== ""
                    text: page.library.errorText
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                    font.pixelSize: Theme.fontSize - 2
                    color: Theme.error
                    Accessible.name: qsTr("Import error: %1").arg(text)
                }
                Label {
                    Layout.fillWidth: true
                    text: qsTr("Models folder: %1").arg(page.library.modelsFolder)
                    elide: Text.ElideMiddle
                    font.pixelSize: Theme.fontSize - 3
                    color: Theme.mutedText
                }
            }
        }
        Rectangle { Layout.fillHeight: true; implicitWidth: 1; color: Theme.border }

        // The chosen model.
        ScrollView {
            id: detailsScroll
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                width: detailsScroll.availableWidth - 2 * 20
                x: 20
                spacing: 14

                Item { implicitHeight: 4 }
                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        objectName: "detailsTitle"
                        Layout.fillWidth: true
                        text: details.path === "" ? qsTr("No model chosen") : details.name
                        textFormat: Text.PlainText
                        elide: Text.ElideRight
                        font.bold: true
                        font.pixelSize: Theme.fontSize + 6
                        color: Theme.text
                    }
                    Button {
                        objectName: "loadButton"
                        visible: details.path !== ""
                        enabled: details.status === ModelDetails.Ready && !page.controller.generating
                                 && page.controller.engine.state !== Engine.Loading
                                 && page.controller.engine.modelPath !== details.path
                        text: page.controller.engine.modelPath === details.path ? qsTr("Loaded") : qsTr("Load")
                        Accessible.name: qsTr("Load %1").arg(details.name)
                        onClicked: {
                            const path = page.models.use(list.currentIndex)
                            if (path !== "") { page.controller.engine.load(path); page.selectPath(path) }
                        }
                    }
                    Button {
                        objectName: "deleteButton"
                        visible: details.path !== ""
                        enabled: page.controller.engine.modelPath !== details.path
                        text: qsTr("Delete…")
                        Accessible.name: qsTr("Delete %1").arg(details.name)
                        ToolTip.visible: hovered && !enabled
                        ToolTip.text: qsTr("Load another model before deleting this one")
                        onClicked: deleteDialog.ask(details.path, details.name)
                    }
                }

                Label {
                    visible: details.status === ModelDetails.Reading
                    text: qsTr("Reading the file…")
                    color: Theme.mutedText
                }
                Label {
                    objectName: "detailsError"
                    Layout.fillWidth: true
                    visible: details.status === ModelDetails.Failed
                    text: qsTr("This file cannot be used: %1").arg(details.errorText)
                    wrapMode: Text.Wrap
                    textFormat: Text.PlainText
                    color: Theme.error
                }

                GridLayout {
                    visible: details.status === ModelDetails.Ready
                    columns: 2
                    columnSpacing: 16
                    rowSpacing: 3
                    Layout.fillWidth: true
                    Label { text: qsTr("Architecture"); color: Theme.mutedText }
                    Label { objectName: "architectureLabel"; text: details.architecture; color: Theme.text }
                    Label { text: qsTr("Parameters"); color: Theme.mutedText }
                    Label { text: Format.count(details.parameterCount); color: Theme.text }
                    Label { text: qsTr("Quantization"); color: Theme.mutedText }
                    Label { text: details.quantization; color: Theme.text }
                    Label { text: qsTr("Size"); color: Theme.mutedText }
                    Label { text: Format.bytes(details.fileSize); color: Theme.text }
                    Label { text: qsTr("Shape"); color: Theme.mutedText }
                    Label { Layout.fillWidth: true; text: details.shape; wrapMode: Text.Wrap; color: Theme.text }
                    Label { text: qsTr("File"); color: Theme.mutedText }
                    Label {
                        Layout.fillWidth: true
                        text: details.path + (page.library.isInModelsFolder(details.path) ? "" : qsTr("  (outside the models folder)"))
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        color: Theme.text
                    }
                }

                Label {
                    visible: details.status === ModelDetails.Ready
                    text: qsTr("Layer map")
                    font.bold: true
                    font.pixelSize: Theme.fontSize + 1
                    color: Theme.text
                }
                LayerMap {
                    objectName: "layerMap"
                    visible: details.status === ModelDetails.Ready
                    Layout.fillWidth: true
                    layers: details.layers
                }

                Label {
                    visible: details.status === ModelDetails.Ready
                    text: qsTr("Will it fit?")
                    font.bold: true
                    font.pixelSize: Theme.fontSize + 1
                    color: Theme.text
                }
                FitView {
                    objectName: "fitView"
                    visible: details.status === ModelDetails.Ready
                    Layout.fillWidth: true
                    fit: details.fit
                }
                Item { implicitHeight: 12 }
            }
        }
        Rectangle { Layout.fillHeight: true; implicitWidth: 1; color: Theme.border }

        // Downloads above, the catalog to download from below.
        Item {
            Layout.preferredWidth: 360
            Layout.fillHeight: true
            DownloadsPanel {
                objectName: "downloadsPanel"
                anchors { left: parent.left; right: parent.right; top: parent.top; bottom: catalogBorder.top }
                downloads: page.controller.downloads
            }
            Rectangle {
                id: catalogBorder
                anchors { left: parent.left; right: parent.right; bottom: catalogPanel.top }
                height: 1
                color: Theme.border
            }
            CatalogPanel {
                id: catalogPanel
                objectName: "catalogPanel"
                anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
                height: Math.round(parent.height * 0.45)
                downloads: page.controller.downloads
                machine: machineMemory
            }
        }
    }

    AddServerDialog {
        id: addServerDialog
        objectName: "addServerDialog"
        servers: page.controller.remoteServers
    }

    // The pickers only fill in the path: what to do with it is chosen below it.
    FileDialog {
        id: fileDialog
        objectName: "fileDialog"
        title: qsTr("Choose a GGUF file")
        nameFilters: [qsTr("GGUF models (*.gguf)"), qsTr("All files (*)")]
        onAccepted: importPath.text = page.library.localPath(selectedFile)
    }
    FolderDialog {
        id: folderDialog
        objectName: "folderDialog"
        title: qsTr("Choose a folder of GGUF files")
        onAccepted: importPath.text = page.library.localPath(selectedFolder)
    }

    // Asks before deleting. A file in the models folder is deleted with its entry; for a file
    // kept elsewhere the user chooses between deleting the file and removing only the entry.
    Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        property string path
        property string name
        readonly property bool inFolder: page.library.isInModelsFolder(path)
        function ask(p, n) { path = p; name = n; open() }

        anchors.centerIn: parent
        width: 520
        modal: true
        title: qsTr("Delete %1?").arg(name)
        Label {
            width: deleteDialog.availableWidth
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            color: Theme.text
            text: deleteDialog.inFolder
                  ? qsTr("The file is deleted from the models folder and from the list:\n%1").arg(deleteDialog.path)
                  : qsTr("The file is outside the models folder:\n%1\nDelete the file itself, or only remove it from the list?").arg(deleteDialog.path)
        }
        footer: DialogButtonBox {
            Button {
                objectName: "deleteFileButton"
                text: qsTr("Delete the file")
                DialogButtonBox.buttonRole: DialogButtonBox.DestructiveRole
                Accessible.name: text
                onClicked: { page.library.removeModel(deleteDialog.path, true); deleteDialog.close() }
            }
            Button {
                objectName: "removeEntryButton"
                visible: !deleteDialog.inFolder
                text: qsTr("Only remove from the list")
                DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
                Accessible.name: text
                onClicked: { page.library.removeModel(deleteDialog.path, false); deleteDialog.close() }
            }
            Button {
                objectName: "cancelDeleteButton"
                text: qsTr("Cancel")
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
                Accessible.name: text
            }
        }
    }
}

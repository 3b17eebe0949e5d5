import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The settings page: the engine (device, threads, GPU offload, default context: applied by
// reloading the model after the user confirms; the chat stays as it is), the look (theme and
// font size, applied at once), the local API server (on/off, port, token: applied at once),
// the data folder (used at the next start), backup and export.
Rectangle {
    id: page
    required property ChatController controller
    readonly property AppSettings settings: controller.settings
    readonly property DeviceListModel devices: controller.devices
    readonly property DataActions actions: controller.dataActions
    readonly property LocalServer server: controller.localServer
    color: Theme.window

    // Vulkan start-up is paid when the page is first shown, not at app start, and off the GUI thread.
    onVisibleChanged: if (visible && devices.rowCount() === 0 && !devices.loading) devices.refresh()
    Component.onCompleted: if (visible) devices.refresh()

    // The engine settings as edited, applied together by "Apply".
    property string draftDevice: settings.device
    property string draftThreads: String(settings.threads)
    property string draftOffload: settings.gpuOffload
    property string draftContext: String(settings.contextLength)
    function resetDraft() {
        draftDevice = settings.device
        draftThreads = String(settings.threads)
        draftOffload = settings.gpuOffload
        draftContext = String(settings.contextLength)
        threadsField.text = draftThreads
        contextField.text = draftContext
        layersField.text = settings.gpuOffload === "auto" ? "" : settings.gpuOffload
    }
    readonly property bool draftChanged: draftDevice !== settings.device || draftThreads !== String(settings.threads)
        || draftOffload !== settings.gpuOffload || draftContext !== String(settings.contextLength)
    readonly property string draftProblem: settings.problem("device", draftDevice) || settings.problem("threads", draftThreads)
        || settings.problem("gpuOffload", draftOffload) || settings.problem("contextLength", draftContext)
    function applyDraft() {
        settings.device = draftDevice
        settings.threads = Number(draftThreads)
        settings.gpuOffload = draftOffload
        settings.contextLength = Number(draftContext)
        if (settings.errorText === "" && controller.engine.modelPath !== "") controller.reloadModel()
    }

    // The device choices: automatic, the CPU, Vulkan's default, then each listed device.
    readonly property var deviceChoices: {
        const choices = [
            { spec: "auto", label: qsTr("Automatic (the CPU)") },
            { spec: "cpu", label: qsTr("CPU") },
            { spec: "vulkan", label: qsTr("Vulkan: the default device") }
        ]
        for (let i = 0; i < deviceRepeater.count; ++i) {
            const d = deviceRepeater.itemAt(i)
            if (d) choices.push({ spec: d.spec, label: qsTr("Vulkan %1: %2").arg(d.spec.substring(7)).arg(d.name) })
        }
        // A stored choice not in the list (a device since removed) stays visible.
        if (!choices.some(c => c.spec === page.draftDevice)) choices.push({ spec: page.draftDevice, label: page.draftDevice })
        return choices
    }

    Dialog {
        id: confirmReload
        objectName: "confirmReload"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Reload the model?")
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            text: page.controller.engine.modelPath !== ""
                ? qsTr("%1 is loaded again with the new settings. Your conversations are not changed.").arg(page.controller.engine.modelName)
                : qsTr("The settings are saved and used when a model is loaded.")
            wrapMode: Text.Wrap
            width: 380
            color: Theme.text
        }
        onAccepted: page.applyDraft()
    }

    ScrollView {
        id: scroll
        anchors.fill: parent
        contentWidth: availableWidth
        clip: true

        ColumnLayout {
            width: Math.min(scroll.availableWidth - 48, 760)
            x: 24
            spacing: Theme.spacing * 1.5

            Item { implicitHeight: Theme.spacing }
            Label {
                text: qsTr("Settings")
                font.bold: true
                font.pixelSize: Theme.fontSize + 6
                color: Theme.text
            }
            Label {
                objectName: "settingsError"
                visible: text !== ""
                text: page.settings.errorText
                color: Theme.error
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                Accessible.name: qsTr("Settings error: %1").arg(text)
            }

            // ---- Engine
            SectionTitle { text: qsTr("Engine") }
            Label {
                text: qsTr("Devices")
                color: Theme.text
            }
            Label {
                visible: page.devices.loading
                text: qsTr("Looking for Vulkan devices…")
                color: Theme.mutedText
            }
            Label {
                objectName: "devicesMessage"
                visible: text !== "" && !page.devices.loading
                text: page.devices.message
                color: Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Repeater {
                id: deviceRepeater
                model: page.devices
                delegate: Rectangle {
                    required property string spec
                    required property string name
                    required property string kind
                    required property string memory
                    required property bool isDefault
                    required property string problem
                    objectName: "device_" + spec
                    Layout.fillWidth: true
                    implicitHeight: deviceColumn.implicitHeight + 16
                    radius: Theme.radius
                    color: Theme.surface
                    border.color: isDefault ? Theme.accent : Theme.border
                    Accessible.role: Accessible.StaticText
                    Accessible.name: qsTr("Device %1: %2, %3, %4%5").arg(spec.substring(7)).arg(name).arg(kind).arg(memory)
                                         .arg(isDefault ? qsTr(", the default: %1").arg(page.devices.defaultReason) : "")
                    ColumnLayout {
                        id: deviceColumn
                        anchors.fill: parent
                        anchors.margins: 8
                        spacing: 2
                        RowLayout {
                            Label { text: spec.substring(7) + ": " + name; font.bold: true; color: Theme.text }
                            Label {
                                visible: isDefault
                                text: qsTr("default")
                                color: Theme.accent
                                leftPadding: 6
                                rightPadding: 6
                                background: Rectangle { radius: 4; color: "transparent"; border.color: Theme.accent }
                            }
                        }
                        Label { text: kind + " · " + memory; color: Theme.mutedText }
                        Label {
                            visible: isDefault && page.devices.defaultReason !== ""
                            text: qsTr("Default because: %1").arg(page.devices.defaultReason)
                            color: Theme.mutedText
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                        Label {
                            visible: problem !== ""
                            text: qsTr("Cannot run models: %1").arg(problem)
                            color: Theme.warning
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                    }
                }
            }

            GridLayout {
                columns: 2
                columnSpacing: Theme.spacing * 2
                rowSpacing: Theme.spacing
                Layout.fillWidth: true

                FormLabel { text: qsTr("Run models on") }
                ComboBox {
                    id: deviceBox
                    objectName: "deviceBox"
                    model: page.deviceChoices
                    textRole: "label"
                    valueRole: "spec"
                    Layout.preferredWidth: 360
                    currentIndex: Math.max(0, page.deviceChoices.findIndex(c => c.spec === page.draftDevice))
                    onActivated: (index) => page.draftDevice = page.deviceChoices[index].spec
                    Accessible.name: qsTr("Device: %1").arg(displayText)
                }

                FormLabel { text: qsTr("Threads") }
                RowLayout {
                    TextField {
                        id: threadsField
                        objectName: "threadsField"
                        text: page.draftThreads
                        inputMethodHints: Qt.ImhDigitsOnly
                        Layout.preferredWidth: 100
                        onTextEdited: page.draftThreads = text.trim()
                        Accessible.name: qsTr("Threads (0: automatic)")
                        color: Theme.text
                        background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                    }
                    Label {
                        text: qsTr("0 is automatic: one per processor thread (%1 here)").arg(page.settings.maxThreads)
                        color: Theme.mutedText
                    }
                }

                FormLabel { text: qsTr("GPU offload") }
                RowLayout {
                    RadioButton {
                        id: offloadAuto
                        objectName: "offloadAuto"
                        text: qsTr("Automatic")
                        checked: page.draftOffload === "auto"
                        onClicked: page.draftOffload = "auto"
                        Accessible.name: qsTr("GPU offload: automatic")
                    }
                    RadioButton {
                        id: offloadLayers
                        objectName: "offloadLayers"
                        text: qsTr("Layers:")
                        checked: page.draftOffload !== "auto"
                        onClicked: page.draftOffload = layersField.text.trim() === "" ? "0" : layersField.text.trim()
                        Accessible.name: qsTr("GPU offload: a number of layers")
                    }
                    TextField {
                        id: layersField
                        objectName: "layersField"
                        text: page.settings.gpuOffload === "auto" ? "" : page.settings.gpuOffload
                        enabled: offloadLayers.checked
                        placeholderText: qsTr("layers")
                        inputMethodHints: Qt.ImhDigitsOnly
                        Layout.preferredWidth: 80
                        onTextEdited: page.draftOffload = text.trim()
                        Accessible.name: qsTr("Layers on the GPU")
                        color: Theme.text
                        background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                    }
                }
                Item { implicitWidth: 1 }
                Label {
                    objectName: "offloadNote"
                    text: qsTr("With a Vulkan device, this many layers run on the GPU and the others on the CPU. "
                               + "Automatic puts as many on the GPU as its memory holds, those with the most work per byte first.")
                    color: Theme.mutedText
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }

                FormLabel { text: qsTr("Default context") }
                RowLayout {
                    TextField {
                        id: contextField
                        objectName: "contextField"
                        text: page.draftContext
                        inputMethodHints: Qt.ImhDigitsOnly
                        Layout.preferredWidth: 100
                        onTextEdited: page.draftContext = text.trim()
                        Accessible.name: qsTr("Default context length in tokens")
                        color: Theme.text
                        background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                    }
                    Label {
                        text: qsTr("tokens (capped at what the model was trained for)")
                        color: Theme.mutedText
                    }
                }
            }
            Label {
                objectName: "draftProblem"
                visible: text !== ""
                text: page.draftProblem
                color: Theme.error
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            RowLayout {
                Button {
                    objectName: "applyEngineButton"
                    text: qsTr("Apply and reload the model…")
                    enabled: page.draftChanged && page.draftProblem === "" && !page.controller.generating
                    onClicked: confirmReload.open()
                    Accessible.name: qsTr("Apply the engine settings and reload the model")
                }
                Button {
                    objectName: "revertEngineButton"
                    text: qsTr("Revert")
                    enabled: page.draftChanged
                    onClicked: page.resetDraft()
                    Accessible.name: qsTr("Revert the engine settings")
                }
            }

            // ---- Appearance
            SectionTitle { text: qsTr("Appearance") }
            GridLayout {
                columns: 2
                columnSpacing: Theme.spacing * 2
                rowSpacing: Theme.spacing
                FormLabel { text: qsTr("Theme") }
                ComboBox {
                    id: themeBox
                    objectName: "themeBox"
                    readonly property var values: ["system", "light", "dark"]
                    model: [qsTr("Follow the system"), qsTr("Light"), qsTr("Dark")]
                    currentIndex: Math.max(0, values.indexOf(page.settings.theme))
                    Layout.preferredWidth: 200
                    onActivated: (index) => page.settings.theme = values[index]
                    Accessible.name: qsTr("Theme: %1").arg(displayText)
                }
                FormLabel { text: qsTr("Font size") }
                SpinBox {
                    id: fontBox
                    objectName: "fontSizeBox"
                    from: 10  // AppSettings::kMinFontSize .. kMaxFontSize
                    to: 28
                    value: page.settings.fontSize
                    editable: true
                    onValueModified: page.settings.fontSize = value
                    Accessible.name: qsTr("Font size: %1 pixels").arg(value)
                }
            }

            // ---- Local API server
            SectionTitle { text: qsTr("Local API server") }
            Label {
                text: qsTr("Programs on this computer can use the loaded model through an OpenAI-compatible API. "
                           + "It listens on this computer only (127.0.0.1 and ::1) and needs the token below. "
                           + "While it answers a request the chat waits, and the other way round.")
                color: Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            GridLayout {
                columns: 2
                columnSpacing: Theme.spacing * 2
                rowSpacing: Theme.spacing
                Layout.fillWidth: true

                FormLabel { text: qsTr("Server") }
                Switch {
                    objectName: "serverSwitch"
                    text: checked ? qsTr("On") : qsTr("Off")
                    checked: page.settings.serverEnabled
                    onToggled: page.settings.serverEnabled = checked
                    Accessible.name: qsTr("Local API server: %1").arg(checked ? qsTr("on") : qsTr("off"))
                }

                FormLabel { text: qsTr("Port") }
                RowLayout {
                    TextField {
                        id: portField
                        objectName: "serverPortField"
                        text: String(page.settings.serverPort)
                        inputMethodHints: Qt.ImhDigitsOnly
                        Layout.preferredWidth: 100
                        onAccepted: if (portButton.enabled) portButton.clicked()
                        Accessible.name: qsTr("Server port (0: any free port)")
                        color: Theme.text
                        background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                    }
                    Button {
                        id: portButton
                        objectName: "serverPortButton"
                        text: qsTr("Use this port")
                        enabled: portField.text.trim() !== String(page.settings.serverPort) && portProblem.text === ""
                        onClicked: page.settings.serverPort = Number(portField.text.trim())
                        Accessible.name: qsTr("Use this port for the local server")
                    }
                    Label {
                        text: qsTr("0 picks any free port")
                        color: Theme.mutedText
                    }
                }

                FormLabel { text: qsTr("Token") }
                RowLayout {
                    Layout.fillWidth: true
                    TextField {
                        objectName: "serverTokenField"
                        text: page.settings.serverToken
                        readOnly: true
                        selectByMouse: true
                        font.family: Theme.monoFont
                        Layout.fillWidth: true
                        Accessible.name: qsTr("Server token: clients send it as their API key")
                        color: Theme.text
                        background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                    }
                    Button {
                        objectName: "copyTokenButton"
                        text: qsTr("Copy")
                        onClicked: Clipboard.setText(page.settings.serverToken)
                        Accessible.name: qsTr("Copy the server token")
                    }
                    Button {
                        objectName: "regenerateTokenButton"
                        text: qsTr("Regenerate")
                        onClicked: page.settings.regenerateServerToken()
                        Accessible.name: qsTr("Make a new server token; the old one stops working at once")
                        ToolTip.visible: hovered
                        ToolTip.text: qsTr("A new random token; the old one stops working at once")
                    }
                }
            }
            Label {
                id: portProblem
                objectName: "serverPortProblem"
                visible: text !== ""
                text: portField.text.trim() === String(page.settings.serverPort) ? ""
                    : page.settings.problem("serverPort", portField.text.trim())
                color: Theme.error
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "serverStatus"
                text: page.server.statusText
                color: page.server.running ? Theme.success : Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                Accessible.name: qsTr("Local server: %1").arg(text)
            }
            RowLayout {
                visible: page.server.running
                spacing: Theme.spacing * 2  // the grid's column spacing: the field lines up with those above
                Layout.fillWidth: true
                FormLabel { text: qsTr("Base URL") }
                TextField {
                    objectName: "serverUrl"
                    text: page.server.url
                    readOnly: true
                    selectByMouse: true
                    font.family: Theme.monoFont
                    Layout.fillWidth: true
                    Accessible.name: qsTr("Base URL for clients: %1").arg(text)
                    color: Theme.text
                    background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                }
            }
            Label {
                objectName: "serverError"
                visible: text !== ""
                text: page.server.errorText
                color: Theme.error
                wrapMode: Text.Wrap
                Layout.fillWidth: true
                Accessible.name: text
            }

            // ---- Data
            SectionTitle { text: qsTr("Data") }
            Label {
                text: qsTr("Conversations are kept in %1").arg(page.settings.currentDataFolder)
                color: Theme.text
                wrapMode: Text.WrapAnywhere
                Layout.fillWidth: true
            }
            RowLayout {
                Layout.fillWidth: true
                TextField {
                    id: folderField
                    objectName: "dataFolderField"
                    text: page.settings.dataFolder
                    Layout.fillWidth: true
                    Accessible.name: qsTr("Data folder for the next start")
                    color: Theme.text
                    background: Rectangle { radius: 4; color: Theme.surface; border.color: Theme.border }
                }
                Button {
                    objectName: "dataFolderButton"
                    text: qsTr("Use at next start")
                    enabled: folderField.text.trim() !== page.settings.dataFolder
                    onClicked: page.settings.dataFolder = folderField.text
                    Accessible.name: qsTr("Use this data folder from the next start")
                }
            }
            Label {
                objectName: "dataFolderNote"
                text: page.settings.dataFolder !== page.settings.currentDataFolder
                    ? qsTr("From the next start the app uses %1. Nothing is moved: back up first and restore the copy there to take your conversations along.").arg(page.settings.dataFolder)
                    : qsTr("A new folder takes effect at the next start.")
                color: page.settings.dataFolder !== page.settings.currentDataFolder ? Theme.warning : Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "dataDirOptionNote"
                text: page.settings.dataFolderFromCommandLine
                    ? qsTr("This run uses %1 because the app was started with --data-dir, which wins over the folder saved here. Started without it, the app opens %2.").arg(page.settings.currentDataFolder).arg(page.settings.dataFolder)
                    : qsTr("Starting the app with --data-dir DIR opens DIR instead, whatever is saved here.")
                color: page.settings.dataFolderFromCommandLine ? Theme.warning : Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            RowLayout {
                spacing: Theme.spacing
                Button {
                    objectName: "backupButton"
                    text: qsTr("Back up now")
                    enabled: !page.actions.busy
                    onClicked: page.actions.backUp()
                    Accessible.name: qsTr("Back up the history database now")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("A consistent copy of the database in %1").arg(page.actions.backupFolder)
                }
                Button {
                    objectName: "exportButton"
                    text: qsTr("Export all conversations")
                    enabled: !page.actions.busy
                    onClicked: page.actions.exportAll()
                    Accessible.name: qsTr("Export all conversations as JSON")
                    ToolTip.visible: hovered
                    ToolTip.text: qsTr("Tessera's JSON format, into %1").arg(page.actions.exportFolder)
                }
                BusyIndicator {
                    running: page.actions.busy
                    visible: running
                    implicitWidth: 24
                    implicitHeight: 24
                }
            }
            Label {
                objectName: "actionResult"
                visible: text !== ""
                text: page.actions.resultText
                color: page.actions.resultOk ? Theme.success : Theme.error
                wrapMode: Text.WrapAnywhere
                Layout.fillWidth: true
                Accessible.name: text
            }
            Item { implicitHeight: Theme.spacing * 2 }
        }
    }

    // The left column of the forms, one width for every section so the fields line up.
    component FormLabel: Label {
        Layout.preferredWidth: 120
        color: Theme.text
    }
    component SectionTitle: Label {
        Layout.topMargin: Theme.spacing
        font.bold: true
        font.pixelSize: Theme.fontSize + 2
        color: Theme.text
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// One conversation's settings: its system prompt, sampling, reasoning and context length.
// An empty field keeps the app's default (shown as the placeholder); a value out of range is
// named under the fields as it is typed, and Save waits until it is fixed.
Dialog {
    id: dialog
    required property ChatController controller
    objectName: "conversationSettings"
    modal: true
    title: qsTr("Conversation settings")
    standardButtons: Dialog.Save | Dialog.Cancel

    // key, label, and the accessible name of each numeric field, in display order.
    readonly property var fields: [
        { key: "temperature", label: qsTr("Temperature") },
        { key: "topP", label: qsTr("Top-p") },
        { key: "topK", label: qsTr("Top-k") },
        { key: "minP", label: qsTr("Min-p") },
        { key: "repeatPenalty", label: qsTr("Repeat penalty") },
        { key: "maxTokens", label: qsTr("Max tokens") },
        { key: "seed", label: qsTr("Seed") },
        { key: "contextLength", label: qsTr("Context length") }
    ]
    readonly property var reasoningValues: ["default", "on", "off"]

    function load() {
        systemPromptInput.text = controller.systemPrompt
        const options = controller.conversationOptions
        const defaults = controller.defaultOptions()
        for (let i = 0; i < fieldRepeater.count; ++i) {
            const input = fieldRepeater.itemAt(i).input
            const key = fields[i].key
            input.text = options[key] !== undefined ? String(options[key]) : ""
            input.placeholderText = key === "seed" ? qsTr("random")
                : defaults[key] !== undefined ? qsTr("default %1").arg(Number(defaults[key]).toLocaleString(Qt.locale("C"), 'g', 4))
                : qsTr("default")
        }
        reasoningBox.currentIndex = Math.max(0, reasoningValues.indexOf(options.reasoning))
    }

    function currentOptions() {
        const map = { reasoning: reasoningValues[reasoningBox.currentIndex] }
        for (let i = 0; i < fieldRepeater.count; ++i) {
            const text = fieldRepeater.itemAt(i).input.text.trim()
            map[fields[i].key] = text === "" ? null : Number(text)
        }
        return map
    }
    property string problem: ""
    function check() {
        problem = controller.optionsProblem(currentOptions())
        const save = standardButton(Dialog.Save)
        if (save) save.enabled = problem === ""
    }

    onAboutToShow: { load(); check() }
    onAccepted: {
        if (controller.setConversationOptions(currentOptions()))
            controller.systemPrompt = systemPromptInput.text
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: Theme.spacing

        Label { text: qsTr("System prompt (this conversation only)"); color: Theme.text }
        TextArea {
            id: systemPromptInput
            objectName: "systemPromptInput"
            Layout.fillWidth: true
            Layout.preferredHeight: 100
            wrapMode: TextEdit.Wrap
            textFormat: TextEdit.PlainText
            placeholderText: qsTr("e.g. You answer briefly.")
            Accessible.name: qsTr("System prompt")
            color: Theme.text
            background: Rectangle { radius: Theme.radius; color: Theme.surface; border.color: Theme.border }
        }

        GridLayout {
            Layout.fillWidth: true
            columns: 4
            columnSpacing: Theme.spacing
            rowSpacing: 4
            Repeater {
                id: fieldRepeater
                model: dialog.fields
                delegate: RowLayout {
                    required property var modelData
                    property alias input: field
                    Layout.fillWidth: true
                    Layout.columnSpan: 2
                    Label {
                        text: modelData.label
                        color: Theme.text
                        Layout.preferredWidth: 110
                    }
                    TextField {
                        id: field
                        objectName: "option_" + modelData.key
                        Layout.fillWidth: true
                        inputMethodHints: Qt.ImhFormattedNumbersOnly
                        selectByMouse: true
                        Accessible.name: modelData.label
                        color: Theme.text
                        onTextEdited: dialog.check()
                    }
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("Reasoning"); color: Theme.text; Layout.preferredWidth: 110 }
            ComboBox {
                id: reasoningBox
                objectName: "reasoningBox"
                Layout.fillWidth: true
                model: [qsTr("As the model and prompt decide"), qsTr("On (detailed thinking)"), qsTr("Off")]
                Accessible.name: qsTr("Reasoning")
            }
        }
        Label {
            objectName: "optionsProblem"
            Layout.fillWidth: true
            visible: dialog.problem !== ""
            text: dialog.problem
            wrapMode: Text.Wrap
            color: Theme.error
            Accessible.name: text
        }
        Label {
            Layout.fillWidth: true
            text: qsTr("Reasoning applies to models with a thinking switch (Nemotron). The context length may only be smaller than the loaded model's.")
            wrapMode: Text.Wrap
            color: Theme.mutedText
            font.pixelSize: Theme.fontSize - 2
        }
    }
}

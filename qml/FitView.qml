import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// "Will it fit": what the model needs at the chosen context (weights, KV cache, scratch)
// against the RAM and each GPU of this machine, with the verdict in words.
ColumnLayout {
    id: view
    required property FitEstimate fit
    spacing: Theme.spacing

    // The usual lengths, and the model's own trained context among them.
    readonly property var contextChoices: {
        const choices = [2048, 4096, 8192, 16384, 32768, 65536, 131072]
        if (fit.trainedContext > 0 && choices.indexOf(fit.trainedContext) < 0) choices.push(fit.trainedContext)
        return choices.sort((a, b) => a - b)
    }

    RowLayout {
        spacing: Theme.spacing
        Label { text: qsTr("Context length"); color: Theme.text }
        ComboBox {
            id: contextPicker
            objectName: "contextPicker"
            model: view.contextChoices
            displayText: qsTr("%1 tokens").arg(currentValue)
            currentIndex: Math.max(0, view.contextChoices.indexOf(view.fit.contextLength))
            onActivated: (i) => view.fit.contextLength = view.contextChoices[i]
            Layout.preferredWidth: 160
            Accessible.name: qsTr("Context length: %1 tokens").arg(currentValue)
        }
        Label {
            visible: view.fit.trainedContext > 0 && view.fit.contextLength > view.fit.trainedContext
            text: qsTr("longer than the %1 tokens it was trained on").arg(view.fit.trainedContext)
            color: Theme.warning
            font.pixelSize: Theme.fontSize - 2
        }
    }

    GridLayout {
        columns: 2
        columnSpacing: 16
        rowSpacing: 2
        Label { text: qsTr("Weights"); color: Theme.mutedText }
        Label { objectName: "weightsLabel"; text: Format.bytes(view.fit.weightBytes); color: Theme.text }
        Label { text: qsTr("KV cache"); color: Theme.mutedText }
        Label { objectName: "kvCacheLabel"; text: Format.bytes(view.fit.kvCacheBytes); color: Theme.text }
        Label { text: qsTr("Scratch"); color: Theme.mutedText }
        Label { text: Format.bytes(view.fit.scratchBytes); color: Theme.text }
        Label { text: qsTr("Total"); color: Theme.text; font.bold: true }
        Label { objectName: "totalLabel"; text: Format.bytes(view.fit.totalBytes); color: Theme.text; font.bold: true }
    }

    // One bar per place the model could live: how much of its free memory the model takes.
    Repeater {
        model: view.fit.pools
        delegate: ColumnLayout {
            required property var modelData
            Layout.fillWidth: true
            spacing: 2
            Label {
                Layout.fillWidth: true
                elide: Text.ElideRight
                text: (modelData.gpu ? qsTr("GPU %1").arg(modelData.name) : modelData.name)
                      + (modelData.software ? qsTr(" (software, shares the RAM)") : "")
                      + qsTr(": %1 free of %2").arg(Format.bytes(modelData.available)).arg(Format.bytes(modelData.total))
                color: Theme.text
                font.pixelSize: Theme.fontSize - 1
            }
            Rectangle {
                Layout.fillWidth: true
                Layout.maximumWidth: 420
                implicitHeight: 8
                radius: 4
                color: Theme.border
                Rectangle {
                    width: parent.width * Math.min(1, view.fit.totalBytes / Math.max(1, modelData.available))
                    height: parent.height
                    radius: 4
                    color: modelData.fits ? Theme.success : Theme.error
                }
                Accessible.role: Accessible.ProgressBar
                Accessible.name: qsTr("%1: %2").arg(modelData.name).arg(modelData.fits ? qsTr("fits") : qsTr("does not fit"))
            }
        }
    }

    Label {
        objectName: "verdictLabel"
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        textFormat: Text.PlainText
        text: {
            switch (view.fit.verdict) {
            case FitEstimate.Gpu: return qsTr("Fits on the GPU. %1").arg(view.fit.verdictText)
            case FitEstimate.Ram: return qsTr("Fits in RAM (runs on the CPU). %1").arg(view.fit.verdictText)
            case FitEstimate.Split: return qsTr("Fits only split between RAM and GPU. %1").arg(view.fit.verdictText)
            case FitEstimate.NotNow: return qsTr("Not enough free memory now. %1").arg(view.fit.verdictText)
            case FitEstimate.TooBig: return qsTr("Needs more than one machine. %1").arg(view.fit.verdictText)
            default: return view.fit.verdictText
            }
        }
        color: view.fit.verdict === FitEstimate.Gpu || view.fit.verdict === FitEstimate.Ram ? Theme.success
             : view.fit.verdict === FitEstimate.TooBig ? Theme.error : Theme.warning
        Accessible.name: text
    }
}

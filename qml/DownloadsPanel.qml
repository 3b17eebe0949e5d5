import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// The models page's Downloads section: a field to add an https address or a Hugging Face
// file (owner/repository/file.gguf), the total, and each job with its progress bar, speed,
// time left and Pause / Resume / Cancel. The work is on the download thread; this only shows it.
Rectangle {
    id: panel
    required property Downloads downloads
    color: Theme.sidebar

    function duration(seconds) {
        if (seconds < 0) return ""
        if (seconds < 60) return qsTr("%1 s left").arg(Math.ceil(seconds))
        if (seconds < 3600) return qsTr("%1 min left").arg(Math.ceil(seconds / 60))
        return qsTr("%1 h %2 min left").arg(Math.floor(seconds / 3600)).arg(Math.ceil((seconds % 3600) / 60))
    }
    function stateLabel(state) {
        return ({ queued: qsTr("Queued"), running: qsTr("Downloading"), paused: qsTr("Paused"),
                  verifying: qsTr("Verifying"), done: qsTr("Done"), failed: qsTr("Failed") })[state] || state
    }
    function amount(done, total) {
        return total >= 0 ? qsTr("%1 of %2").arg(Format.bytes(done)).arg(Format.bytes(total)) : Format.bytes(done)
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Label {
            text: qsTr("Downloads")
            font.bold: true
            font.pixelSize: Theme.fontSize + 1
            color: Theme.text
        }
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: source
                objectName: "downloadSourceField"
                Layout.fillWidth: true
                placeholderText: qsTr("https://… or owner/repository/file.gguf")
                selectByMouse: true
                Accessible.name: qsTr("Address or Hugging Face file to download")
                onAccepted: addButton.clicked()
            }
            Button {
                id: addButton
                objectName: "downloadAddButton"
                text: qsTr("Download")
                enabled: source.text.trim() !== ""
                Accessible.name: qsTr("Start the download")
                onClicked: if (panel.downloads.add(source.text)) source.text = ""
            }
        }
        Label {
            objectName: "downloadError"
            Layout.fillWidth: true
            visible: text !== ""
            text: panel.downloads.errorText
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            font.pixelSize: Theme.fontSize - 2
            color: Theme.error
            Accessible.name: qsTr("Download error: %1").arg(text)
        }
        Label {
            objectName: "downloadTotal"
            Layout.fillWidth: true
            visible: panel.downloads.activeCount + panel.downloads.queuedCount > 0
            text: qsTr("Total: %1 downloading, %2 queued · %3 · %4/s%5")
                  .arg(panel.downloads.activeCount).arg(panel.downloads.queuedCount)
                  .arg(panel.amount(panel.downloads.totalBytesDone, panel.downloads.totalBytes))
                  .arg(Format.bytes(panel.downloads.totalSpeed))
                  .arg(panel.downloads.totalSecondsLeft >= 0 ? " · " + panel.duration(panel.downloads.totalSecondsLeft) : "")
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSize - 2
            color: Theme.mutedText
        }

        ListView {
            id: jobList
            objectName: "downloadJobs"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 6
            model: panel.downloads.jobs
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Downloads")
            ScrollBar.vertical: ScrollBar {}
            delegate: Rectangle {
                id: job
                required property var jobId
                required property string name
                required property string state
                required property var bytesDone
                required property var bytesTotal
                required property real speed
                required property real secondsLeft
                required property string errorText
                readonly property bool live: state === "queued" || state === "running" || state === "verifying"
                width: jobList.width
                implicitHeight: jobColumn.implicitHeight + 2 * Theme.spacing
                radius: Theme.radius
                color: Theme.surface
                border.color: Theme.border
                Accessible.name: qsTr("Download %1, %2").arg(name).arg(panel.stateLabel(state))

                ColumnLayout {
                    id: jobColumn
                    anchors.fill: parent
                    anchors.margins: Theme.spacing
                    spacing: 4
                    Label {
                        Layout.fillWidth: true
                        text: job.name
                        textFormat: Text.PlainText
                        elide: Text.ElideMiddle
                        font.bold: true
                        color: Theme.text
                    }
                    ProgressBar {
                        id: bar
                        objectName: "downloadProgress"
                        Layout.fillWidth: true
                        from: 0
                        to: 1
                        indeterminate: job.state === "running" && job.bytesTotal <= 0
                        value: job.bytesTotal > 0 ? job.bytesDone / job.bytesTotal : 0
                        Accessible.name: qsTr("%1: %2 %").arg(job.name).arg(Math.round(value * 100))
                        background: Rectangle { implicitHeight: 6; radius: 3; color: Theme.border }
                        contentItem: Item {
                            implicitHeight: 6
                            Rectangle {
                                width: bar.indeterminate ? parent.width : bar.visualPosition * parent.width
                                height: parent.height
                                radius: 3
                                opacity: bar.indeterminate ? 0.4 : 1
                                color: job.state === "failed" ? Theme.error : job.state === "done" ? Theme.success
                                       : job.state === "paused" ? Theme.mutedText : Theme.accent
                            }
                        }
                    }
                    Label {
                        objectName: "downloadFigures"
                        Layout.fillWidth: true
                        text: panel.stateLabel(job.state) + " · " + panel.amount(job.bytesDone, job.bytesTotal)
                              + (job.bytesTotal > 0 && job.state !== "done" ? qsTr(" (%1 %)").arg(Math.floor(bar.value * 100)) : "")
                        elide: Text.ElideRight
                        font.pixelSize: Theme.fontSize - 2
                        color: job.state === "failed" ? Theme.error : job.state === "done" ? Theme.success : Theme.mutedText
                    }
                    Label {
                        objectName: "downloadSpeed"
                        Layout.fillWidth: true
                        visible: job.state === "running" && job.speed > 0
                        text: [qsTr("%1/s").arg(Format.bytes(job.speed)), panel.duration(job.secondsLeft)]
                              .filter(s => s !== "").join(" · ")
                        elide: Text.ElideRight
                        font.pixelSize: Theme.fontSize - 2
                        color: Theme.mutedText
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: job.errorText !== "" && job.state !== "done"
                        text: job.errorText
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontSize - 3
                        color: job.state === "failed" ? Theme.error : Theme.warning
                    }
                    RowLayout {
                        Layout.fillWidth: true
                        Button {
                            objectName: "pauseButton"
                            visible: job.state === "queued" || job.state === "running"
                            text: qsTr("Pause")
                            Accessible.name: qsTr("Pause %1").arg(job.name)
                            onClicked: panel.downloads.pause(job.jobId)
                        }
                        Button {
                            objectName: "resumeButton"
                            visible: job.state === "paused" || job.state === "failed"
                            text: job.state === "failed" ? qsTr("Retry") : qsTr("Resume")
                            Accessible.name: qsTr("Resume %1").arg(job.name)
                            onClicked: panel.downloads.resume(job.jobId)
                        }
                        Button {
                            objectName: "cancelButton"
                            text: job.state === "done" ? qsTr("Clear") : qsTr("Cancel")
                            Accessible.name: job.state === "done" ? qsTr("Clear %1 from the list").arg(job.name)
                                                                  : qsTr("Cancel %1").arg(job.name)
                            onClicked: panel.downloads.cancel(job.jobId)
                        }
                        Item { Layout.fillWidth: true }
                    }
                }
            }
            Label {
                anchors.centerIn: parent
                width: parent.width
                visible: jobList.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                text: qsTr("No downloads. Finished ones appear in the installed models.")
                color: Theme.mutedText
            }
        }
    }
}

import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// "< 2/3 >": moves between a message's siblings (its edits, or the regenerated replies).
// Disabling the switcher (enabled: false) disables both arrows.
RowLayout {
    id: switcher
    required property int index   // 0-based
    required property int count
    signal moveRequested(int delta)
    spacing: 0
    visible: count > 1

    ActionButton {
        objectName: "previousButton"
        text: "‹"
        enabled: switcher.index > 0
        onClicked: switcher.moveRequested(-1)
        Accessible.name: qsTr("Previous version")
    }
    Label {
        objectName: "positionLabel"
        text: (switcher.index + 1) + "/" + switcher.count
        color: Theme.mutedText
        Accessible.name: qsTr("Version %1 of %2").arg(switcher.index + 1).arg(switcher.count)
    }
    ActionButton {
        objectName: "nextButton"
        text: "›"
        enabled: switcher.index < switcher.count - 1
        onClicked: switcher.moveRequested(1)
        Accessible.name: qsTr("Next version")
    }
}

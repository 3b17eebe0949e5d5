import QtQuick
import QtQuick.Controls

// A flat text button for message and list actions: no box until hovered or pressed.
ToolButton {
    id: button
    font.pixelSize: Theme.fontSize - 1
    palette.buttonText: Theme.mutedText
    background: Rectangle {
        implicitWidth: 28
        implicitHeight: 28
        radius: 4
        color: button.down ? Theme.selection : button.hovered ? Qt.rgba(0.5, 0.5, 0.5, 0.15) : "transparent"
    }
}

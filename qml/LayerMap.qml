import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tessera.Core

// A model's block plan as a picture: one column per layer. The cell on top is the attention
// (blue GQA, fainter with fewer KV heads and labelled with their count where there is room;
// amber linear; grey none); the bar below is the FFN, as tall as its SwiGLU width (amber
// for a linear FFN, a grey stub for none). Columns narrow down to 4 px, so 80 or 162 layers
// still fit a window; beyond that the picture scrolls. Every column has a tooltip.
Item {
    id: map
    required property LayerMapModel layers
    readonly property int count: layers.count
    readonly property real gap: columnWidth >= 8 ? 2 : 1
    readonly property real columnWidth: count > 0 ? Math.max(4, Math.min(48, Math.floor((width - axisWidth) / count))) : 0
    readonly property int axisWidth: 52
    readonly property int attentionHeight: 24
    readonly property int ffnHeight: 132
    // Label every n-th layer so that labels never overlap.
    readonly property int labelEvery: {
        const steps = [1, 2, 5, 10, 20, 50]
        for (const s of steps) if (s * columnWidth >= 22) return s
        return 100
    }
    implicitHeight: column.implicitHeight

    function attentionColor(kind, kv) {
        if (kind === "gqa") {
            const max = Math.max(1, map.layers.maxKvHeads)
            return Qt.rgba(Theme.attentionGqa.r, Theme.attentionGqa.g, Theme.attentionGqa.b, 0.35 + 0.65 * kv / max)
        }
        return kind === "linear" ? Theme.attentionLinear : Theme.layerNone
    }

    ColumnLayout {
        id: column
        width: parent.width
        spacing: 6

        Flickable {
            id: flick
            objectName: "layerMapPicture"
            Layout.fillWidth: true
            Layout.preferredHeight: map.attentionHeight + map.ffnHeight + 30
            contentWidth: map.axisWidth + map.count * map.columnWidth
            contentHeight: height
            flickableDirection: Flickable.HorizontalFlick
            boundsBehavior: Flickable.StopAtBounds
            clip: true
            ScrollBar.horizontal: ScrollBar {
                visible: flick.contentWidth > flick.width
                policy: ScrollBar.AlwaysOn
            }
            Accessible.role: Accessible.Chart
            Accessible.name: qsTr("Layer map: %1").arg(map.layers.summary)

            // The axis: what the two rows are, and the widest FFN.
            Label {
                x: 0
                y: 0
                width: map.axisWidth - 6
                height: map.attentionHeight
                text: qsTr("attn")
                horizontalAlignment: Text.AlignRight
                verticalAlignment: Text.AlignVCenter
                font.pixelSize: Theme.fontSize - 3
                color: Theme.mutedText
            }
            Label {
                x: 0
                y: map.attentionHeight + 4
                width: map.axisWidth - 6
                text: Format.count(map.layers.maxFfnWidth)
                horizontalAlignment: Text.AlignRight
                font.pixelSize: Theme.fontSize - 3
                color: Theme.mutedText
            }
            Label {
                x: 0
                y: map.attentionHeight + map.ffnHeight - height + 4
                width: map.axisWidth - 6
                text: qsTr("ffn")
                horizontalAlignment: Text.AlignRight
                font.pixelSize: Theme.fontSize - 3
                color: Theme.mutedText
            }
            Rectangle {  // the base line of the FFN bars
                x: map.axisWidth
                y: map.attentionHeight + 4 + map.ffnHeight
                width: map.count * map.columnWidth
                height: 1
                color: Theme.border
            }

            Repeater {
                id: columns
                objectName: "layerColumns"
                model: map.layers
                delegate: Item {
                    id: layerColumn
                    required property int index
                    required property string attention
                    required property var kvHeads
                    required property string ffn
                    required property var ffnWidth
                    required property string description
                    x: map.axisWidth + index * map.columnWidth
                    width: map.columnWidth
                    height: flick.height
                    Accessible.role: Accessible.ListItem
                    Accessible.name: description

                    Rectangle {
                        id: attentionCell
                        objectName: "attention" + layerColumn.index
                        width: map.columnWidth - map.gap
                        height: map.attentionHeight
                        radius: map.columnWidth >= 8 ? 2 : 0
                        color: layerColumn.attention === "none" ? "transparent" : map.attentionColor(layerColumn.attention, layerColumn.kvHeads)
                        border.width: layerColumn.attention === "none" ? 1 : 0
                        border.color: Theme.layerNone
                        Label {
                            anchors.centerIn: parent
                            visible: layerColumn.attention === "gqa" && width <= attentionCell.width - 2
                            text: layerColumn.kvHeads
                            font.pixelSize: Theme.fontSize - 4
                            color: "white"
                        }
                    }
                    Rectangle {
                        objectName: "ffn" + layerColumn.index
                        readonly property real share: layerColumn.ffn === "swiglu" ? layerColumn.ffnWidth / Math.max(1, map.layers.maxFfnWidth)
                                                      : layerColumn.ffn === "linear" ? 0.12 : 0.03
                        width: map.columnWidth - map.gap
                        height: Math.max(2, Math.round(share * map.ffnHeight))
                        y: map.attentionHeight + 4 + map.ffnHeight - height
                        radius: map.columnWidth >= 8 ? 2 : 0
                        color: layerColumn.ffn === "swiglu" ? Theme.ffnSwiGlu : layerColumn.ffn === "linear" ? Theme.ffnLinear : Theme.layerNone
                    }
                    Label {
                        visible: layerColumn.index % map.labelEvery === 0
                        y: map.attentionHeight + map.ffnHeight + 8
                        text: layerColumn.index
                        font.pixelSize: Theme.fontSize - 4
                        color: Theme.mutedText
                    }
                    Rectangle {  // hover highlight
                        visible: hover.hovered
                        width: map.columnWidth - map.gap
                        height: map.attentionHeight + map.ffnHeight + 4
                        color: "transparent"
                        border.color: Theme.text
                    }
                    HoverHandler { id: hover }
                    ToolTip.visible: hover.hovered
                    ToolTip.delay: 200
                    ToolTip.text: description
                }
            }
        }

        // The legend.
        Flow {
            Layout.fillWidth: true
            spacing: 14
            Repeater {
                model: [
                    { color: Theme.attentionGqa, text: qsTr("GQA attention (number: KV heads; fainter: fewer)") },
                    { color: Theme.attentionLinear, text: qsTr("linear attention / linear FFN") },
                    { color: Theme.ffnSwiGlu, text: qsTr("SwiGLU FFN (height: width)") },
                    { color: Theme.layerNone, text: qsTr("pruned (no-op)") },
                ]
                delegate: Row {
                    required property var modelData
                    spacing: 5
                    Rectangle { width: 12; height: 12; radius: 2; color: modelData.color; anchors.verticalCenter: parent.verticalCenter }
                    Label { text: modelData.text; font.pixelSize: Theme.fontSize - 2; color: Theme.mutedText }
                }
            }
        }
        Label {
            Layout.fillWidth: true
            text: map.layers.summary
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontSize - 2
            color: Theme.mutedText
        }
    }
}

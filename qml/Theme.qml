pragma Singleton
import QtQuick

// Colours and sizes of the UI. mode: "system" (follow the desktop's palette), "light" or "dark".
QtObject {
    id: theme
    property string mode: "system"

    // Qt 6.4 has no colour-scheme hint: a dark system palette has a dark window colour.
    readonly property SystemPalette systemPalette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool systemDark: systemPalette.window.hslLightness < 0.5
    readonly property bool dark: mode === "dark" || (mode === "system" && systemDark)

    readonly property color window: dark ? "#1e1f22" : "#f7f7f8"
    readonly property color sidebar: dark ? "#26272b" : "#ececf0"
    readonly property color surface: dark ? "#2b2d31" : "#ffffff"
    readonly property color userBubble: dark ? "#33415c" : "#dce8fb"
    readonly property color text: dark ? "#e6e6e6" : "#1d1d1f"
    readonly property color mutedText: dark ? "#a0a3a8" : "#5f6368"
    readonly property color accent: dark ? "#7aa7ff" : "#2f6fdf"
    readonly property color border: dark ? "#3a3c42" : "#d5d6db"
    readonly property color selection: dark ? "#3a3f4b" : "#d8dff0"
    readonly property color error: dark ? "#ff8a80" : "#b3261e"
    readonly property color reasoningBackground: dark ? "#25262a" : "#f1f1f4"
    readonly property color codeBackground: dark ? "#1b1c1f" : "#f3f4f6"
    // The layer map: attention kinds (GQA is drawn darker with more KV heads) and FFN kinds.
    readonly property color attentionGqa: dark ? "#6f9cff" : "#2f6fdf"
    readonly property color attentionLinear: dark ? "#e6b450" : "#c98a12"
    readonly property color ffnSwiGlu: dark ? "#4fbf96" : "#2e9a74"
    readonly property color ffnLinear: dark ? "#e6b450" : "#c98a12"
    readonly property color layerNone: dark ? "#4a4d55" : "#c4c6cc"
    readonly property color success: dark ? "#7fd39b" : "#1e7b3c"
    readonly property color warning: dark ? "#f0c060" : "#9a6400"

    readonly property int spacing: 8
    readonly property int radius: 8
    property int fontSize: 14  // the settings page's font size (Main binds it)
    readonly property string monoFont: "monospace"
}

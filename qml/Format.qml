pragma Singleton
import QtQuick

// Numbers for people: sizes, counts and dates as the models page shows them.
QtObject {
    function bytes(n) {
        const units = ["B", "KiB", "MiB", "GiB", "TiB"]
        let u = 0
        while (n >= 1024 && u < units.length - 1) { n /= 1024; ++u }
        return u === 0 ? qsTr("%1 B").arg(n) : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2) + " " + units[u]
    }
    function count(n) {
        const units = ["", " K", " M", " B", " T"]
        let u = 0
        while (n >= 1000 && u < units.length - 1) { n /= 1000; ++u }
        return u === 0 ? String(n) : n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2) + units[u]
    }
    function date(ms) {
        return ms > 0 ? new Date(ms).toLocaleString(Qt.locale(), Locale.ShortFormat) : qsTr("never")
    }
}

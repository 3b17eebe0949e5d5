#include "downloads/safe_file_name.h"

#include <QStringList>

namespace tessera::downloads {
namespace {

bool is_reserved_windows_name(const QString& name) {
    // Reserved with any extension: "NUL.gguf" is as bad as "NUL".
    const QString stem = name.section(QLatin1Char('.'), 0, 0).toUpper();
    static const QStringList reserved = {QStringLiteral("CON"), QStringLiteral("PRN"), QStringLiteral("AUX"),
                                         QStringLiteral("NUL")};
    if (reserved.contains(stem)) return true;
    if (stem.size() == 4 && (stem.startsWith(QLatin1String("COM")) || stem.startsWith(QLatin1String("LPT"))))
        return stem.at(3) >= QLatin1Char('0') && stem.at(3) <= QLatin1Char('9');
    return false;
}

}  // namespace

std::variant<QString, UnsafeName> check_file_name(const QString& raw) {
    const QString name = raw.trimmed();
    if (name.isEmpty()) return UnsafeName{QStringLiteral("the file name is empty")};
    if (name == QLatin1String(".") || name == QLatin1String("..") || name.contains(QLatin1String("..")))
        return UnsafeName{QStringLiteral("'%1' contains '..'").arg(name)};
    if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
        return UnsafeName{QStringLiteral("'%1' is a path, not a file name").arg(name)};
    if (name.size() >= 2 && name.at(1) == QLatin1Char(':'))
        return UnsafeName{QStringLiteral("'%1' names a drive").arg(name)};
    for (QChar c : name) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return UnsafeName{QStringLiteral("'%1' contains a control character").arg(name.toHtmlEscaped())};
        if (QStringLiteral("<>:\"|?*").contains(c))
            return UnsafeName{QStringLiteral("'%1' contains '%2'").arg(name, c)};
    }
    if (name.startsWith(QLatin1Char('.'))) return UnsafeName{QStringLiteral("'%1' would be a hidden file").arg(name)};
    if (name.endsWith(QLatin1Char('.')))
        return UnsafeName{QStringLiteral("'%1' ends with a dot").arg(name)};
    if (is_reserved_windows_name(name)) return UnsafeName{QStringLiteral("'%1' is a reserved device name").arg(name)};
    if (name.toUtf8().size() > 255) return UnsafeName{QStringLiteral("the file name is longer than 255 bytes")};
    if (name.endsWith(QLatin1String(".part"), Qt::CaseInsensitive))
        return UnsafeName{QStringLiteral("'%1' ends in .part, the name of unfinished downloads").arg(name)};
    return name;
}

std::variant<QString, UnsafeName> file_name_from_remote_path(const QString& remote_path) {
    QString path = remote_path;
    const int query = path.indexOf(QLatin1Char('?'));
    if (query >= 0) path.truncate(query);
    if (path.endsWith(QLatin1Char('/'))) return UnsafeName{QStringLiteral("'%1' names a folder").arg(remote_path)};
    return check_file_name(path.section(QLatin1Char('/'), -1));
}

}  // namespace tessera::downloads

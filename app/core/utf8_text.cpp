#include "utf8_text.h"

namespace tessera::app {
namespace {

bool has_lone_surrogate(const QString& text) {
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!c.isSurrogate()) continue;
        if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate())
            ++i;  // a pair
        else
            return true;
    }
    return false;
}

}  // namespace

std::string to_utf8(const QString& text) {
    if (!has_lone_surrogate(text)) return text.toStdString();  // the usual case: no copy
    QString fixed = text;
    for (qsizetype i = 0; i < fixed.size(); ++i) {
        if (!fixed[i].isSurrogate()) continue;
        if (fixed[i].isHighSurrogate() && i + 1 < fixed.size() && fixed[i + 1].isLowSurrogate())
            ++i;
        else
            fixed[i] = QChar::ReplacementCharacter;
    }
    return fixed.toStdString();
}

QString from_utf8(std::string_view bytes) {
    return QString::fromUtf8(bytes.data(), static_cast<qsizetype>(bytes.size()));
}

}  // namespace tessera::app

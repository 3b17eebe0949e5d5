// Text crossing between Qt (UTF-16) and the engine and history (UTF-8), with one rule for
// what cannot be represented (RELIABILITY.md U2): ill-formed UTF-8 and lone surrogates both
// become U+FFFD, so what is stored is what is shown. (QString::toUtf8 alone writes '?' for a
// lone surrogate; QString::fromUtf8 already writes U+FFFD.)
#pragma once

#include <QString>
#include <string>
#include <string_view>

namespace tessera::app {

std::string to_utf8(const QString& text);
QString from_utf8(std::string_view bytes);

}  // namespace tessera::app

#include "clipboard.h"

#include <QClipboard>
#include <QGuiApplication>

namespace tessera::app {

void Clipboard::setText(const QString& text) {
    if (auto* clipboard = QGuiApplication::clipboard()) clipboard->setText(text);
}

}  // namespace tessera::app

// The system clipboard for QML (Qt Quick has no clipboard API of its own).
#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace tessera::app {

class Clipboard : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_SINGLETON
public:
    using QObject::QObject;
    Q_INVOKABLE void setText(const QString& text);
};

}  // namespace tessera::app

// Nothing a reply contains makes the UI go online (U4): Markdown images and links in
// Text items would otherwise be fetched by the QML engine's network access manager. This
// factory gives the engine one that refuses every request that is not local (file:, qrc:, data:).
#pragma once

#include <QQmlNetworkAccessManagerFactory>

namespace tessera::app {

class OfflineNetworkAccessManagerFactory : public QQmlNetworkAccessManagerFactory {
public:
    QNetworkAccessManager* create(QObject* parent) override;
};

}  // namespace tessera::app

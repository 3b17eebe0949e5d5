#include "offline_network.h"

#include <QNetworkAccessManager>
#include <QNetworkRequest>

namespace tessera::app {
namespace {

class OfflineNetworkAccessManager : public QNetworkAccessManager {
public:
    using QNetworkAccessManager::QNetworkAccessManager;

protected:
    QNetworkReply* createRequest(Operation op, const QNetworkRequest& request, QIODevice* data) override {
        const QString scheme = request.url().scheme();
        if (scheme == QLatin1String("file") || scheme == QLatin1String("qrc") || scheme == QLatin1String("data"))
            return QNetworkAccessManager::createRequest(op, request, data);
        // A request without a URL fails at once (ProtocolUnknownError) without touching the network.
        return QNetworkAccessManager::createRequest(op, QNetworkRequest(), nullptr);
    }
};

}  // namespace

QNetworkAccessManager* OfflineNetworkAccessManagerFactory::create(QObject* parent) {
    return new OfflineNetworkAccessManager(parent);
}

}  // namespace tessera::app

// The remote servers of the models page: the saved ones (a list model: edit, remove) and the
// "Add server" form's work: checking the address, testing the connection (GET /v1/models,
// listing what the server serves, or saying clearly why not), saving. The server's row goes
// to the database, its API key to the SecretStore under "remote-server/<id>", never to the
// database. The connection test is asynchronous: the GUI thread never waits on the network.
#pragma once

#include <QAbstractListModel>
#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QtQml/qqmlregistration.h>
#include <filesystem>
#include <optional>
#include <vector>

#include "remote_endpoint.h"
#include "storage/remote_server_store.h"

#include <QNetworkReply>

class QNetworkAccessManager;

namespace tessera::app {

class RemoteServers : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by the ChatController")
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    // The connection test: running, its outcome (a sentence), whether it worked, the models.
    Q_PROPERTY(bool testing READ testing NOTIFY testChanged)
    Q_PROPERTY(bool testPassed READ testPassed NOTIFY testChanged)
    Q_PROPERTY(QString testMessage READ testMessage NOTIFY testChanged)
    Q_PROPERTY(QStringList testModels READ testModels NOTIFY testChanged)
    // Where keys are kept, for the form ("the desktop's secret store", or a file's path).
    Q_PROPERTY(QString keyLocation READ keyLocation CONSTANT)

public:
    enum Roles {
        IdRole = Qt::UserRole + 1,  // serverId: the row's id
        NameRole,                   // name
        BaseUrlRole,                // baseUrl
        HasKeyRole,                 // hasKey: an API key is in the secret store
        ModelsRole,                 // models: QStringList of model ids, as last listed
        FirstByteTimeoutRole,       // firstByteTimeout: seconds
        IdleTimeoutRole,            // idleTimeout: seconds
    };
    static constexpr int kDefaultFirstByteTimeoutS = 60;
    static constexpr int kDefaultIdleTimeoutS = 30;

    RemoteServers(storage::Database& db, std::filesystem::path data_dir, QObject* parent = nullptr);
    ~RemoteServers() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString errorText() const { return error_text_; }
    bool testing() const { return test_reply_ != nullptr; }
    bool testPassed() const { return test_passed_; }
    QString testMessage() const { return test_message_; }
    QStringList testModels() const { return test_models_; }
    QString keyLocation() const;

    // Why this address cannot be saved ("" when it can).
    Q_INVOKABLE QString urlProblem(const QString& url, bool allowPlainHttp) const;
    // http to another machine: the form asks the user to accept that the key travels in clear.
    Q_INVOKABLE bool needsPlainHttpConsent(const QString& url) const;
    // Asks {url}/v1/models with this key (or, when key is empty and serverId names a saved
    // server with a key, that server's stored key); testChanged tells the outcome.
    Q_INVOKABLE void testConnection(const QString& url, const QString& key, bool allowPlainHttp = false,
                                    qint64 serverId = 0, int timeoutSeconds = kDefaultFirstByteTimeoutS);
    // Adds (serverId 0) or updates a server; the models are those the test listed. An empty
    // key keeps the stored one unless forgetKey. Returns the server's id, 0 on error (errorText).
    Q_INVOKABLE qint64 save(qint64 serverId, const QString& name, const QString& url, const QString& key,
                            bool forgetKey, bool allowPlainHttp, int firstByteTimeoutSeconds,
                            int idleTimeoutSeconds, const QStringList& models);
    // Removes the server and its key.
    Q_INVOKABLE bool remove(qint64 serverId);
    Q_INVOKABLE void clearTest();
    Q_INVOKABLE void clearError();
    Q_INVOKABLE void refresh();

    // The saved server with this id; nullopt when there is none.
    std::optional<storage::RemoteServer> server(qint64 server_id) const;
    // What the chat needs to reach one of its models; nullopt (errorText) when it is gone.
    std::optional<RemoteEndpoint> endpoint(qint64 server_id, const QString& model_id);

signals:
    void errorTextChanged();
    void testChanged();
    // Servers or their models changed: the model picker lists them again.
    void serversChanged();

private:
    void startTest(const QUrl& base, const QString& key, int timeout_seconds);
    void onTestFinished();
    void endTest(bool passed, QString message, QStringList models = {});
    void setError(const QString& text);

    storage::RemoteServerStore store_;
    std::filesystem::path data_dir_;
    std::vector<storage::RemoteServer> rows_;
    QString error_text_;
    QNetworkAccessManager* network_;
    QPointer<QNetworkReply> test_reply_;
    QTimer test_timer_;
    bool test_timed_out_ = false;
    bool test_passed_ = false;
    QString test_message_;
    QStringList test_models_;
};

}  // namespace tessera::app

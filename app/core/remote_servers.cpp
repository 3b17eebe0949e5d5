#include "remote_servers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include "logging.h"
#include "remote_errors.h"
#include "secret_store.h"

namespace tessera::app {
namespace {

constexpr qint64 kMaxModelListBytes = 4 << 20;

// The ids of an OpenAI model list ({"object": "list", "data": [{"id": ...}, ...]}), or
// nullopt when the body is not one.
std::optional<QStringList> model_ids(const QByteArray& body) {
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject() || !doc.object().value(QLatin1String("data")).isArray()) return std::nullopt;
    QStringList ids;
    for (const QJsonValue& entry : doc.object().value(QLatin1String("data")).toArray()) {
        const QString id = entry.toObject().value(QLatin1String("id")).toString();
        if (id.isEmpty() || id.contains(QLatin1Char('\n'))) return std::nullopt;
        ids.append(id);
    }
    return ids;
}

}  // namespace

RemoteServers::RemoteServers(storage::Database& db, std::filesystem::path data_dir, QObject* parent)
    : QAbstractListModel(parent), store_(db), data_dir_(std::move(data_dir)), network_(new QNetworkAccessManager(this)) {
    test_timer_.setSingleShot(true);
    connect(&test_timer_, &QTimer::timeout, this, [this] {
        test_timed_out_ = true;
        if (test_reply_) test_reply_->abort();
    });
    refresh();
}

RemoteServers::~RemoteServers() {
    if (test_reply_) {
        test_reply_->disconnect(this);
        test_reply_->abort();
    }
}

int RemoteServers::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QVariant RemoteServers::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const storage::RemoteServer& r = rows_[static_cast<size_t>(index.row())];
    switch (role) {
        case IdRole: return QVariant::fromValue<qint64>(r.id);
        case NameRole: return QString::fromStdString(r.name);
        case BaseUrlRole: return QString::fromStdString(r.base_url);
        case HasKeyRole: return r.has_key;
        case ModelsRole: {
            QStringList models;
            for (const auto& m : r.models) models.append(QString::fromStdString(m));
            return models;
        }
        case FirstByteTimeoutRole: return static_cast<int>(r.first_byte_timeout_ms / 1000);
        case IdleTimeoutRole: return static_cast<int>(r.idle_timeout_ms / 1000);
        default: return {};
    }
}

QHash<int, QByteArray> RemoteServers::roleNames() const {
    return {{IdRole, "serverId"},         {NameRole, "name"},   {BaseUrlRole, "baseUrl"},
            {HasKeyRole, "hasKey"},       {ModelsRole, "models"}, {FirstByteTimeoutRole, "firstByteTimeout"},
            {IdleTimeoutRole, "idleTimeout"}};
}

QString RemoteServers::keyLocation() const { return QString::fromStdString(SecretStore(data_dir_).location()); }

QString RemoteServers::urlProblem(const QString& url, bool allowPlainHttp) const {
    return base_url_problem(url, allowPlainHttp);
}

bool RemoteServers::needsPlainHttpConsent(const QString& url) const { return needs_plain_http_consent(url); }

void RemoteServers::refresh() {
    auto servers = store_.servers();
    if (!servers) {
        setError(tr("The remote servers could not be read: %1").arg(QString::fromStdString(servers.error().message)));
        return;
    }
    beginResetModel();
    rows_ = std::move(*servers);
    endResetModel();
}

void RemoteServers::testConnection(const QString& url, const QString& key, bool allowPlainHttp, qint64 serverId,
                                   int timeoutSeconds) {
    if (test_reply_) {  // a new test replaces one still running
        test_reply_->disconnect(this);
        test_reply_->abort();
        test_reply_->deleteLater();
        test_reply_ = nullptr;
    }
    const QString problem = base_url_problem(url, allowPlainHttp);
    if (!problem.isEmpty()) {
        endTest(false, problem);
        return;
    }
    QString used_key = key;
    if (used_key.isEmpty() && serverId > 0) {
        auto stored = SecretStore(data_dir_).load(secret_name(serverId));
        if (!stored) {
            endTest(false, tr("The stored API key could not be read: %1").arg(QString::fromStdString(stored.error().message)));
            return;
        }
        if (*stored) used_key = QString::fromStdString(**stored);
    }
    startTest(normalized_base_url(url), used_key, timeoutSeconds);
}

void RemoteServers::startTest(const QUrl& base, const QString& key, int timeout_seconds) {
    test_passed_ = false;
    test_message_ = tr("Asking %1 for its models…").arg(base.toString());
    test_models_.clear();
    test_timed_out_ = false;
    QNetworkRequest request = api_request(api_url(base, QStringLiteral("models")), key);
    test_reply_ = network_->get(request);
    connect(test_reply_, &QNetworkReply::finished, this, &RemoteServers::onTestFinished);
    test_timer_.start(std::max(timeout_seconds, 1) * 1000);
    emit testChanged();
}

void RemoteServers::onTestFinished() {
    QNetworkReply* reply = test_reply_;
    if (!reply) return;
    test_timer_.stop();
    test_reply_ = nullptr;
    reply->deleteLater();
    const QByteArray body = reply->isOpen() ? reply->read(kMaxModelListBytes) : QByteArray();  // closed when aborted
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (test_timed_out_) {
        endTest(false, tr("The server at %1 did not answer in time.").arg(reply->url().authority()));
        return;
    }
    if (reply->error() != QNetworkReply::NoError || status >= 300) {
        endTest(false, describe_failed_reply(*reply, body));
        return;
    }
    auto models = model_ids(body);
    if (!models) {
        endTest(false, tr("The server answered, but not like an OpenAI-compatible server: %1 is not a model list "
                          "(\"%2\").")
                           .arg(reply->url().path(), QString::fromUtf8(body.left(80)).simplified()));
        return;
    }
    if (models->isEmpty()) {
        endTest(false, tr("The server answered but serves no models."));
        return;
    }
    endTest(true, models->size() == 1 ? tr("Connected: 1 model.") : tr("Connected: %1 models.").arg(models->size()),
            *models);
}

void RemoteServers::endTest(bool passed, QString message, QStringList models) {
    if (!passed && !message.isEmpty()) qCInfo(lcRemote) << "connection test:" << message;
    test_passed_ = passed;
    test_message_ = std::move(message);
    test_models_ = std::move(models);
    emit testChanged();
}

void RemoteServers::clearTest() {
    if (test_reply_) {
        test_reply_->disconnect(this);
        test_reply_->abort();
        test_reply_->deleteLater();
        test_reply_ = nullptr;
    }
    test_timer_.stop();
    endTest(false, {});
}

qint64 RemoteServers::save(qint64 serverId, const QString& name, const QString& url, const QString& key,
                           bool forgetKey, bool allowPlainHttp, int firstByteTimeoutSeconds, int idleTimeoutSeconds,
                           const QStringList& models) {
    if (name.trimmed().isEmpty()) {
        setError(tr("Give the server a name (it is shown beside its models)."));
        return 0;
    }
    if (const QString problem = base_url_problem(url, allowPlainHttp); !problem.isEmpty()) {
        setError(problem);
        return 0;
    }
    if (firstByteTimeoutSeconds < 1 || idleTimeoutSeconds < 1) {
        setError(tr("The time limits must be at least one second."));
        return 0;
    }
    storage::RemoteServer row;
    if (serverId > 0) {
        auto existing = store_.server(serverId);
        if (!existing) {
            setError(tr("The server could not be read: %1").arg(QString::fromStdString(existing.error().message)));
            return 0;
        }
        row = *existing;
    }
    row.name = name.trimmed().toStdString();
    row.base_url = normalized_base_url(url).toString().toStdString();
    row.first_byte_timeout_ms = qint64{firstByteTimeoutSeconds} * 1000;
    row.idle_timeout_ms = qint64{idleTimeoutSeconds} * 1000;
    row.models.clear();
    for (const QString& m : models) row.models.push_back(m.toStdString());
    const bool new_key = !key.isEmpty();
    row.has_key = new_key || (row.has_key && !forgetKey);
    if (serverId == 0) {
        row.has_key = false;  // set once the key is stored: the row never claims a key it lacks
        auto added = store_.add(row);
        if (!added) {
            setError(tr("The server could not be saved: %1").arg(QString::fromStdString(added.error().message)));
            return 0;
        }
        row.id = *added;
        row.has_key = new_key;
    }
    SecretStore secrets(data_dir_);
    if (new_key) {
        if (auto s = secrets.store(secret_name(row.id), key.toStdString()); !s) {
            setError(tr("The API key could not be kept in the secret store: %1").arg(QString::fromStdString(s.error().message)));
            row.has_key = false;
        }
    } else if (forgetKey) {
        if (auto s = secrets.remove(secret_name(row.id)); !s)
            qCWarning(lcRemote) << "removing a key:" << s.error().message.c_str();
    }
    if (auto s = store_.update(row); !s) {
        setError(tr("The server could not be saved: %1").arg(QString::fromStdString(s.error().message)));
        return 0;
    }
    refresh();
    emit serversChanged();
    return row.id;
}

bool RemoteServers::remove(qint64 serverId) {
    if (auto s = store_.remove(serverId); !s) {
        setError(tr("The server could not be removed: %1").arg(QString::fromStdString(s.error().message)));
        return false;
    }
    if (auto s = SecretStore(data_dir_).remove(secret_name(serverId)); !s)
        setError(tr("The server was removed, but its API key could not be removed from the secret store: %1")
                     .arg(QString::fromStdString(s.error().message)));
    refresh();
    emit serversChanged();
    return true;
}

std::optional<storage::RemoteServer> RemoteServers::server(qint64 server_id) const {
    for (const auto& r : rows_)
        if (r.id == server_id) return r;
    return std::nullopt;
}

std::optional<RemoteEndpoint> RemoteServers::endpoint(qint64 server_id, const QString& model_id) {
    auto r = store_.server(server_id);
    if (!r) {
        setError(tr("The remote server could not be read: %1").arg(QString::fromStdString(r.error().message)));
        return std::nullopt;
    }
    RemoteEndpoint e;
    e.server_id = r->id;
    e.server_name = QString::fromStdString(r->name);
    e.base = normalized_base_url(QString::fromStdString(r->base_url));
    e.model_id = model_id;
    e.data_dir = data_dir_;
    e.has_key = r->has_key;
    e.first_byte_timeout_ms = static_cast<int>(r->first_byte_timeout_ms);
    e.idle_timeout_ms = static_cast<int>(r->idle_timeout_ms);
    return e;
}

void RemoteServers::clearError() {
    if (error_text_.isEmpty()) return;
    error_text_.clear();
    emit errorTextChanged();
}

void RemoteServers::setError(const QString& text) {
    error_text_ = text;
    emit errorTextChanged();
}

}  // namespace tessera::app

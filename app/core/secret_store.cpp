#include "secret_store.h"

#include <QEventLoop>
#include <qt6keychain/keychain.h>

#include <cstdlib>
#include <cstring>
#include <unistd.h>

#include "logging.h"
#include "secret_file.h"

namespace tessera::app {
namespace {

const QString kService = QStringLiteral("Tessera");

// The desktop's store holds secrets of every data folder on this account; the folder in the
// key keeps two folders' secrets apart.
QString desktop_key(const std::filesystem::path& data_dir, const std::string& name) {
    return QString::fromStdString(name + " @ " + data_dir.string());
}

// Runs a QtKeychain job to its end (a nested event loop on this thread).
QKeychain::Error run_job(QKeychain::Job& job, QString* error_text = nullptr) {
    job.setAutoDelete(false);
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
    if (error_text) *error_text = job.errorString();
    return job.error();
}

// Errors that mean "no usable desktop store here", as opposed to "no such entry".
bool desktop_unavailable(QKeychain::Error error) {
    return error == QKeychain::NoBackendAvailable || error == QKeychain::NotImplemented ||
           error == QKeychain::AccessDenied || error == QKeychain::AccessDeniedByUser ||
           error == QKeychain::OtherError;
}

}  // namespace

SecretStore::Backend SecretStore::backend_from_environment() {
    const char* choice = std::getenv("TESSERA_SECRET_STORE");
    return choice && std::strcmp(choice, "file") == 0 ? Backend::File : Backend::Automatic;
}

SecretStore::SecretStore(std::filesystem::path data_dir, Backend backend)
    : data_dir_(std::move(data_dir)), file_(data_dir_ / "secrets.json"), backend_(backend) {}

bool SecretStore::desktop_store_usable() const {
    if (backend_ == Backend::File || desktop_failed_) return false;
    // Without a session bus the desktop's store cannot answer; asking would only time out.
    if (std::getenv("DBUS_SESSION_BUS_ADDRESS")) return true;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    return runtime && ::access((std::string(runtime) + "/bus").c_str(), F_OK) == 0;
}

Status SecretStore::store(const std::string& name, const std::string& secret) {
    if (desktop_store_usable()) {
        QKeychain::WritePasswordJob job(kService);
        job.setKey(desktop_key(data_dir_, name));
        job.setTextData(QString::fromStdString(secret));
        QString why;
        if (run_job(job, &why) == QKeychain::NoError) {
            // An older copy in the file would outlive the new one: drop it.
            auto secrets = read_secret_file(file_);
            if (secrets && secrets->erase(name) > 0) TESSERA_TRY(write_secret_file(file_, *secrets));
            return {};
        }
        qCWarning(lcSecrets, "the desktop's secret store refused to keep a secret (%s); using %s",
                  qPrintable(why), file_.c_str());
        desktop_failed_ = true;
    }
    auto secrets = read_secret_file(file_);
    if (!secrets) return secrets.error();
    (*secrets)[name] = secret;
    return write_secret_file(file_, *secrets);
}

Result<std::optional<std::string>> SecretStore::load(const std::string& name) const {
    if (desktop_store_usable()) {
        QKeychain::ReadPasswordJob job(kService);
        job.setKey(desktop_key(data_dir_, name));
        const QKeychain::Error error = run_job(job);
        if (error == QKeychain::NoError) return std::optional<std::string>(job.textData().toStdString());
        if (desktop_unavailable(error)) desktop_failed_ = true;
    }
    auto secrets = read_secret_file(file_);
    if (!secrets) return secrets.error();
    const auto found = secrets->find(name);
    if (found == secrets->end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
}

Status SecretStore::remove(const std::string& name) {
    if (desktop_store_usable()) {
        QKeychain::DeletePasswordJob job(kService);
        job.setKey(desktop_key(data_dir_, name));
        if (desktop_unavailable(run_job(job))) desktop_failed_ = true;
    }
    auto secrets = read_secret_file(file_);
    if (!secrets) return secrets.error();
    if (secrets->erase(name) == 0) return {};
    return write_secret_file(file_, *secrets);
}

std::string SecretStore::location() const {
    if (desktop_store_usable()) return "the desktop's secret store";
    return file_.string() + " (readable only by you)";
}

}  // namespace tessera::app

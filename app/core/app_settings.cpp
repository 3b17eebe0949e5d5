#include "app_settings.h"

#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <algorithm>

#include "backend/backend_choice.h"
#include "logging.h"
#include "security.h"
#include "storage/paths.h"

namespace tessera::app {
namespace {

const QString kDevice = QStringLiteral("device");
const QString kThreads = QStringLiteral("threads");
const QString kGpuOffload = QStringLiteral("gpuOffload");
const QString kContextLength = QStringLiteral("contextLength");
const QString kTheme = QStringLiteral("theme");
const QString kFontSize = QStringLiteral("fontSize");
const QString kDataFolder = QStringLiteral("dataFolder");
const QString kServerEnabled = QStringLiteral("serverEnabled");
const QString kServerPort = QStringLiteral("serverPort");
const QString kServerToken = QStringLiteral("serverToken");
constexpr qsizetype kMinTokenLength = 16;  // as tessera-cli serve --token

// Stored keys are prefixed: the table is shared with other parts of the app.
std::string row_key(const QString& key) { return "app." + key.toStdString(); }

// The history of `folder` without the app's lock or migrations: only the settings table is
// read or written, and it exists in every schema the app has created.
storage::DbResult<storage::Database> open_settings_database(const QString& folder, bool read_only) {
    storage::ConnectionOptions options;
    options.read_only = read_only;
    options.create = false;
    return storage::Database::open(storage::database_path(folder.toStdString()), options);
}

QString data_folder_problem(const QString& text) {
    if (text.isEmpty()) return AppSettings::tr("Data folder: enter a folder.");
    if (!QDir::isAbsolutePath(text))
        return AppSettings::tr("Data folder: \"%1\" is not a full path (start it with /).").arg(text);
    const QFileInfo info(text);
    if (info.exists() && !info.isDir()) return AppSettings::tr("Data folder: \"%1\" is a file, not a folder.").arg(text);
    if (!info.exists() && !QFileInfo(info.absolutePath()).isDir())
        return AppSettings::tr("Data folder: the folder above \"%1\" does not exist.").arg(text);
    return {};
}

std::optional<int> as_int(const QVariant& value) {
    bool ok = false;
    const int n = value.toString().trimmed().toInt(&ok);
    return ok ? std::optional<int>(n) : std::nullopt;
}

}  // namespace

AppSettings::AppSettings(storage::Database& db, QString current_data_folder, QObject* parent)
    : QObject(parent),
      db_(db),
      data_folder_(current_data_folder),
      current_data_folder_(current_data_folder),
      default_data_folder_(std::move(current_data_folder)) {
    load();
}

int AppSettings::maxThreads() const { return std::max(1, QThread::idealThreadCount()); }

QString AppSettings::gpuOffload() const {
    return engine_.gpu_layers < 0 ? QStringLiteral("auto") : QString::number(engine_.gpu_layers);
}

QString AppSettings::problem(const QString& key, const QVariant& value) const {
    const QString text = value.toString().trimmed();
    if (key == kDevice) {
        if (text == QLatin1String("auto")) return {};
        auto spec = parse_backend(text.toStdString());
        return spec ? QString() : tr("Device: %1").arg(QString::fromStdString(spec.error().message));
    }
    if (key == kThreads) {
        const auto n = as_int(value);
        if (!n || *n < 0 || *n > 4 * maxThreads())
            return tr("Threads: enter 0 (one per processor thread, %1 here) or a count from 1 to %2.")
                .arg(maxThreads()).arg(4 * maxThreads());
        return {};
    }
    if (key == kGpuOffload) {
        if (text == QLatin1String("auto")) return {};
        const auto n = as_int(value);
        if (!n || *n < 0 || *n > kMaxGpuLayers)
            return tr("GPU offload: enter \"auto\" or a number of layers from 0 to %1.").arg(kMaxGpuLayers);
        return {};
    }
    if (key == kContextLength) {
        const auto n = as_int(value);
        if (!n || *n < kMinContext || *n > kMaxContext)
            return tr("Context length: enter a number of tokens from %1 to %2.").arg(kMinContext).arg(kMaxContext);
        return {};
    }
    if (key == kTheme) {
        if (text == QLatin1String("system") || text == QLatin1String("light") || text == QLatin1String("dark")) return {};
        return tr("Theme: choose system, light or dark (not \"%1\").").arg(text);
    }
    if (key == kFontSize) {
        const auto n = as_int(value);
        if (!n || *n < kMinFontSize || *n > kMaxFontSize)
            return tr("Font size: enter a size from %1 to %2 pixels.").arg(kMinFontSize).arg(kMaxFontSize);
        return {};
    }
    if (key == kDataFolder) return data_folder_problem(text);
    if (key == kServerEnabled) {
        if (text == QLatin1String("true") || text == QLatin1String("false")) return {};
        return tr("Local server: on or off (true or false), not \"%1\".").arg(text);
    }
    if (key == kServerPort) {
        const auto n = as_int(value);
        if (!n || *n < 0 || *n > 65535) return tr("Server port: enter a port from 1 to 65535, or 0 for any free port.");
        return {};
    }
    if (key == kServerToken) {
        const bool plain = std::all_of(text.begin(), text.end(), [](QChar c) {
            return c.isLetterOrNumber() && c.unicode() < 128;
        });
        if (text.size() < kMinTokenLength || !plain)
            return tr("Server token: at least %1 letters and digits.").arg(kMinTokenLength);
        return {};
    }
    return tr("Unknown setting \"%1\".").arg(key);
}

bool AppSettings::store(const QString& key, const QVariant& value) {
    if (const QString why = problem(key, value); !why.isEmpty()) {
        setError(why);
        return false;
    }
    const std::string text = value.toString().trimmed().toStdString();
    if (key != kDataFolder || default_data_folder_ == current_data_folder_) return write(db_, key, text);
    // The data folder lives in the default folder's history: the one read at the next start.
    auto other = open_settings_database(default_data_folder_, false);
    if (!other) {
        setError(tr("The data folder was not saved in %1: %2")
                     .arg(default_data_folder_, QString::fromStdString(other.error().message)));
        return false;
    }
    return write(*other, key, text);
}

bool AppSettings::write(storage::Database& db, const QString& key, const std::string& text) {
    auto written = db.run("INSERT INTO settings (key, value) VALUES (?, ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          row_key(key), text);
    if (!written) {
        setError(tr("The setting was not saved: %1").arg(QString::fromStdString(written.error().message)));
        return false;
    }
    clearError();
    return true;
}

void AppSettings::load() {
    auto stmt = db_.prepare("SELECT key, value FROM settings WHERE key LIKE 'app.%'");
    if (!stmt) {
        qCWarning(lcHistory) << "reading the settings:" << stmt.error().message.c_str();
        return;
    }
    while (true) {
        auto row = stmt->step();
        if (!row) {
            qCWarning(lcHistory) << "reading the settings:" << row.error().message.c_str();
            return;
        }
        if (!*row) break;
        const QString key = QString::fromStdString(stmt->column_text(0)).mid(4);
        const QString value = QString::fromStdString(stmt->column_text(1));
        if (const QString why = problem(key, value); !why.isEmpty()) {
            qCWarning(lcHistory) << "ignoring the stored setting" << key << "=" << value << ":" << why;
            continue;
        }
        if (key == kDevice) engine_.device = value;
        else if (key == kThreads) engine_.threads = value.toInt();
        else if (key == kGpuOffload) engine_.gpu_layers = value == QLatin1String("auto") ? -1 : value.toInt();
        else if (key == kContextLength) engine_.context_length = value.toInt();
        else if (key == kTheme) theme_ = value;
        else if (key == kFontSize) font_size_ = value.toInt();
        else if (key == kDataFolder) data_folder_ = value;
        else if (key == kServerEnabled) server_enabled_ = value == QLatin1String("true");
        else if (key == kServerPort) server_port_ = value.toInt();
        else if (key == kServerToken) server_token_ = value;
    }
    if (server_token_.isEmpty()) {  // the first start: this install's secret
        server_token_ = QString::fromStdString(server::generate_token());
        auto written = db_.run("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                               row_key(kServerToken), server_token_.toStdString());
        // A read-only history keeps it for this run only; the page still shows it.
        if (!written) qCWarning(lcHistory) << "saving the server token:" << written.error().message.c_str();
    }
}

QString AppSettings::start_data_folder(const QString& default_folder) {
    auto db = open_settings_database(default_folder, true);
    if (!db) return default_folder;  // a first start: no history there yet
    auto stmt = db->prepare("SELECT value FROM settings WHERE key = ?");
    if (!stmt || !stmt->bind(1, row_key(kDataFolder))) return default_folder;
    auto row = stmt->step();
    if (!row || !*row) return default_folder;
    const QString folder = QString::fromStdString(stmt->column_text(0));
    // A folder that no longer validates (a file now, say) is not followed; the default opens.
    if (const QString why = data_folder_problem(folder); !why.isEmpty()) {
        qCWarning(lcHistory) << "not using the stored data folder:" << why;
        return default_folder;
    }
    return folder;
}

void AppSettings::setDefaultDataFolder(const QString& folder) {
    default_data_folder_ = folder;
    const QString next = folder == current_data_folder_ ? data_folder_ : start_data_folder(folder);
    if (next == data_folder_) return;
    data_folder_ = next;
    emit dataFolderChanged();
}

void AppSettings::setDevice(const QString& device) {
    const QString d = device.trimmed();
    if (d == engine_.device || !store(kDevice, d)) return;
    engine_.device = d;
    emit deviceChanged();
    emit engineSettingsChanged();
}

void AppSettings::setThreads(int threads) {
    if (threads == engine_.threads || !store(kThreads, threads)) return;
    engine_.threads = threads;
    emit threadsChanged();
    emit engineSettingsChanged();
}

void AppSettings::setGpuOffload(const QString& offload) {
    const QString o = offload.trimmed();
    if (o == gpuOffload() || !store(kGpuOffload, o)) return;
    engine_.gpu_layers = o == QLatin1String("auto") ? -1 : o.toInt();
    emit gpuOffloadChanged();
    emit engineSettingsChanged();
}

void AppSettings::setContextLength(int tokens) {
    if (tokens == engine_.context_length || !store(kContextLength, tokens)) return;
    engine_.context_length = tokens;
    emit contextLengthChanged();
    emit engineSettingsChanged();
}

void AppSettings::setTheme(const QString& theme) {
    if (theme == theme_ || !store(kTheme, theme)) return;
    theme_ = theme;
    emit themeChanged();
}

void AppSettings::setFontSize(int size) {
    if (size == font_size_ || !store(kFontSize, size)) return;
    font_size_ = size;
    emit fontSizeChanged();
}

void AppSettings::setDataFolder(const QString& folder) {
    const QString f = QDir::cleanPath(folder.trimmed());
    if (f == data_folder_ || !store(kDataFolder, f)) return;
    data_folder_ = f;
    emit dataFolderChanged();
}

void AppSettings::setDataFolderFromCommandLine(bool given) {
    if (given == data_folder_from_command_line_) return;
    data_folder_from_command_line_ = given;
    emit dataFolderFromCommandLineChanged();
}

void AppSettings::setServerEnabled(bool enabled) {
    if (enabled == server_enabled_ || !store(kServerEnabled, enabled)) return;
    server_enabled_ = enabled;
    emit serverEnabledChanged();
}

void AppSettings::setServerPort(int port) {
    if (port == server_port_ || !store(kServerPort, port)) return;
    server_port_ = port;
    emit serverPortChanged();
}

void AppSettings::regenerateServerToken() {
    const QString token = QString::fromStdString(server::generate_token());
    if (!store(kServerToken, token)) return;
    server_token_ = token;
    emit serverTokenChanged();
}

void AppSettings::clearError() {
    if (error_text_.isEmpty()) return;
    error_text_.clear();
    emit errorTextChanged();
}

void AppSettings::setError(const QString& text) {
    error_text_ = text;
    emit errorTextChanged();
}

}  // namespace tessera::app

// The app's own settings (the settings page), kept as key/value rows in the history
// database's `settings` table so they move with the data folder. Every setter validates:
// a bad value is refused with a message a person can act on (errorText) and nothing is
// stored; a stored value that no longer validates (edited by hand) falls back to its default.
#pragma once

#include <QObject>
#include <QString>
#include <QVariant>
#include <QtQml/qqmlregistration.h>
#include <optional>

#include "storage/database.h"

namespace tessera::app {

// What the engine loader needs from the settings (device, threads, offload, context).
struct EngineSettings {
    QString device = QStringLiteral("auto");  // "auto" (the CPU), "cpu", "vulkan", "vulkan:N|NAME"
    int threads = 0;                          // 0: one per hardware thread
    int gpu_layers = -1;                      // -1: automatic
    int context_length = 4096;
    bool operator==(const EngineSettings&) const = default;
};

class AppSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Created by the application")
    Q_PROPERTY(QString device READ device WRITE setDevice NOTIFY deviceChanged)
    Q_PROPERTY(int threads READ threads WRITE setThreads NOTIFY threadsChanged)
    // "auto" or a layer count (text, so a form can bind it directly).
    Q_PROPERTY(QString gpuOffload READ gpuOffload WRITE setGpuOffload NOTIFY gpuOffloadChanged)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY contextLengthChanged)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(int fontSize READ fontSize WRITE setFontSize NOTIFY fontSizeChanged)
    // The folder the next start uses (the running app keeps the one it opened). It is kept
    // in the default folder's history (start_data_folder), whichever folder is open now.
    Q_PROPERTY(QString dataFolder READ dataFolder WRITE setDataFolder NOTIFY dataFolderChanged)
    Q_PROPERTY(QString currentDataFolder READ currentDataFolder CONSTANT)
    // The app was started with --data-dir: that folder is open, whatever dataFolder says.
    Q_PROPERTY(bool dataFolderFromCommandLine READ dataFolderFromCommandLine WRITE setDataFolderFromCommandLine
                   NOTIFY dataFolderFromCommandLineChanged)
    Q_PROPERTY(QString errorText READ errorText NOTIFY errorTextChanged)
    Q_PROPERTY(int maxThreads READ maxThreads CONSTANT)
    // The local API server (off by default): its port (0: any free port) and the bearer token
    // clients send, a per-install secret made at the first start and replaced on request.
    Q_PROPERTY(bool serverEnabled READ serverEnabled WRITE setServerEnabled NOTIFY serverEnabledChanged)
    Q_PROPERTY(int serverPort READ serverPort WRITE setServerPort NOTIFY serverPortChanged)
    Q_PROPERTY(QString serverToken READ serverToken NOTIFY serverTokenChanged)

public:
    static constexpr int kMinContext = 64;
    static constexpr int kMaxContext = 1 << 20;
    static constexpr int kMinFontSize = 10;
    static constexpr int kMaxFontSize = 28;
    static constexpr int kMaxGpuLayers = 1000;
    static constexpr int kDefaultServerPort = 8080;

    // Reads the stored settings; a database that cannot be read leaves the defaults (warned).
    AppSettings(storage::Database& db, QString current_data_folder, QObject* parent = nullptr);

    QString device() const { return engine_.device; }
    int threads() const { return engine_.threads; }
    QString gpuOffload() const;
    int contextLength() const { return engine_.context_length; }
    QString theme() const { return theme_; }
    int fontSize() const { return font_size_; }
    QString dataFolder() const { return data_folder_; }
    QString currentDataFolder() const { return current_data_folder_; }
    bool dataFolderFromCommandLine() const { return data_folder_from_command_line_; }
    void setDataFolderFromCommandLine(bool given);
    QString errorText() const { return error_text_; }
    int maxThreads() const;
    bool serverEnabled() const { return server_enabled_; }
    int serverPort() const { return server_port_; }
    QString serverToken() const { return server_token_; }
    const EngineSettings& engineSettings() const { return engine_; }

    void setDevice(const QString& device);
    void setThreads(int threads);
    void setGpuOffload(const QString& offload);
    void setContextLength(int tokens);
    void setTheme(const QString& theme);
    void setFontSize(int size);
    void setDataFolder(const QString& folder);
    void setServerEnabled(bool enabled);
    void setServerPort(int port);
    // A new random token, stored; the old one is refused from now on.
    Q_INVOKABLE void regenerateServerToken();

    // Why `value` would be refused for the setting `key` (a property name); "" when it is fine.
    Q_INVOKABLE QString problem(const QString& key, const QVariant& value) const;
    Q_INVOKABLE void clearError();

    // The folder whose history holds the data folder setting: the default one (XDG or
    // TESSERA_DATA_DIR). Without this call it is the current folder.
    void setDefaultDataFolder(const QString& folder);
    // The data folder to open at start: the one stored in the default folder's history,
    // or the default folder itself (no history there yet, or no valid setting).
    static QString start_data_folder(const QString& default_folder);

signals:
    void deviceChanged();
    void threadsChanged();
    void gpuOffloadChanged();
    void contextLengthChanged();
    void themeChanged();
    void fontSizeChanged();
    void dataFolderChanged();
    void dataFolderFromCommandLineChanged();
    void errorTextChanged();
    void serverEnabledChanged();
    void serverPortChanged();
    void serverTokenChanged();
    // Device, threads, offload or context changed: a loaded model is reloaded to apply them.
    void engineSettingsChanged();

private:
    void load();
    bool write(storage::Database& db, const QString& key, const std::string& text);
    // Validates and stores; false (errorText set) when refused or not written.
    bool store(const QString& key, const QVariant& value);
    void setError(const QString& text);

    storage::Database& db_;
    EngineSettings engine_;
    QString theme_ = QStringLiteral("system");
    int font_size_ = 14;
    QString data_folder_;
    QString current_data_folder_;
    QString default_data_folder_;
    bool data_folder_from_command_line_ = false;
    QString error_text_;
    bool server_enabled_ = false;
    int server_port_ = kDefaultServerPort;
    QString server_token_;
};

}  // namespace tessera::app

// The settings page's C++: AppSettings (defaults, validation, kept across restarts in the
// history's settings table), the device list (lavapipe in CI), backup and export (files
// that appear and are valid), and reloading the model with new engine settings while the
// conversation stays as it was.
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "storage/database.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;

namespace {

constexpr int kWaitMs = 120000;  // a bound for a stuck worker, not a performance limit

bool wait_until_not_loading(EngineThread& engine) {
    QSignalSpy state(&engine, &EngineThread::stateChanged);
    while (engine.state() == EngineThread::State::Loading)
        if (!state.wait(kWaitMs)) return false;
    return true;
}

bool wait_for_action(DataActions& actions) {
    QSignalSpy done(&actions, &DataActions::finished);
    return !actions.busy() || done.wait(kWaitMs);
}

}  // namespace

class SettingsTest : public QObject {
    Q_OBJECT

private slots:
    void init() { QVERIFY(dir_.isValid()); }

    void defaultsOnAFreshHistory() {
        AppFixture app(dir_.path() + QStringLiteral("/fresh"));
        QVERIFY(app.open(false));
        const AppSettings& s = *app.controller().settings();
        QCOMPARE(s.device(), QStringLiteral("auto"));
        QCOMPARE(s.threads(), 0);
        QCOMPARE(s.gpuOffload(), QStringLiteral("auto"));
        QCOMPARE(s.contextLength(), 4096);
        QCOMPARE(s.theme(), QStringLiteral("system"));
        QCOMPARE(s.fontSize(), 14);
        QCOMPARE(s.dataFolder(), dir_.path() + QStringLiteral("/fresh"));
        QCOMPARE(s.currentDataFolder(), s.dataFolder());
    }

    void everySettingIsKeptAcrossARestart() {
        const QString data = dir_.path() + QStringLiteral("/kept");
        const QString elsewhere = dir_.path() + QStringLiteral("/elsewhere");
        {
            AppFixture app(data);
            QVERIFY(app.open(false));
            AppSettings& s = *app.controller().settings();
            QSignalSpy engineChanges(&s, &AppSettings::engineSettingsChanged);
            s.setDevice(QStringLiteral("vulkan:0"));
            s.setThreads(2);
            s.setGpuOffload(QStringLiteral("12"));
            s.setContextLength(2048);
            s.setTheme(QStringLiteral("dark"));
            s.setFontSize(17);
            s.setDataFolder(elsewhere);
            QCOMPARE(s.errorText(), QString());
            QCOMPARE(engineChanges.count(), 4);  // theme, font and folder do not reload the model
        }
        AppFixture reopened(data);
        QVERIFY(reopened.open(false));
        const AppSettings& s = *reopened.controller().settings();
        QCOMPARE(s.device(), QStringLiteral("vulkan:0"));
        QCOMPARE(s.threads(), 2);
        QCOMPARE(s.gpuOffload(), QStringLiteral("12"));
        QCOMPARE(s.contextLength(), 2048);
        QCOMPARE(s.theme(), QStringLiteral("dark"));
        QCOMPARE(s.fontSize(), 17);
        QCOMPARE(s.dataFolder(), elsewhere);
        QCOMPARE(s.currentDataFolder(), data);  // a new folder takes effect at the next start
        QCOMPARE(AppSettings::start_data_folder(data), elsewhere);
        QCOMPARE(reopened.controller().settings()->engineSettings().gpu_layers, 12);
    }

    void badValuesAreRefusedWithAReasonAndNotStored() {
        const QString data = dir_.path() + QStringLiteral("/bad");
        QFile file(dir_.path() + QStringLiteral("/a-file"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        {
            AppFixture app(data);
            QVERIFY(app.open(false));
            AppSettings& s = *app.controller().settings();
            const auto refused = [&s](const char* what) {
                if (!s.errorText().contains(QLatin1String(what)))
                    qWarning("error text '%s' does not name '%s'", qPrintable(s.errorText()), what);
                return s.errorText().contains(QLatin1String(what));
            };
            s.setDevice(QStringLiteral("gpu"));
            QVERIFY(refused("unknown device 'gpu'"));
            s.setThreads(-1);
            QVERIFY(refused("Threads"));
            s.setGpuOffload(QStringLiteral("many"));
            QVERIFY(refused("GPU offload"));
            s.setContextLength(10);  // below the smallest (64)
            QVERIFY(refused("Context length"));
            s.setTheme(QStringLiteral("purple"));
            QVERIFY(refused("purple"));
            s.setFontSize(99);
            QVERIFY(refused("Font size"));
            s.setDataFolder(QStringLiteral("relative/path"));
            QVERIFY(refused("not a full path"));
            s.setDataFolder(file.fileName());
            QVERIFY(refused("is a file"));
            QCOMPARE(s.problem(QStringLiteral("threads"), 3), QString());
            QVERIFY(!s.problem(QStringLiteral("threads"), QStringLiteral("x")).isEmpty());
            s.setThreads(3);
            QCOMPARE(s.errorText(), QString());  // a good value clears the last message
            // A value edited by hand into the table is ignored at the next start.
            QVERIFY(app.storage().db().run("INSERT INTO settings (key, value) VALUES ('app.fontSize', 'huge')").ok());
        }
        AppFixture reopened(data);
        QVERIFY(reopened.open(false));
        const AppSettings& s = *reopened.controller().settings();
        QCOMPARE(s.device(), QStringLiteral("auto"));
        QCOMPARE(s.theme(), QStringLiteral("system"));
        QCOMPARE(s.fontSize(), 14);
        QCOMPARE(s.threads(), 3);
    }

    // The data folder is kept in the default folder's history (the one read at start), also
    // when it is changed again from the folder it led to.
    void theDataFolderIsReadAndWrittenInTheDefaultFolder() {
        const QString first = dir_.path() + QStringLiteral("/default");
        const QString second = dir_.path() + QStringLiteral("/second");
        const QString third = dir_.path() + QStringLiteral("/third");
        QCOMPARE(AppSettings::start_data_folder(first), first);  // no history there yet
        {
            AppFixture app(first);
            QVERIFY(app.open(false));
            app.controller().settings()->setDataFolder(second);
        }
        QCOMPARE(AppSettings::start_data_folder(first), second);
        {
            AppFixture app(second);
            QVERIFY(app.open(false));
            AppSettings& s = *app.controller().settings();
            QCOMPARE(s.dataFolder(), second);  // its own history has no such setting
            s.setDefaultDataFolder(first);
            QCOMPARE(s.dataFolder(), second);
            QCOMPARE(s.currentDataFolder(), second);
            s.setDataFolder(third);
            QCOMPARE(s.errorText(), QString());
            auto own = app.storage().db().query_int("SELECT count(*) FROM settings WHERE key = 'app.dataFolder'");
            QVERIFY(own.ok());
            QCOMPARE(*own, 0);
        }
        QCOMPARE(AppSettings::start_data_folder(first), third);
        QCOMPARE(AppSettings::start_data_folder(second), second);
        // A stored folder that became a file is not followed.
        QFile file(third);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not using the stored data folder")));
        QCOMPARE(AppSettings::start_data_folder(first), first);
    }

    void devicesListLavapipeWithTheDefaultAndWhy() {
        // CI installs mesa-vulkan-drivers (packaging/setup.sh): lavapipe is always there.
        const DeviceListing listing = list_vulkan_devices();
        QVERIFY2(!listing.rows.empty(), qPrintable(listing.message));
        int defaults = 0;
        bool lavapipe = false;
        for (const DeviceRow& row : listing.rows) {
            QVERIFY(row.spec.startsWith(QLatin1String("vulkan:")));
            QVERIFY(!row.kind.isEmpty());
            QVERIFY(!row.memory.isEmpty());
            defaults += row.is_default ? 1 : 0;
            lavapipe = lavapipe || row.name.contains(QLatin1String("llvmpipe"));
        }
        QVERIFY(lavapipe);
        QCOMPARE(defaults, 1);
        QVERIFY(!listing.default_reason.isEmpty());

        DeviceListModel model;
        QSignalSpy listed(&model, &DeviceListModel::listed);
        model.refresh();
        QVERIFY(model.loading());  // the listing runs on a pool thread
        QVERIFY(listed.wait(kWaitMs));
        QVERIFY(!model.loading());
        QCOMPARE(model.rowCount(), static_cast<int>(listing.rows.size()));
        QCOMPARE(model.defaultReason(), listing.default_reason);
    }

    void backupAndExportWriteValidFiles() {
        const QString data = dir_.path() + QStringLiteral("/actions");
        AppFixture app(data);
        QVERIFY(app.open());
        QVERIFY(app.send_and_wait(QStringLiteral("Tell me a story.")));
        DataActions& actions = *app.controller().dataActions();

        QSignalSpy finished(&actions, &DataActions::finished);
        QVERIFY(actions.backUp());
        QVERIFY(!actions.exportAll());  // one action at a time
        QVERIFY(wait_for_action(actions));
        QVERIFY2(actions.resultOk(), qPrintable(actions.resultText()));
        const QString backup = finished.last().at(2).toString();
        QVERIFY(backup.startsWith(actions.backupFolder()));
        QVERIFY(actions.resultText().contains(backup));
        auto copy = storage::Database::open(backup.toStdString());
        QVERIFY(copy.ok());
        auto messages = copy->query_int("SELECT count(*) FROM messages");
        QVERIFY(messages.ok());
        QCOMPARE(*messages, 2);  // the question and the reply

        QVERIFY(actions.exportAll());
        QVERIFY(wait_for_action(actions));
        QVERIFY2(actions.resultOk(), qPrintable(actions.resultText()));
        const QString exported = finished.last().at(2).toString();
        QVERIFY(exported.startsWith(actions.exportFolder()));
        QFile json(exported);
        QVERIFY(json.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json.readAll(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QCOMPARE(doc.object().value(QStringLiteral("format")).toString(), QStringLiteral("tessera-conversations"));
        const QJsonArray conversations = doc.object().value(QStringLiteral("conversations")).toArray();
        QCOMPARE(conversations.size(), 1);
    }

    void backupOfAMissingDatabaseSaysWhy() {
        const ActionResult r = back_up_database(dir_.path() + QStringLiteral("/none/tessera.db"),
                                                dir_.path() + QStringLiteral("/none-backups"));
        QVERIFY(!r.ok);
        QVERIFY(r.message.startsWith(QLatin1String("Backup failed: ")));
        QVERIFY(r.path.isEmpty());
    }

    void reloadAppliesEngineSettingsAndKeepsTheConversation() {
        AppFixture app(dir_.path() + QStringLiteral("/reload"));
        QVERIFY(app.open());
        ChatController& c = app.controller();
        QVERIFY(app.send_and_wait(QStringLiteral("Hello there.")));
        const qint64 conversation = c.conversationId();
        const int rows = c.messages()->rowCount();
        const qint64 trained = app.engine().contextSize();  // the bundled model's whole context
        QVERIFY(trained > 64);

        c.settings()->setContextLength(64);
        c.settings()->setThreads(1);
        QCOMPARE(app.engine().contextSize(), trained);  // nothing reloads until asked
        QVERIFY(c.reloadModel());
        QVERIFY(wait_until_not_loading(app.engine()));
        QCOMPARE(app.engine().state(), EngineThread::State::Ready);
        QCOMPARE(app.engine().contextSize(), 64);
        QVERIFY2(app.engine().device().contains(QLatin1String("1 thread")), qPrintable(app.engine().device()));
        QCOMPARE(c.conversationId(), conversation);
        QCOMPARE(c.messages()->rowCount(), rows);
        QVERIFY(app.send_and_wait(QStringLiteral("And again.")));  // the reloaded model replies

        // The Vulkan default device (lavapipe in CI) runs it too.
        c.settings()->setDevice(QStringLiteral("vulkan"));
        QVERIFY(c.reloadModel());
        QVERIFY(wait_until_not_loading(app.engine()));
        QVERIFY2(app.engine().state() == EngineThread::State::Ready, qPrintable(app.engine().errorText()));
        QVERIFY2(app.engine().device().startsWith(QLatin1String("Vulkan: ")), qPrintable(app.engine().device()));
        QVERIFY(app.send_and_wait(QStringLiteral("Once more.")));

        // A device that matches nothing fails the load with the engine's message; the chat stays.
        c.settings()->setDevice(QStringLiteral("vulkan:no-such-device"));
        QVERIFY(c.reloadModel());
        QVERIFY(wait_until_not_loading(app.engine()));
        QCOMPARE(app.engine().state(), EngineThread::State::Failed);
        QVERIFY2(app.engine().errorText().contains(QLatin1String("no-such-device")), qPrintable(app.engine().errorText()));
        QCOMPARE(c.conversationId(), conversation);
    }

private:
    QTemporaryDir dir_;
};

QTEST_MAIN(SettingsTest)
#include "settings_test.moc"

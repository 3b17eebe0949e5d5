// The secret store with the desktop's store: a real gnome-keyring in a private D-Bus session
// (tests/app/with_keyring.sh starts them), reached through QtKeychain as on a desktop.
#include <QTemporaryDir>
#include <QTest>

#include "secret_store.h"

using tessera::app::SecretStore;

class SecretStoreDesktopTest : public QObject {
    Q_OBJECT

private slots:
    void desktopStoreKeepsSecretsOutOfTheFolder() {
        QTemporaryDir dir;
        const std::filesystem::path data = dir.path().toStdString();
        SecretStore secrets(data, SecretStore::Backend::Automatic);
        QCOMPARE(secrets.location(), std::string("the desktop's secret store"));
        const auto stored = secrets.store("remote-server/7", "sk-desktop");
        QVERIFY2(stored.ok(), stored.ok() ? "" : stored.error().message.c_str());
        QCOMPARE(secrets.location(), std::string("the desktop's secret store"));  // it did not fall back
        QVERIFY(!std::filesystem::exists(data / "secrets.json"));
        QCOMPARE(SecretStore(data).load("remote-server/7")->value_or(""), std::string("sk-desktop"));
        // Another data folder's secrets are its own.
        QTemporaryDir other;
        QVERIFY(!SecretStore(other.path().toStdString()).load("remote-server/7")->has_value());
        QVERIFY(secrets.remove("remote-server/7").ok());
        QVERIFY(!secrets.load("remote-server/7")->has_value());
    }
};

QTEST_GUILESS_MAIN(SecretStoreDesktopTest)
#include "secret_store_desktop_test.moc"

// The secret store's file: secrets kept out of the database in a file only the user can read,
// where no desktop store answers (secret_store_desktop_test.cpp has the desktop's store).
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

#include <fstream>

#include "secret_store.h"

using tessera::app::SecretStore;

namespace {

unsigned mode_of(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0xFFFF;
    return st.st_mode & 0777;
}

std::string file_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

class SecretStoreTest : public QObject {
    Q_OBJECT

private slots:
    void fileKeepsSecretsAcrossInstancesReadableOnlyByTheUser() {
        QTemporaryDir dir;
        const std::filesystem::path data = dir.path().toStdString();
        const mode_t old_umask = ::umask(0);  // a careless umask must not widen the file
        {
            SecretStore secrets(data, SecretStore::Backend::File);
            QVERIFY(secrets.store("remote-server/1", "sk-first").ok());
            QVERIFY(secrets.store("huggingface-token", "hf_second").ok());
            QVERIFY(secrets.store("remote-server/1", "sk-replaced").ok());
            QVERIFY(secrets.location().find("readable only by you") != std::string::npos);
        }
        ::umask(old_umask);
        QCOMPARE(mode_of(data / "secrets.json"), 0600u);
        QVERIFY(!std::filesystem::exists(data / "secrets.json.new"));

        SecretStore reopened(data, SecretStore::Backend::File);
        auto first = reopened.load("remote-server/1");
        QVERIFY(first.ok());
        QCOMPARE(first->value_or(""), std::string("sk-replaced"));
        QCOMPARE(reopened.load("huggingface-token")->value_or(""), std::string("hf_second"));
        QVERIFY(!reopened.load("remote-server/2")->has_value());

        QVERIFY(reopened.remove("remote-server/1").ok());
        QVERIFY(reopened.remove("never-stored").ok());
        QVERIFY(!reopened.load("remote-server/1")->has_value());
        QCOMPARE(reopened.load("huggingface-token")->value_or(""), std::string("hf_second"));
        QVERIFY(file_text(data / "secrets.json").find("sk-") == std::string::npos);
    }

    void aFileOthersCanReadIsNarrowedBeforeUse() {
        QTemporaryDir dir;
        const std::filesystem::path data = dir.path().toStdString();
        SecretStore secrets(data, SecretStore::Backend::File);
        QVERIFY(secrets.store("k", "v").ok());
        QVERIFY(::chmod((data / "secrets.json").c_str(), 0644) == 0);
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression("readable by others"));
        QCOMPARE(secrets.load("k")->value_or(""), std::string("v"));
        QCOMPARE(mode_of(data / "secrets.json"), 0600u);
    }

    void aDamagedFileIsAnErrorAndIsNotOverwritten() {
        QTemporaryDir dir;
        const std::filesystem::path data = dir.path().toStdString();
        {
            std::ofstream out(data / "secrets.json");
            out << "{\"remote-server/1\": \"sk-kept\", oops";
        }
        ::chmod((data / "secrets.json").c_str(), 0600);
        SecretStore secrets(data, SecretStore::Backend::File);
        auto loaded = secrets.load("remote-server/1");
        QVERIFY(!loaded.ok());
        QVERIFY2(loaded.error().message.find("secrets.json") != std::string::npos, loaded.error().message.c_str());
        QVERIFY(!secrets.store("other", "x").ok());
        QVERIFY(file_text(data / "secrets.json").find("sk-kept") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(SecretStoreTest)
#include "secret_store_test.moc"

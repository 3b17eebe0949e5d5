// What the fault-server download tests share: a migrated database and a models folder per
// test function, and checks that a job ended done (file whole, hash right, no .part left,
// registered) or failed (nothing at the final path, nothing registered).
#pragma once

#include <QDir>
#include <QFileInfo>
#include <QObject>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "download_fixture.h"

namespace tessera::downloads::testing {

inline const QByteArray kEtag = "\"v1-abc\"";

class DownloadCase : public QObject {
protected:
    void set_up() {
        QVERIFY(dir_.isValid());
        db_ = std::make_unique<tessera::storage::Database>(open_database(db_path()));
        models_ = dir_.filePath(QStringLiteral("models-%1").arg(QTest::currentTestFunction()));
        QDir().mkpath(models_);
    }
    void tear_down() {
        db_.reset();
        QFile::remove(db_path());
    }

    QTemporaryDir dir_;
    std::unique_ptr<tessera::storage::Database> db_;
    QString models_;

    QString target(const QString& name) const { return models_ + QLatin1Char('/') + name; }
    QString db_path() const { return dir_.filePath(QStringLiteral("t.db")); }

    static qint64 enqueue(DownloadManager& m, const QUrl& url, const QString& name, const TestModel& model,
                          QByteArray authorization = {}) {
        auto id = m.enqueue({url, name, model.data.size(), model.sha256, std::move(authorization)});
        if (auto* error = std::get_if<QString>(&id)) qFatal("enqueue: %s", qPrintable(*error));
        return std::get<qint64>(id);
    }
    bool registered(const QString& path) {
        tessera::storage::CatalogStore catalog(*db_);
        auto found = catalog.find_model_by_path(path.toStdString());
        return found && found->has_value();
    }
    void expect_done(DownloadManager& m, qint64 id, const QString& name, const TestModel& model) {
        QTRY_VERIFY_WITH_TIMEOUT(finished(m, id), 30000);
        const JobProgress p = m.progress(id);
        QVERIFY2(p.state == storage::DownloadState::done, qPrintable(p.error));
        QCOMPARE(sha256_hex(read_file(target(name))), model.sha256);
        QVERIFY(!QFileInfo::exists(target(name) + QStringLiteral(".part")));
        QVERIFY(registered(target(name)));
    }
    QString expect_failed(DownloadManager& m, qint64 id, const QString& name) {
        if (!QTest::qWaitFor([&] { return finished(m, id); }, 30000)) return QStringLiteral("(did not finish)");
        const JobProgress p = m.progress(id);
        if (p.state != storage::DownloadState::failed) return QStringLiteral("(state %1)").arg(int(p.state));
        // Nothing at the final path, nothing registered.
        if (QFileInfo::exists(target(name)) || registered(target(name))) return QStringLiteral("(a file was registered)");
        return p.error;
    }
};

}  // namespace tessera::downloads::testing

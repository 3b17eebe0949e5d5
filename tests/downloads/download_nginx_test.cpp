// The download engine against nginx on loopback: real Range, If-Range and ETag behaviour.
// Happy path, resume (D1's mechanism on a real server), D3, D4, D5.
#include <sys/time.h>

#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "download_case.h"
#include "nginx_loopback.h"

using namespace tessera::downloads;
using namespace tessera::downloads::testing;
using tessera::loopback::NginxServer;
using tessera::storage::DownloadState;

class DownloadNginxTest : public DownloadCase {
    Q_OBJECT

private:
    std::unique_ptr<NginxServer> nginx_;

    QString serve(const QString& name, const QByteArray& data) {
        const QString path = nginx_->www() + QLatin1Char('/') + name;
        if (!write_file(path, data)) qFatal("cannot write %s", qPrintable(path));
        return path;
    }
    QByteArray etag_of(const QUrl& url) {
        QNetworkAccessManager network;
        QNetworkReply* reply = network.head(QNetworkRequest(url));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(5000);
        reply->deleteLater();
        return reply->rawHeader("ETag");
    }
private slots:
    void init() {
        nginx_ = std::make_unique<NginxServer>();
        const QString error = nginx_->start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        set_up();
    }
    void cleanup() {
        nginx_.reset();
        tear_down();
    }

    void downloads_verifies_and_registers() {
        const TestModel model = make_model(6 << 20, 1);
        serve(QStringLiteral("m.gguf"), model.data);
        DownloadManager manager(*db_, models_, fast_settings());
        QSignalSpy finished_spy(&manager, &DownloadManager::jobFinished);
        auto id = manager.enqueue({nginx_->url(QStringLiteral("m.gguf")), QStringLiteral("m.gguf"),
                                   model.data.size(), model.sha256, {}});
        if (auto* error = std::get_if<QString>(&id)) QFAIL(qPrintable(*error));
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(manager, std::get<qint64>(id)), 20000);
        const JobProgress p = manager.progress(std::get<qint64>(id));
        QCOMPARE(p.state, DownloadState::done);
        QCOMPARE(p.bytes_done, model.data.size());
        QCOMPARE(finished_spy.count(), 1);
        QCOMPARE(finished_spy.at(0).at(1).toString(), target(QStringLiteral("m.gguf")));
        QCOMPARE(sha256_hex(read_file(target(QStringLiteral("m.gguf")))), model.sha256);
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("m.gguf.part"))));
        tessera::storage::CatalogStore catalog(*db_);
        auto registered = catalog.find_model_by_path(target(QStringLiteral("m.gguf")).toStdString());
        QVERIFY(registered && registered->has_value());
        QCOMPARE(QString::fromStdString((*registered)->sha256.value_or("")), model.sha256);
        QCOMPARE((*registered)->size_bytes, model.data.size());
        QCOMPARE(nginx_->access_log(), QStringList{QStringLiteral("200 range= if_range=")});
    }

    // A paused job resumes with Range + If-Range; nginx answers 206 and only the rest comes.
    void resumes_with_range_and_if_range() {
        const TestModel model = make_model(4 << 20, 2);
        serve(QStringLiteral("r.gguf"), model.data);
        const QUrl url = nginx_->url(QStringLiteral("r.gguf"));
        const QByteArray etag = etag_of(url);
        QVERIFY(!etag.isEmpty());
        QDir().mkpath(models_);
        tessera::storage::CatalogStore catalog(*db_);
        const qint64 half = model.data.size() / 2;
        const qint64 id = plant_partial(catalog, url, target(QStringLiteral("r.gguf")), model.data.left(half), etag,
                                        model.data.size(), model.sha256);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(id);
        manager.start();
        expect_done(manager, id, QStringLiteral("r.gguf"), model);
        const QStringList log = nginx_->access_log();
        QCOMPARE(log.size(), 2);  // the HEAD above, then one resumed GET
        QCOMPARE(log.at(1), QStringLiteral("206 range=bytes=%1- if_range=%2").arg(half).arg(QString::fromLatin1(etag)));
    }

    // D3: the partial is already whole: nginx answers 416; verify and finish, no retry loop.
    void d3_complete_partial_gets_416_and_finishes() {
        const TestModel model = make_model(2 << 20, 3);
        serve(QStringLiteral("c.gguf"), model.data);
        const QUrl url = nginx_->url(QStringLiteral("c.gguf"));
        const QByteArray etag = etag_of(url);
        QDir().mkpath(models_);
        tessera::storage::CatalogStore catalog(*db_);
        const qint64 id = plant_partial(catalog, url, target(QStringLiteral("c.gguf")), model.data, etag,
                                        model.data.size(), model.sha256);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(id);
        manager.start();
        expect_done(manager, id, QStringLiteral("c.gguf"), model);
        const QStringList log = nginx_->access_log();
        QCOMPARE(log.size(), 2);
        QVERIFY2(log.at(1).startsWith(QLatin1String("416 ")), qPrintable(log.join('|')));
    }

    // D4: the file changed upstream after the partial was written: If-Range no longer
    // matches, nginx sends the whole new file (200) and the old partial is discarded.
    void d4_changed_etag_discards_partial() {
        const TestModel old_model = make_model(3 << 20, 4);
        const TestModel new_model = make_model(3 << 20, 5);
        const QString served = serve(QStringLiteral("e.gguf"), old_model.data);
        const QUrl url = nginx_->url(QStringLiteral("e.gguf"));
        const QByteArray old_etag = etag_of(url);
        QDir().mkpath(models_);
        tessera::storage::CatalogStore catalog(*db_);
        const qint64 id = plant_partial(catalog, url, target(QStringLiteral("e.gguf")), old_model.data.left(1 << 20),
                                        old_etag, new_model.data.size(), new_model.sha256);
        serve(QStringLiteral("e.gguf"), new_model.data);
        // Same size: only the modification time changes nginx's ETag; move it clearly.
        struct timeval times[2] = {{1000000000, 0}, {1000000000, 0}};
        QCOMPARE(::utimes(QFile::encodeName(served).constData(), times), 0);
        QVERIFY(etag_of(url) != old_etag);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(id);
        manager.start();
        expect_done(manager, id, QStringLiteral("e.gguf"), new_model);
        const QStringList log = nginx_->access_log();
        QCOMPARE(log.size(), 3);  // two HEADs, one GET
        QCOMPARE(log.at(2), QStringLiteral("200 range=bytes=%1- if_range=%2").arg(1 << 20).arg(QString::fromLatin1(old_etag)));
    }

    // D5: a partial larger than the file. With a known size it is emptied before asking;
    // without one, nginx's 416 ("bytes */N", N smaller) makes the engine start over.
    void d5_partial_larger_than_expected_restarts() {
        const TestModel model = make_model(2 << 20, 6);
        serve(QStringLiteral("l.gguf"), model.data);
        const QUrl url = nginx_->url(QStringLiteral("l.gguf"));
        const QByteArray etag = etag_of(url);
        QDir().mkpath(models_);
        tessera::storage::CatalogStore catalog(*db_);
        const QByteArray too_long = model.data + make_model(1 << 20, 7).data;
        // record_progress refuses bytes past the expected size, so plant with no size ...
        const qint64 unknown = plant_partial(catalog, url, target(QStringLiteral("l.gguf")), too_long, etag,
                                             std::nullopt, model.sha256);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(unknown);
        manager.start();
        expect_done(manager, unknown, QStringLiteral("l.gguf"), model);
        const QStringList log = nginx_->access_log();
        QVERIFY2(log.size() == 3 && log.at(1).startsWith(QLatin1String("416 ")) && log.at(2) == QLatin1String("200 range= if_range="),
                 qPrintable(log.join('|')));

        // ... and with the size known (a catalog entry), the partial is emptied up front.
        serve(QStringLiteral("k.gguf"), model.data);
        const QUrl url_k = nginx_->url(QStringLiteral("k.gguf"));
        QVERIFY(write_file(target(QStringLiteral("k.gguf.part")), too_long));
        auto id = manager.enqueue({url_k, QStringLiteral("k.gguf"), model.data.size(), model.sha256, {}});
        QVERIFY(std::holds_alternative<qint64>(id));
        expect_done(manager, std::get<qint64>(id), QStringLiteral("k.gguf"), model);
        QCOMPARE(nginx_->access_log().last(), QStringLiteral("200 range= if_range="));
    }

    // D5: a corrupt partial (right length prefix, wrong bytes, valid ETag) is appended to,
    // fails the SHA-256 check, and is downloaded once more from scratch.
    void d5_corrupt_partial_restarts_after_hash_mismatch() {
        const TestModel model = make_model(2 << 20, 8);
        serve(QStringLiteral("x.gguf"), model.data);
        const QUrl url = nginx_->url(QStringLiteral("x.gguf"));
        const QByteArray etag = etag_of(url);
        QDir().mkpath(models_);
        QByteArray corrupt = model.data.left(1 << 20);
        corrupt[500000] = static_cast<char>(corrupt[500000] ^ 0x5a);
        tessera::storage::CatalogStore catalog(*db_);
        const qint64 id = plant_partial(catalog, url, target(QStringLiteral("x.gguf")), corrupt, etag,
                                        model.data.size(), model.sha256);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(id);
        manager.start();
        expect_done(manager, id, QStringLiteral("x.gguf"), model);
        const QStringList log = nginx_->access_log();
        QVERIFY2(log.size() == 3 && log.at(1).startsWith(QLatin1String("206 ")) && log.at(2) == QLatin1String("200 range= if_range="),
                 qPrintable(log.join('|')));
    }
};

QTEST_GUILESS_MAIN(DownloadNginxTest)
#include "download_nginx_test.moc"

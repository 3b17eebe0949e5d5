// The download engine against a fault-injecting server on loopback: what real networks and
// servers do that nginx will not do on request. D1, D2, D6, D8, stalls, TLS, server errors.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSslSocket>
#include <QTest>
#include <memory>

#include "download_case.h"
#include "fault_server.h"

using namespace tessera::downloads;
using namespace tessera::downloads::testing;
using tessera::storage::DownloadState;

class DownloadFaultTest : public DownloadCase {
    Q_OBJECT

private slots:
    void init() { set_up(); }
    void cleanup() { tear_down(); }

    // D1: the connection drops at random offsets, 12 times; each resume asks for the
    // exact byte after the last one on disk, and the final SHA-256 matches.
    void d1_dropped_at_random_offsets_resumes() {
        const TestModel model = make_model(8 << 20, 11);
        const quint32 seed = QRandomGenerator::global()->generate();
        qInfo("drop offsets seed %u", seed);
        QRandomGenerator rng(seed);
        int drops_left = 12;
        FaultServer server([&](const HttpRequest& request) {
            HttpResponse r = serve_file(request, model.data, kEtag);
            if (drops_left > 0 && r.body.size() > 1) {
                --drops_left;
                r.drop_after = rng.bounded(qint64(16), std::min<qint64>(r.body.size(), 1 << 20));
            }
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("m.gguf"), model);
        manager.start();
        expect_done(manager, id, QStringLiteral("m.gguf"), model);
        QCOMPARE(drops_left, 0);
        QCOMPARE(server.requests().size(), 13);
        QVERIFY(server.requests().first().header("Range").isEmpty());
        for (int i = 1; i < server.requests().size(); ++i) {
            QVERIFY(server.requests()[i].header("Range").startsWith("bytes="));
            QCOMPARE(server.requests()[i].header("If-Range"), kEtag);
            QCOMPARE(server.statuses()[i], 206);
        }
    }

    // No byte for longer than the stall timeout: the transfer is aborted and resumed.
    void stall_is_detected_and_retried() {
        const TestModel model = make_model(2 << 20, 12);
        int stalls_left = 1;
        FaultServer server([&](const HttpRequest& request) {
            HttpResponse r = serve_file(request, model.data, kEtag);
            if (stalls_left-- > 0) r.stall_after = 512 << 10;
            return r;
        });
        QVERIFY(server.listen());
        DownloadSettings settings = fast_settings();
        settings.stall_timeout = std::chrono::milliseconds(300);
        DownloadManager manager(*db_, models_, settings);
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/s.gguf")), QStringLiteral("s.gguf"), model);
        manager.start();
        expect_done(manager, id, QStringLiteral("s.gguf"), model);
        QCOMPARE(server.requests().size(), 2);
        QCOMPARE(server.requests()[1].header("Range"), QByteArray("bytes=524288-"));
    }

    // D2: the server ignores Range and sends the whole file with 200: the partial is
    // rewritten from byte 0, never appended to (appending would break size and hash).
    void d2_range_ignored_rewrites_from_zero() {
        const TestModel model = make_model(3 << 20, 13);
        FaultServer server([&](const HttpRequest&) {
            HttpResponse r;
            r.header("ETag", kEtag).header("Content-Type", "application/octet-stream");
            r.body = model.data;  // always 200, whatever Range says
            return r;
        });
        QVERIFY(server.listen());
        tessera::storage::CatalogStore catalog(*db_);
        const qint64 id = plant_partial(catalog, server.url(QStringLiteral("/r.gguf")), target(QStringLiteral("r.gguf")),
                                        model.data.left(1 << 20), kEtag, model.data.size(), model.sha256);
        DownloadManager manager(*db_, models_, fast_settings());
        manager.resume(id);
        manager.start();
        expect_done(manager, id, QStringLiteral("r.gguf"), model);
        QCOMPARE(server.requests().size(), 1);
        QCOMPARE(server.requests()[0].header("Range"), QByteArray("bytes=1048576-"));
        QCOMPARE(QFileInfo(target(QStringLiteral("r.gguf"))).size(), model.data.size());
    }

    // The server's file is not the one the catalog describes (same size, other bytes): the
    // hash check fails before the rename, one fresh try fails the same way, and the job
    // fails with both hashes named; nothing is left at the final path or as .part.
    void hash_mismatch_never_reaches_final_path() {
        const TestModel expected = make_model(1 << 20, 30);
        const TestModel served = make_model(1 << 20, 31);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, served.data, kEtag); });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("h.gguf"), expected);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("h.gguf"));
        QVERIFY2(error.contains(QLatin1String("SHA-256 mismatch: expected ") + expected.sha256 +
                                QLatin1String(", got ") + served.sha256),
                 qPrintable(error));
        QCOMPARE(server.requests().size(), 2);
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("h.gguf.part"))));
    }

    // D6: not enough room for the file: refused before a byte is fetched.
    void d6_disk_full_before_start() {
        const TestModel model = make_model(2 << 20, 14);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen());
        DownloadSettings settings = fast_settings();
        settings.free_space = [](const QString&) { return qint64(1 << 20); };
        DownloadManager manager(*db_, models_, settings);
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/f.gguf")), QStringLiteral("f.gguf"), model);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("f.gguf"));
        QVERIFY2(error.startsWith(QLatin1String("disk full")), qPrintable(error));
        QCOMPARE(QFileInfo(target(QStringLiteral("f.gguf.part"))).size(), 0);
        QCOMPARE(server.requests().size(), 0);  // the server was not even asked
    }

    // D6: the disk fills while writing: stop with "disk full", keep the partial, register
    // nothing; once there is room again, resume finishes it.
    void d6_disk_full_while_writing_keeps_partial() {
        const TestModel model = make_model(4 << 20, 15);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen());
        DownloadSettings settings = fast_settings();
        settings.space_check_every_bytes = 256 << 10;
        bool room = false;
        const QString part = target(QStringLiteral("w.gguf.part"));
        // Plenty at the start; then someone else fills the disk after 1 MiB of ours.
        settings.free_space = [&](const QString&) -> qint64 {
            if (room) return qint64(1) << 40;
            return QFileInfo(part).size() < (1 << 20) ? qint64(1) << 40 : qint64(4096);
        };
        DownloadManager manager(*db_, models_, settings);
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/w.gguf")), QStringLiteral("w.gguf"), model);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("w.gguf"));
        QVERIFY2(error.startsWith(QLatin1String("disk full")), qPrintable(error));
        const qint64 kept = QFileInfo(part).size();
        QVERIFY2(kept >= (1 << 20) && kept < model.data.size(), qPrintable(QString::number(kept)));
        QCOMPARE(read_file(part), model.data.left(kept));
        room = true;
        manager.resume(id);
        expect_done(manager, id, QStringLiteral("w.gguf"), model);
        QCOMPARE(server.requests().last().header("Range"), QByteArray("bytes=" + QByteArray::number(kept) + "-"));
    }

    // D6: a real ENOSPC from write(2): the .part is /dev/full.
    void d6_write_error_is_disk_full() {
        if (!QFileInfo::exists(QStringLiteral("/dev/full"))) QFAIL("/dev/full is missing");
        const TestModel model = make_model(1 << 20, 16);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen());
        QVERIFY(QFile::link(QStringLiteral("/dev/full"), target(QStringLiteral("z.gguf.part"))));
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/z.gguf")), QStringLiteral("z.gguf"), model);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("z.gguf"));
        QVERIFY2(error.contains(QLatin1String("disk full")), qPrintable(error));
    }

    // D8: a captive portal answers 200 with its sign-in page.
    void d8_html_page_fails_clearly() {
        FaultServer server([](const HttpRequest&) {
            HttpResponse r;
            r.header("Content-Type", "text/html; charset=utf-8");
            r.body = "<!DOCTYPE html><html><body>Sign in to the Wi-Fi</body></html>";
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("p.gguf"),
                                  make_model(4 << 20, 20));
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("p.gguf"));
        QVERIFY2(error.contains(QLatin1String("web page instead of the model")), qPrintable(error));
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("p.gguf.part"))));
        QCOMPARE(server.requests().size(), 1);  // not retried
    }

    // D8: the same page with a binary content type (or none) is caught by the GGUF magic
    // before any byte is written.
    void d8_html_body_without_html_type_fails_magic() {
        FaultServer server([](const HttpRequest&) {
            HttpResponse r;
            r.header("Content-Type", "application/octet-stream");
            r.body = "<html><body>Sign in</body></html>";
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        auto id = manager.enqueue({server.url(QStringLiteral("/m.gguf")), QStringLiteral("q.gguf"), std::nullopt,
                                   std::nullopt, {}});
        QVERIFY(std::holds_alternative<qint64>(id));
        manager.start();
        const QString error = expect_failed(manager, std::get<qint64>(id), QStringLiteral("q.gguf"));
        QVERIFY2(error.contains(QLatin1String("did not send a GGUF model file (it starts with \"<html>")),
                 qPrintable(error));
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("q.gguf.part"))));
    }

    // TLS verification is always on: a server whose certificate does not verify (here
    // self-signed) gets no request and no retry, and the error says why.
    void tls_certificate_is_verified() {
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend (libqt6network6's openssl plugin)");
        const QString cert = dir_.filePath(QStringLiteral("cert.pem")), key = dir_.filePath(QStringLiteral("key.pem"));
        QProcess openssl;
        openssl.setProcessChannelMode(QProcess::MergedChannels);  // captured, not printed
        openssl.start(QStringLiteral("openssl"),
                                         {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                                          QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                                          QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("2"),
                                          QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                                          QStringLiteral("subjectAltName=IP:127.0.0.1")});
        QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0,
                 "openssl could not make a test certificate (apt-get install openssl)");
        const TestModel model = make_model(1 << 20, 28);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen_tls(cert, key));
        const QUrl url = server.url(QStringLiteral("/m.gguf"));
        QCOMPARE(url.scheme(), QStringLiteral("https"));
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, url, QStringLiteral("tls.gguf"), model);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("tls.gguf"));
        QVERIFY2(error.contains(QLatin1String("could not be verified")), qPrintable(error));
        QCOMPARE(server.requests().size(), 0);  // nothing was sent over the unverified connection
        QCOMPARE(QFileInfo(target(QStringLiteral("tls.gguf.part"))).size(), 0);
    }

    // 503 is retried with backoff until it works; 404 fails at once with the status.
    void server_errors() {
        const TestModel model = make_model(1 << 20, 25);
        int unavailable = 3;
        FaultServer server([&](const HttpRequest& request) {
            HttpResponse r;
            if (request.target == "/missing.gguf") {
                r.status = 404;
            } else if (unavailable-- > 0) {
                r.status = 503;
            } else {
                r = serve_file(request, model.data, kEtag);
            }
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 ok = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("ok.gguf"), model);
        manager.start();
        expect_done(manager, ok, QStringLiteral("ok.gguf"), model);
        QCOMPARE(server.requests().size(), 4);
        const qint64 missing =
            enqueue(manager, server.url(QStringLiteral("/missing.gguf")), QStringLiteral("missing.gguf"), model);
        const QString error = expect_failed(manager, missing, QStringLiteral("missing.gguf"));
        QVERIFY2(error.contains(QLatin1String("404")), qPrintable(error));
        QCOMPARE(server.requests().size(), 5);
    }
};

QTEST_GUILESS_MAIN(DownloadFaultTest)
#include "download_fault_test.moc"

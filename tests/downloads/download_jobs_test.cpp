// Download jobs against a fault-injecting server on loopback: redirects (D7), file names
// (D9), one writer per file (D10), a killed process (D11), restarts, pause and cancel, the
// parallel limit, progress.
#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <memory>

#include "download_case.h"
#include "downloads/hf_catalog.h"
#include "fault_server.h"

using namespace tessera::downloads;
using namespace tessera::downloads::testing;
using tessera::storage::DownloadState;

class DownloadJobsTest : public DownloadCase {
    Q_OBJECT

private slots:
    void init() { set_up(); }
    void cleanup() { tear_down(); }

    // D7: a redirect to another host (127.0.0.1 -> localhost) gets no Authorization; a
    // same-host redirect keeps it.
    void d7_cross_host_redirect_drops_authorization() {
        const TestModel model = make_model(1 << 20, 17);
        FaultServer server(nullptr);
        server.set_handler([&](const HttpRequest& request) {
            HttpResponse r;
            if (request.target == "/start") {
                r.status = 302;
                r.header("Location", "/moved");  // same host
            } else if (request.target == "/moved") {
                r.status = 307;
                r.header("Location", server.url(QStringLiteral("/cdn"), QStringLiteral("localhost")).toEncoded());
            } else {
                r = serve_file(request, model.data, kEtag);
            }
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/start")), QStringLiteral("a.gguf"), model,
                                  "Bearer secret-token");
        manager.start();
        expect_done(manager, id, QStringLiteral("a.gguf"), model);
        const auto& requests = server.requests();
        QCOMPARE(requests.size(), 3);
        QCOMPARE(requests[0].header("Authorization"), QByteArray("Bearer secret-token"));
        QCOMPARE(requests[1].header("Authorization"), QByteArray("Bearer secret-token"));
        QCOMPARE(requests[2].target, QByteArray("/cdn"));
        QVERIFY(requests[2].header("Host").startsWith("localhost:"));
        QVERIFY(!requests[2].headers.contains("authorization"));
    }

    void d7_redirect_loop_refused() {
        FaultServer server([](const HttpRequest& request) {
            HttpResponse r;
            r.status = 302;
            r.header("Location", request.target == "/a" ? "/b" : "/a");
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const TestModel model = make_model(1024, 18);
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/a")), QStringLiteral("loop.gguf"), model);
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("loop.gguf"));
        QVERIFY2(error.contains(QLatin1String("more than 10 redirects")), qPrintable(error));
        QCOMPARE(server.requests().size(), 11);  // the request and 10 hops, not one more
    }

    void d7_non_http_redirect_refused() {
        FaultServer server([](const HttpRequest&) {
            HttpResponse r;
            r.status = 301;
            r.header("Location", "file:///etc/passwd");
            return r;
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m")), QStringLiteral("f.gguf"), make_model(1024, 19));
        manager.start();
        const QString error = expect_failed(manager, id, QStringLiteral("f.gguf"));
        QVERIFY2(error.contains(QLatin1String("file: address")), qPrintable(error));
        QCOMPARE(server.requests().size(), 1);
    }

    // D9: unsafe names are refused at enqueue: no job, no file anywhere.
    void d9_unsafe_names_refused() {
        DownloadManager manager(*db_, models_, fast_settings());
        const QUrl url(QStringLiteral("http://127.0.0.1:9/x.gguf"));
        for (const char* name : {"../escape.gguf", "/tmp/abs.gguf", "sub/dir.gguf", "CON.gguf", ".hidden.gguf",
                                 "new\nline.gguf", ""}) {
            auto id = manager.enqueue({url, QString::fromLatin1(name), 10, std::nullopt, {}});
            QVERIFY2(std::holds_alternative<QString>(id), name);
            QVERIFY2(std::get<QString>(id).startsWith(QLatin1String("refused file name")), name);
        }
        tessera::storage::CatalogStore catalog(*db_);
        QCOMPARE(catalog.downloads()->size(), size_t(0));
        QVERIFY(!QFileInfo::exists(dir_.filePath(QStringLiteral("escape.gguf"))));
        QCOMPARE(QDir(models_).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden).size(), 0);
        // Catalog paths with folders become plain names inside the models folder.
        HfFile file;
        file.path = QStringLiteral("../../etc/cron.d/evil.gguf");
        file.download_url = url;
        auto request = HfCatalog::download_request(file);
        QCOMPARE(std::get<DownloadRequest>(request).file_name, QStringLiteral("evil.gguf"));
        file.path = QStringLiteral("Q4/..");
        QVERIFY(std::holds_alternative<QString>(HfCatalog::download_request(file)));
        auto direct = HfCatalog::download_request(QUrl(QStringLiteral("http://h/a/%2e%2e%2Fb.gguf")));
        QVERIFY(std::holds_alternative<QString>(direct) ||
                !std::get<DownloadRequest>(direct).file_name.contains(QLatin1Char('/')));
    }

    // D10: the same file twice in one queue: the second is refused.
    void d10_same_file_twice_one_writer() {
        const TestModel model = make_model(1 << 20, 21);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("t.gguf"), model);
        auto second = manager.enqueue({server.url(QStringLiteral("/m.gguf")), QStringLiteral("t.gguf"),
                                       model.data.size(), model.sha256, {}});
        QVERIFY(std::holds_alternative<QString>(second));
        QVERIFY2(std::get<QString>(second).contains(QLatin1String("already being downloaded")),
                 qPrintable(std::get<QString>(second)));
        manager.start();
        expect_done(manager, id, QStringLiteral("t.gguf"), model);
        QCOMPARE(server.requests().size(), 1);
    }

    // D10: two managers (two databases, as two Tessera processes would have) on one models
    // folder: the .part lock lets one write; the other fails clearly; the file is whole.
    void d10_two_managers_one_writer() {
        const TestModel model = make_model(2 << 20, 22);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {64 << 10, 50});  // about 1.6 s: both run at once
        });
        QVERIFY(server.listen());
        tessera::storage::Database other_db = open_database(dir_.filePath(QStringLiteral("other.db")));
        DownloadManager first(*db_, models_, fast_settings());
        DownloadManager second(other_db, models_, fast_settings());
        const qint64 a = enqueue(first, server.url(QStringLiteral("/m.gguf")), QStringLiteral("two.gguf"), model);
        first.start();
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(target(QStringLiteral("two.gguf.part"))).size() > 0, 10000);
        const qint64 b = enqueue(second, server.url(QStringLiteral("/m.gguf")), QStringLiteral("two.gguf"), model);
        second.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(second, b), 10000);
        QCOMPARE(second.progress(b).state, DownloadState::failed);
        QVERIFY2(second.progress(b).error.contains(QLatin1String("already being downloaded")),
                 qPrintable(second.progress(b).error));
        expect_done(first, a, QStringLiteral("two.gguf"), model);
    }

    // D11: the process is killed (SIGKILL) mid-download: nothing at the final path; the
    // next start resumes from the partial and finishes with the right hash.
    void d11_killed_mid_download_resumes() {
        const TestModel model = make_model(4 << 20, 23);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {64 << 10, 40});  // about 2.6 s for the whole file
        });
        QVERIFY(server.listen());
        const QString part = target(QStringLiteral("k.gguf.part"));
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QStringLiteral(DOWNLOAD_CHILD),
                    {db_path(), models_, server.url(QStringLiteral("/k.gguf")).toString(), QStringLiteral("k.gguf"),
                     QString::number(model.data.size()), model.sha256});
        QVERIFY(child.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(part).size() >= (1 << 20), 15000);
        child.kill();  // SIGKILL: no destructor, no clean-up
        QVERIFY(child.waitForFinished(5000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("k.gguf"))));
        const qint64 left = QFileInfo(part).size();
        QVERIFY(left > 0 && left < model.data.size());
        tessera::storage::CatalogStore catalog(*db_);
        auto jobs = catalog.live_downloads();
        QVERIFY(jobs && jobs->size() == 1);
        QCOMPARE(jobs->front().state, DownloadState::running);  // as the dead process left it
        const int requests_before = server.requests().size();

        DownloadManager manager(*db_, models_, fast_settings());
        manager.start();
        expect_done(manager, jobs->front().id, QStringLiteral("k.gguf"), model);
        QCOMPARE(server.requests().size(), requests_before + 1);
        const QByteArray range = server.requests().last().header("Range");
        QVERIFY2(range.startsWith("bytes=") && range.mid(6).chopped(1).toLongLong() >= left, range.constData());
    }

    // D11 variant: killed after the final rename but before the registration. The next start
    // finds the file at its final path with the job's hash and registers it: no download, no
    // duplicate. A different file at that path is not taken for the download.
    void d11_killed_between_rename_and_registration() {
        const TestModel model = make_model(1 << 20, 31);
        FaultServer server([&](const HttpRequest& request) { return serve_file(request, model.data, kEtag); });
        QVERIFY(server.listen());
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(QStringLiteral(DOWNLOAD_CHILD),
                    {db_path(), models_, server.url(QStringLiteral("/r.gguf")).toString(), QStringLiteral("r.gguf"),
                     QString::number(model.data.size()), model.sha256, QStringLiteral("kill-after-rename")});
        QVERIFY(child.waitForStarted(5000));
        // The event loop runs meanwhile: the server is in this process.
        QTRY_VERIFY_WITH_TIMEOUT(child.state() == QProcess::NotRunning, 30000);
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        const QString final_path = target(QStringLiteral("r.gguf"));
        QCOMPARE(sha256_hex(read_file(final_path)), model.sha256);  // renamed into place ...
        QVERIFY(!QFileInfo::exists(final_path + QStringLiteral(".part")));
        tessera::storage::CatalogStore catalog(*db_);
        auto registered = catalog.find_model_by_path(final_path.toStdString());
        QVERIFY(registered && !registered->has_value());  // ... and not registered
        auto jobs = catalog.live_downloads();
        QVERIFY(jobs && jobs->size() == 1);
        QCOMPARE(jobs->front().state, DownloadState::verifying);
        const qint64 id = jobs->front().id;
        const int requests_before = server.requests().size();

        DownloadManager manager(*db_, models_, fast_settings());
        QSignalSpy finished_spy(&manager, &DownloadManager::jobFinished);
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(manager, id), 20000);
        QCOMPARE(manager.progress(id).state, DownloadState::done);
        QCOMPARE(finished_spy.count(), 1);
        QCOMPARE(server.requests().size(), requests_before);  // not downloaded again
        auto models = catalog.models();
        QVERIFY(models && models->size() == 1);  // registered once
        QCOMPARE(QString::fromStdString(models->front().path), final_path);
        QCOMPARE(QString::fromStdString(models->front().sha256.value_or("")), model.sha256);

        // Another job whose final path holds a different file: refused, the file left alone.
        const QByteArray other = make_model(4096, 32).data;
        QVERIFY(write_file(target(QStringLiteral("s.gguf")), other));
        tessera::storage::NewDownload row;
        row.url = server.url(QStringLiteral("/r.gguf")).toString().toStdString();
        row.target_path = target(QStringLiteral("s.gguf")).toStdString();
        row.expected_size = model.data.size();
        row.expected_sha256 = model.sha256.toStdString();
        auto other_id = catalog.add_download(row);
        QVERIFY(other_id.ok());
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(manager, *other_id), 20000);
        const JobProgress refused = manager.progress(*other_id);
        QCOMPARE(refused.state, DownloadState::failed);
        QVERIFY2(refused.error.contains(QStringLiteral("is not this download")), qPrintable(refused.error));
        QCOMPARE(read_file(target(QStringLiteral("s.gguf"))), other);
        QCOMPARE(server.requests().size(), requests_before);
        QCOMPARE(catalog.models()->size(), 1u);
    }

    // Closing the app mid-download saves the job as queued; the next start resumes it.
    void restart_resumes_after_clean_shutdown() {
        const TestModel model = make_model(2 << 20, 29);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {64 << 10, 50});
        });
        QVERIFY(server.listen());
        auto first = std::make_unique<DownloadManager>(*db_, models_, fast_settings());
        const qint64 id = enqueue(*first, server.url(QStringLiteral("/m.gguf")), QStringLiteral("u.gguf"), model);
        first->start();
        QTRY_VERIFY_WITH_TIMEOUT(first->progress(id).bytes_done >= (256 << 10), 10000);
        first.reset();
        tessera::storage::CatalogStore catalog(*db_);
        const auto saved = catalog.download(id);
        QVERIFY(saved.ok());
        QCOMPARE(saved->state, DownloadState::queued);
        const qint64 on_disk = QFileInfo(target(QStringLiteral("u.gguf.part"))).size();
        QCOMPARE(saved->bytes_done, on_disk);
        QCOMPARE(QString::fromStdString(saved->etag.value_or("")), QString::fromLatin1(kEtag));
        DownloadManager second(*db_, models_, fast_settings());
        second.start();
        expect_done(second, id, QStringLiteral("u.gguf"), model);
        QCOMPARE(server.requests().last().header("Range"), QByteArray("bytes=" + QByteArray::number(on_disk) + "-"));
    }

    void pause_resume_cancel() {
        const TestModel model = make_model(2 << 20, 24);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {64 << 10, 50});
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("p.gguf"), model);
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(manager.progress(id).bytes_done >= (256 << 10), 10000);
        manager.pause(id);
        QCOMPARE(manager.progress(id).state, DownloadState::paused);
        const qint64 paused_at = QFileInfo(target(QStringLiteral("p.gguf.part"))).size();
        QVERIFY(paused_at > 0);
        QTest::qWait(200);
        QCOMPARE(QFileInfo(target(QStringLiteral("p.gguf.part"))).size(), paused_at);  // nothing written while paused
        manager.resume(id);
        expect_done(manager, id, QStringLiteral("p.gguf"), model);
        QCOMPARE(server.requests().last().header("Range"), QByteArray("bytes=" + QByteArray::number(paused_at) + "-"));

        // Cancel deletes the partial and the job.
        const qint64 other = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("c.gguf"), model);
        QTRY_VERIFY_WITH_TIMEOUT(manager.progress(other).bytes_done > 0, 10000);
        const TotalProgress total = manager.total();
        QCOMPARE(total.active, 1);
        QCOMPARE(total.bytes_total, model.data.size());
        manager.cancel(other);
        QVERIFY(!QFileInfo::exists(target(QStringLiteral("c.gguf.part"))));
        tessera::storage::CatalogStore catalog(*db_);
        QVERIFY(!catalog.download(other).ok());
    }

    // At most max_parallel transfers at once; the rest wait queued and start in order.
    void queue_limits_parallel_transfers() {
        const TestModel model = make_model(1 << 20, 26);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {128 << 10, 20});
        });
        QVERIFY(server.listen());
        for (int limit : {1, 2}) {
            DownloadSettings settings = fast_settings();
            settings.max_parallel = limit;
            DownloadManager manager(*db_, models_, settings);
            int most_active = 0, most_queued = 0;
            connect(&manager, &DownloadManager::jobChanged, this, [&] {
                const TotalProgress t = manager.total();
                most_active = std::max(most_active, t.active);
                most_queued = std::max(most_queued, t.queued);
            });
            QList<qint64> ids;
            for (int i = 0; i < 4; ++i)
                ids << enqueue(manager, server.url(QStringLiteral("/m.gguf")),
                               QStringLiteral("q%1-%2.gguf").arg(limit).arg(i), model);
            manager.start();
            for (int i = 0; i < 4; ++i) expect_done(manager, ids[i], QStringLiteral("q%1-%2.gguf").arg(limit).arg(i), model);
            QCOMPARE(most_active, limit);
            QVERIFY(most_queued >= 4 - limit);
        }
    }

    // Speed and time left are reported while bytes arrive, per job and in total.
    void progress_reports_speed_and_time_left() {
        const TestModel model = make_model(4 << 20, 27);
        FaultServer server([&](const HttpRequest& request) {
            return serve_file(request, model.data, kEtag, {64 << 10, 20});  // about 1.3 s
        });
        QVERIFY(server.listen());
        DownloadManager manager(*db_, models_, fast_settings());
        const qint64 id = enqueue(manager, server.url(QStringLiteral("/m.gguf")), QStringLiteral("v.gguf"), model);
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(manager.progress(id).bytes_per_second > 0, 10000);
        const JobProgress p = manager.progress(id);
        QVERIFY(p.seconds_left && *p.seconds_left >= 0);
        QCOMPARE(p.total, model.data.size());
        QVERIFY(p.bytes_done > 0 && p.bytes_done < model.data.size());
        const TotalProgress t = manager.total();
        QCOMPARE(t.active, 1);
        QVERIFY(t.bytes_per_second > 0 && t.seconds_left);
        expect_done(manager, id, QStringLiteral("v.gguf"), model);
    }
};

QTEST_GUILESS_MAIN(DownloadJobsTest)
#include "download_jobs_test.moc"

// Downloads on the models page, end to end over the real pieces: the app's controller (its
// Downloads on their own thread with their own database connection), a real database in a
// temporary folder, and a real HTTP server on loopback (tests/downloads' fault server)
// serving a synthetic NAS model slowly enough to be seen mid-way. Checks that rows update
// while bytes arrive, that a finished file is in the installed list with what the engine's
// reader found, pause / resume / cancel, a restart resuming a job, the "owner/repo/file"
// form through a fake Hub API, and what the add field refuses.
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "app_fixture.h"
#include "catalog_fit.h"
#include "download_fixture.h"
#include "download_list_model.h"
#include "download_worker.h"
#include "downloads.h"
#include "fault_server.h"
#include "machine_memory.h"
#include "model/memory_estimate.h"
#include "model/model_summary.h"
#include "nas_test_models.h"
#include "storage/paths.h"

using namespace tessera;
using namespace tessera::app;
using namespace tessera::app::testing;
using namespace tessera::downloads::testing;

namespace {

constexpr int kWaitMs = 30000;  // a bound for a stuck transfer, not a performance limit
const QByteArray kEtag = "\"every-variant-1\"";

// The server's answer for the model: correct ranges and ETag, in small paced chunks so a
// download lasts long enough to be seen (and paused) mid-way.
HttpResponse paced(const HttpRequest& request, const QByteArray& data) {
    return serve_file(request, data, kEtag, {4096, 15});
}

QVariant role(const DownloadListModel& jobs, int row, int role) { return jobs.data(jobs.index(row), role); }

QString state_of(const DownloadListModel& jobs, qint64 id) {
    const int row = jobs.rowOfJob(id);
    return row < 0 ? QString() : jobs.at(row).state;
}

}  // namespace

class DownloadsTest : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const QString path = dir_.filePath(QStringLiteral("served/nas-every-variant.gguf"));
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QVERIFY(write_model(path));
        model_ = read_file(path);
        QVERIFY(model_.size() > 64 * 4096);  // enough chunks to be caught mid-way
    }

    void init() {
        data_ = std::make_unique<QTemporaryDir>();
        QVERIFY(data_->isValid());
        server_ = std::make_unique<FaultServer>([this](const HttpRequest& r) { return paced(r, model_); });
        QVERIFY(server_->listen());
        open_app();
    }

    void cleanup() {
        app_.reset();
        server_.reset();
        data_.reset();
    }

    void theAddFieldAcceptsHttpsLoopbackAndRepositoryFiles() {
        auto https = parse_download_source(QStringLiteral("  https://example.org/m/model.gguf "));
        QVERIFY(std::holds_alternative<QUrl>(https));
        QCOMPARE(std::get<QUrl>(https).host(), QStringLiteral("example.org"));
        QVERIFY(std::holds_alternative<QUrl>(parse_download_source(QStringLiteral("http://127.0.0.1:8080/m.gguf"))));
        QVERIFY(std::holds_alternative<QUrl>(parse_download_source(QStringLiteral("http://[::1]:8080/m.gguf"))));
        auto hub = parse_download_source(QStringLiteral("bartowski/Nemotron-49B-GGUF/Q4_K_M/part-1.gguf"));
        QVERIFY(std::holds_alternative<HubFileRef>(hub));
        QCOMPARE(std::get<HubFileRef>(hub).repo, QStringLiteral("bartowski/Nemotron-49B-GGUF"));
        QCOMPARE(std::get<HubFileRef>(hub).path, QStringLiteral("Q4_K_M/part-1.gguf"));
        for (const char* bad : {"", "http://example.org/m.gguf", "ftp://127.0.0.1/m.gguf", "file:///etc/passwd",
                                "https://example.org/", "owner/repo", "../x/model.gguf", "just words"}) {
            auto parsed = parse_download_source(QString::fromLatin1(bad));
            QVERIFY2(std::holds_alternative<QString>(parsed), bad);
            QVERIFY2(!std::get<QString>(parsed).isEmpty(), bad);
        }
        // Refused at once, with the reason shown, and nothing queued.
        Downloads& downloads = *app_->controller().downloads();
        QVERIFY(!downloads.add(QStringLiteral("http://example.org/model.gguf")));
        QVERIFY(downloads.errorText().contains(QStringLiteral("https")));
        QTest::qWait(3 * DownloadWorker::kRowUpdateMs);
        QCOMPARE(downloads.jobs()->rowCount(), 0);
        QCOMPARE(server_->requests().size(), 0);
    }

    void theListModelAddsUpdatesAndRemovesRows() {
        DownloadListModel jobs;
        QSignalSpy inserted(&jobs, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&jobs, &QAbstractItemModel::dataChanged);
        QSignalSpy removed(&jobs, &QAbstractItemModel::rowsRemoved);
        DownloadRow a{2, QStringLiteral("b.gguf"), {}, QStringLiteral("running"), 10, 100, 5.0, 18.0, {}, false};
        DownloadRow b{1, QStringLiteral("a.gguf"), {}, QStringLiteral("queued"), 0, -1, 0, -1, {}, false};
        jobs.apply({a, b});
        QCOMPARE(jobs.rowCount(), 2);
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(role(jobs, 0, DownloadListModel::NameRole).toString(), QStringLiteral("a.gguf"));  // by id
        QCOMPARE(role(jobs, 1, DownloadListModel::BytesTotalRole).toLongLong(), 100);
        a.bytes_done = 60;
        a.state = QStringLiteral("paused");
        jobs.apply({a});
        QCOMPARE(changed.size(), 1);
        QCOMPARE(role(jobs, 1, DownloadListModel::BytesDoneRole).toLongLong(), 60);
        QCOMPARE(role(jobs, 1, DownloadListModel::StateRole).toString(), QStringLiteral("paused"));
        jobs.apply({DownloadRow{1, {}, {}, {}, 0, -1, 0, -1, {}, true}});
        QCOMPARE(removed.size(), 1);
        QCOMPARE(jobs.rowCount(), 1);
        QCOMPARE(jobs.rowOfJob(2), 0);
        QCOMPARE(jobs.rowOfJob(1), -1);
        const QHash<int, QByteArray> names = jobs.roleNames();
        for (const char* name : {"jobId", "name", "state", "bytesDone", "bytesTotal", "speed", "secondsLeft", "errorText"})
            QVERIFY2(names.values().contains(name), name);
    }

    // enqueue -> rows with growing progress -> done -> in the installed list, read by the engine.
    void aDownloadShowsProgressThenIsInstalledWithItsDetails() {
        ChatController& c = app_->controller();
        Downloads& downloads = *c.downloads();
        DownloadListModel& jobs = *downloads.jobs();
        QSignalSpy registered(&downloads, &Downloads::modelRegistered);
        QVERIFY(downloads.add(server_->url(QStringLiteral("/models/nas-every-variant.gguf")).toString()));
        QVERIFY2(downloads.errorText().isEmpty(), qPrintable(downloads.errorText()));
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowCount(), 1, kWaitMs);
        const qint64 id = jobs.at(0).id;
        QCOMPARE(jobs.at(0).name, QStringLiteral("nas-every-variant.gguf"));

        // Mid-way: a running row with bytes, the size, a speed and a time left; the totals agree.
        QTRY_VERIFY_WITH_TIMEOUT(jobs.at(0).state == QLatin1String("running") && jobs.at(0).bytes_done > 0 &&
                                     jobs.at(0).bytes_per_second > 0,
                                 kWaitMs);
        const DownloadRow mid = jobs.at(0);
        QVERIFY2(mid.bytes_done < model_.size(), "the download was over before it was seen mid-way");
        QCOMPARE(mid.bytes_total, model_.size());
        QVERIFY(mid.seconds_left >= 0);
        QCOMPARE(downloads.totalBytes(), model_.size());
        QCOMPARE(downloads.activeCount(), 1);

        QVERIFY(registered.wait(kWaitMs));
        const QString target = QDir(c.library()->modelsFolder()).filePath(QStringLiteral("nas-every-variant.gguf"));
        QCOMPARE(registered.at(0).at(0).toString(), target);
        QCOMPARE(read_file(target), model_);
        QVERIFY(!QFile::exists(target + QStringLiteral(".part")));
        QTRY_COMPARE_WITH_TIMEOUT(state_of(jobs, id), QStringLiteral("done"), kWaitMs);
        QCOMPARE(jobs.at(jobs.rowOfJob(id)).bytes_done, model_.size());
        QCOMPARE(jobs.at(jobs.rowOfJob(id)).bytes_total, model_.size());

        // In the installed list, with what the reader found, without the page reading it again.
        ModelCatalogModel& models = *c.models();
        const int row = models.rowOfPath(target);
        QVERIFY(row >= 0);
        const QModelIndex index = models.index(row);
        QCOMPARE(models.data(index, ModelCatalogModel::ArchitectureRole).toString(), QStringLiteral("deci"));
        QVERIFY(models.data(index, ModelCatalogModel::ParameterCountRole).toLongLong() > 0);
        QVERIFY(!models.data(index, ModelCatalogModel::QuantizationRole).toString().isEmpty());
        QCOMPARE(models.data(index, ModelCatalogModel::SizeRole).toLongLong(), model_.size());

        // Clearing the finished row leaves the model installed.
        downloads.cancel(id);
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowCount(), 0, kWaitMs);
        QVERIFY(QFile::exists(target));
        QVERIFY(models.rowOfPath(target) >= 0);
    }

    // A finished download is still listed after a restart, until it is cleared.
    void finishedDownloadsAreListedAfterARestartUntilCleared() {
        Downloads& downloads = *app_->controller().downloads();
        QSignalSpy registered(&downloads, &Downloads::modelRegistered);
        QVERIFY(downloads.add(server_->url(QStringLiteral("/models/nas-every-variant.gguf")).toString()));
        QVERIFY(registered.wait(kWaitMs));
        QTRY_COMPARE_WITH_TIMEOUT(downloads.jobs()->rowCount(), 1, kWaitMs);
        const qint64 id = downloads.jobs()->at(0).id;
        QTRY_COMPARE_WITH_TIMEOUT(state_of(*downloads.jobs(), id), QStringLiteral("done"), kWaitMs);

        open_app();
        DownloadListModel& jobs = *app_->controller().downloads()->jobs();
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowCount(), 1, kWaitMs);
        QCOMPARE(jobs.at(0).id, id);
        QCOMPARE(jobs.at(0).state, QStringLiteral("done"));
        QCOMPARE(jobs.at(0).name, QStringLiteral("nas-every-variant.gguf"));
        QCOMPARE(jobs.at(0).bytes_total, model_.size());
        QCOMPARE(server_->requests().size(), 1);  // listed, not downloaded again

        app_->controller().downloads()->cancel(id);  // "Clear"
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowCount(), 0, kWaitMs);
        open_app();
        QTest::qWait(3 * DownloadWorker::kRowUpdateMs);
        QCOMPARE(app_->controller().downloads()->jobs()->rowCount(), 0);
        QVERIFY(QFile::exists(QDir(app_->controller().library()->modelsFolder()).filePath(QStringLiteral("nas-every-variant.gguf"))));
    }

    void pauseResumeAndCancel() {
        Downloads& downloads = *app_->controller().downloads();
        DownloadListModel& jobs = *downloads.jobs();
        const QString folder = app_->controller().library()->modelsFolder();
        QVERIFY(downloads.add(server_->url(QStringLiteral("/a/nas-every-variant.gguf")).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(jobs.rowCount() == 1 && jobs.at(0).bytes_done > 0, kWaitMs);
        const qint64 id = jobs.at(0).id;

        downloads.pause(id);
        QTRY_COMPARE_WITH_TIMEOUT(state_of(jobs, id), QStringLiteral("paused"), kWaitMs);
        const qint64 paused_at = jobs.at(0).bytes_done;
        QVERIFY(paused_at > 0 && paused_at < model_.size());
        QCOMPARE(jobs.at(0).bytes_total, model_.size());  // a direct URL's size, still shown while paused
        QCOMPARE(downloads.activeCount(), 0);
        const int requests = server_->requests().size();
        QTest::qWait(300);
        QCOMPARE(server_->requests().size(), requests);  // paused means no traffic
        QCOMPARE(state_of(jobs, id), QStringLiteral("paused"));

        downloads.resume(id);
        QTRY_COMPARE_WITH_TIMEOUT(state_of(jobs, id), QStringLiteral("done"), kWaitMs);
        QCOMPARE(read_file(QDir(folder).filePath(QStringLiteral("nas-every-variant.gguf"))), model_);
        const QByteArray range = server_->requests().last().header("range");  // resumed where it stopped
        QVERIFY2(range.startsWith("bytes=") && range.mid(6).chopped(1).toLongLong() >= paused_at, range.constData());

        // Cancel mid-way: the row goes, and so does the partial file; nothing is installed.
        QVERIFY(downloads.add(server_->url(QStringLiteral("/b/other.gguf")).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(jobs.rowCount() == 2 && jobs.at(1).bytes_done > 0, kWaitMs);
        const qint64 other = jobs.at(1).id;
        downloads.cancel(other);
        QTRY_COMPARE_WITH_TIMEOUT(jobs.rowOfJob(other), -1, kWaitMs);
        QVERIFY(!QFile::exists(QDir(folder).filePath(QStringLiteral("other.gguf.part"))));
        QVERIFY(!QFile::exists(QDir(folder).filePath(QStringLiteral("other.gguf"))));
        QCOMPARE(app_->controller().models()->rowOfPath(QDir(folder).filePath(QStringLiteral("other.gguf"))), -1);
    }

    // The app closed mid-download: the next start shows the job and finishes it.
    void aJobLeftByTheLastRunResumesAtStart() {
        {
            Downloads& downloads = *app_->controller().downloads();
            QVERIFY(downloads.add(server_->url(QStringLiteral("/nas-every-variant.gguf")).toString()));
            QTRY_VERIFY_WITH_TIMEOUT(downloads.jobs()->rowCount() == 1 && downloads.jobs()->at(0).bytes_done > 0, kWaitMs);
        }
        app_.reset();
        {
            // The worker was torn down on its thread: the manager saved the job as queued,
            // with the bytes written so far.
            storage::Database db = open_database(QDir(data_->path()).filePath(QString::fromLatin1(storage::kDatabaseFileName)));
            storage::CatalogStore catalog(db);
            auto jobs = catalog.downloads();
            QVERIFY(jobs && jobs->size() == 1);
            QCOMPARE(jobs->front().state, storage::DownloadState::queued);
            QVERIFY(jobs->front().bytes_done > 0);
        }
        const int before = server_->requests().size();
        open_app();
        Downloads& downloads = *app_->controller().downloads();
        QTRY_COMPARE_WITH_TIMEOUT(downloads.jobs()->rowCount(), 1, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(downloads.jobs()->at(0).state, QStringLiteral("done"), kWaitMs);
        QVERIFY(server_->requests().size() > before);
        QVERIFY(server_->requests().last().header("range").startsWith("bytes="));  // resumed, not restarted
        const QString target =
            QDir(app_->controller().library()->modelsFolder()).filePath(QStringLiteral("nas-every-variant.gguf"));
        QCOMPARE(read_file(target), model_);
        QTRY_VERIFY_WITH_TIMEOUT(app_->controller().models()->rowOfPath(target) >= 0, kWaitMs);
    }

    // "owner/repo/file.gguf": the file list from the (fake) Hub gives the size and SHA-256.
    void aRepositoryFileIsResolvedThroughTheCatalog() {
        const QString repo = QStringLiteral("test-owner/Every-Variant-GGUF");
        server_->set_handler([this, repo](const HttpRequest& request) {
            const QString path = QUrl(QString::fromLatin1(request.target)).path();
            if (path == QStringLiteral("/api/models/%1/tree/main").arg(repo)) {
                QJsonObject lfs{{"oid", sha256_hex(model_)}, {"size", model_.size()}, {"pointerSize", 134}};
                QJsonArray tree{QJsonObject{{"type", "file"}, {"path", "README.md"}, {"size", 20}, {"oid", "a1"}},
                                QJsonObject{{"type", "file"}, {"path", "every-variant-F32.gguf"}, {"size", model_.size()},
                                            {"oid", "b2"}, {"lfs", lfs}}};
                HttpResponse r;
                r.header("Content-Type", "application/json");
                r.body = QJsonDocument(tree).toJson();
                return r;
            }
            if (path == QStringLiteral("/%1/resolve/main/every-variant-F32.gguf").arg(repo)) return paced(request, model_);
            HttpResponse missing;
            missing.status = 404;
            return missing;
        });
        Downloads& downloads = *app_->controller().downloads();
        downloads.setCatalogUrl(server_->url(QString()).toString());
        QSignalSpy registered(&downloads, &Downloads::modelRegistered);
        QVERIFY(downloads.add(repo + QStringLiteral("/every-variant-F32.gguf")));
        QVERIFY(registered.wait(kWaitMs));
        QCOMPARE(QFileInfo(registered.at(0).at(0).toString()).fileName(), QStringLiteral("every-variant-F32.gguf"));
        QTRY_COMPARE_WITH_TIMEOUT(downloads.jobs()->at(0).bytes_total, model_.size(), kWaitMs);

        // A file the repository does not have is named in the error; nothing is queued.
        QVERIFY(downloads.add(repo + QStringLiteral("/missing-Q2_K.gguf")));
        QTRY_VERIFY_WITH_TIMEOUT(downloads.errorText().contains(QStringLiteral("missing-Q2_K.gguf")), kWaitMs);
        QCOMPARE(downloads.jobs()->rowCount(), 1);
    }

    // The catalog section: search and file lists from a fake Hub, flags, the offline cache,
    // and the base URL kept across a restart.
    void catalogSearchFilesOfflineAndItsAddress() {
        const QString repo = QStringLiteral("test-owner/Every-Variant-GGUF");
        const QString ultra = QStringLiteral("nvidia/Llama-3_1-Nemotron-Ultra-253B-v1-GGUF");
        server_->set_handler([this, repo, ultra](const HttpRequest& request) {
            const QString path = QUrl(QString::fromLatin1(request.target)).path();
            HttpResponse r;
            r.header("Content-Type", "application/json");
            if (path == QLatin1String("/api/models")) {
                r.body = QJsonDocument(QJsonArray{QJsonObject{{"id", ultra}, {"downloads", 1200}, {"likes", 3}},
                                                  QJsonObject{{"id", repo}, {"downloads", 5}, {"likes", 0}}})
                             .toJson();
            } else if (path == QStringLiteral("/api/models/%1/tree/main").arg(repo)) {
                QJsonObject lfs{{"oid", sha256_hex(model_)}, {"size", model_.size()}, {"pointerSize", 134}};
                r.body = QJsonDocument(QJsonArray{QJsonObject{{"type", "file"}, {"path", "README.md"}, {"size", 20}, {"oid", "a1"}},
                                                  QJsonObject{{"type", "file"}, {"path", "every-variant-F32.gguf"},
                                                              {"size", model_.size()}, {"oid", "b2"}, {"lfs", lfs}}})
                             .toJson();
            } else {
                r.status = 404;
            }
            return r;
        });
        Downloads& downloads = *app_->controller().downloads();
        const QString base = server_->url(QString()).toString();
        downloads.setCatalogUrl(base);

        // Nothing typed: the bundled repositories, Ultra-253B flagged, no network asked.
        downloads.searchCatalog(QString());
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QVERIFY(downloads.catalogRepos().size() >= 3);
        QCOMPARE(server_->requests().size(), 0);
        bool bundled_ultra_flagged = false;
        for (const QVariant& v : downloads.catalogRepos())
            if (v.toMap().value("repo").toString().contains(QStringLiteral("Ultra-253B")))
                bundled_ultra_flagged = v.toMap().value("multiMachine").toBool();
        QVERIFY(bundled_ultra_flagged);

        downloads.searchCatalog(QStringLiteral("nemotron"));
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QCOMPARE(downloads.catalogStatus(), QString());
        QVariantList repos = downloads.catalogRepos();
        QCOMPARE(repos.size(), 2);
        QCOMPARE(repos.at(0).toMap().value("repo").toString(), ultra);
        QCOMPARE(repos.at(0).toMap().value("billions").toDouble(), 253.0);
        QVERIFY(repos.at(0).toMap().value("multiMachine").toBool());
        QVERIFY(!repos.at(1).toMap().value("multiMachine").toBool());
        QCOMPARE(repos.at(1).toMap().value("downloads").toLongLong(), 5);

        downloads.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QCOMPARE(downloads.filesRepo(), repo);
        const QVariantList files = downloads.catalogFiles();
        QCOMPARE(files.size(), 1);  // .gguf files only
        QCOMPARE(files.at(0).toMap().value("path").toString(), QStringLiteral("every-variant-F32.gguf"));
        QCOMPARE(files.at(0).toMap().value("size").toLongLong(), model_.size());
        QVERIFY(files.at(0).toMap().value("verified").toBool());

        // Offline: the same search is answered from the database, and says so.
        server_.reset();
        downloads.searchCatalog(QStringLiteral("nemotron"));
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QCOMPARE(downloads.catalogRepos().size(), 2);
        QVERIFY2(downloads.catalogStatus().startsWith(QStringLiteral("Offline")), qPrintable(downloads.catalogStatus()));

        // The address is a setting: the next start uses it.
        open_app();
        QTRY_COMPARE_WITH_TIMEOUT(app_->controller().downloads()->catalogUrl(), base, kWaitMs);
    }

    // "Will it fit" before downloading: each .gguf file of the repository shown gets its
    // header read from the fake Hub (Range requests), its need computed as the engine would,
    // a verdict against the machine, and one recommended file; a split model is listed once;
    // a file that is not a GGUF says so; the facts are cached and shown again offline.
    void catalogJudgesEachFileBeforeDownloading() {
        const QString repo = QStringLiteral("test-owner/Every-Variant-GGUF");
        QMap<QString, QByteArray> files;
        QMap<QString, qint64> needs;  // what the engine says each file needs at its default context
        for (const auto& [name, type] : {std::pair{QStringLiteral("ev-F32.gguf"), TensorType::F32},
                                         std::pair{QStringLiteral("ev-Q8_0.gguf"), TensorType::Q8_0},
                                         std::pair{QStringLiteral("ev-Q4_0.gguf"), TensorType::Q4_0}}) {
            SyntheticSpec spec = every_variant_spec();
            spec.type = type;
            const QString path = dir_.filePath(QStringLiteral("served/") + name);
            QVERIFY(write_model(path, spec));
            files.insert(name, read_file(path));
            auto summary = read_model_summary(path.toStdString());
            QVERIFY(summary.ok());
            needs.insert(name, static_cast<qint64>(estimate_memory(summary->config, summary->weight_bytes, 512).total()));
        }
        // A split model: part 1 says split.count 2; part 2's size is added to its weights.
        {
            const QString path = dir_.filePath(QStringLiteral("served/split-part1.gguf"));
            SyntheticWriteOptions options;
            options.n_threads = 1;
            options.edit = [](SyntheticFile& f) { f.set_key("split.count", uint32_t{2}); };
            QVERIFY(write_synthetic_model(every_variant_spec(), path.toStdString(), options).ok());
            files.insert(QStringLiteral("ev-F32-00001-of-00002.gguf"), read_file(path));
            files.insert(QStringLiteral("ev-F32-00002-of-00002.gguf"), QByteArray(3 << 20, 'x'));
            auto summary = read_model_summary(path.toStdString());
            QVERIFY(summary.ok());
            needs.insert(QStringLiteral("ev-F32-00001-of-00002.gguf"),
                         static_cast<qint64>(estimate_memory(summary->config, summary->weight_bytes + (3 << 20), 512).total()));
        }
        files.insert(QStringLiteral("broken.gguf"), QByteArray("<!DOCTYPE html><p>moved</p>").leftJustified(5000, ' '));
        QVERIFY(needs[QStringLiteral("ev-F32.gguf")] > needs[QStringLiteral("ev-Q8_0.gguf")]);
        QVERIFY(needs[QStringLiteral("ev-Q8_0.gguf")] > needs[QStringLiteral("ev-Q4_0.gguf")]);

        QList<QByteArray> ranges;
        server_->set_handler([&](const HttpRequest& request) {
            const QString path = QUrl(QString::fromLatin1(request.target)).path();
            if (path == QStringLiteral("/api/models/%1/tree/main").arg(repo)) {
                QJsonArray tree{QJsonObject{{"type", "file"}, {"path", "README.md"}, {"size", 20}, {"oid", "a1"}}};
                for (auto it = files.begin(); it != files.end(); ++it)
                    tree.append(QJsonObject{{"type", "file"}, {"path", it.key()}, {"size", it.value().size()}, {"oid", "b"},
                                            {"lfs", QJsonObject{{"oid", sha256_hex(it.value())}, {"size", it.value().size()},
                                                                {"pointerSize", 134}}}});
                HttpResponse r;
                r.header("Content-Type", "application/json");
                r.body = QJsonDocument(tree).toJson();
                return r;
            }
            const QString prefix = QStringLiteral("/%1/resolve/main/").arg(repo);
            if (path.startsWith(prefix) && files.contains(path.mid(prefix.size()))) {
                ranges << request.header("Range");
                return serve_file(request, files.value(path.mid(prefix.size())), "\"e\"");
            }
            HttpResponse missing;
            missing.status = 404;
            return missing;
        });
        Downloads& downloads = *app_->controller().downloads();
        downloads.setCatalogUrl(server_->url(QString()).toString());
        const qint64 q8 = needs[QStringLiteral("ev-Q8_0.gguf")], f32 = needs[QStringLiteral("ev-F32.gguf")];
        MachineMemory machine;
        const qint64 split_need = needs[QStringLiteral("ev-F32-00001-of-00002.gguf")];
        // The GPU holds Q8_0 with the 15% headroom, not F32 with it; RAM holds the split model too.
        const auto gpu_free = static_cast<uint64_t>(static_cast<double>(q8 + f32) / 2 * kHeadroom);
        const auto ram_free = static_cast<uint64_t>(static_cast<double>(split_need) * 1.2);
        machine.setPools({{{"RAM", false, 2 * ram_free, ram_free}, false}, {{"Test GPU", true, 2 * gpu_free, gpu_free}, false}});
        downloads.setMachine(&machine);

        auto file = [&](const QString& name) {
            for (const QVariant& v : downloads.catalogFiles())
                if (v.toMap().value("path").toString() == name) return v.toMap();
            return QVariantMap();
        };
        auto all_read = [&] {
            for (const QVariant& v : downloads.catalogFiles())
                if (v.toMap().value("fitState").toString() == QLatin1String("reading")) return false;
            return !downloads.catalogFiles().isEmpty();
        };
        downloads.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(all_read(), kWaitMs);
        QCOMPARE(downloads.catalogFiles().size(), 5);  // the split model once, by its first part
        for (const QByteArray& range : std::as_const(ranges)) QVERIFY2(range.startsWith("bytes=0-"), range.constData());
        QCOMPARE(ranges.size(), 5);  // one header read per listed file, none for part 2

        for (const QString& name : needs.keys()) {
            QVERIFY2(file(name).value("fitState").toString() == QLatin1String("ready"), qPrintable(name));
            QCOMPARE(static_cast<qint64>(file(name).value("needBytes").toDouble()), needs[name]);
            QCOMPARE(file(name).value("context").toInt(), 512);
        }
        QCOMPARE(file(QStringLiteral("ev-Q8_0.gguf")).value("fitKind").toString(), QStringLiteral("gpu"));
        QVERIFY(file(QStringLiteral("ev-Q8_0.gguf")).value("fitText").toString().startsWith(QStringLiteral("Fits in GPU (Test GPU)")));
        QVERIFY(file(QStringLiteral("ev-Q8_0.gguf")).value("recommended").toBool());
        QVERIFY(!file(QStringLiteral("ev-Q4_0.gguf")).value("recommended").toBool());
        QVERIFY(!file(QStringLiteral("ev-F32.gguf")).value("recommended").toBool());
        QCOMPARE(file(QStringLiteral("ev-Q4_0.gguf")).value("quantization").toString(), QStringLiteral("Q4_0"));
        const QVariantMap split = file(QStringLiteral("ev-F32-00001-of-00002.gguf"));
        QCOMPARE(split.value("splitParts").toInt(), 2);
        QCOMPARE(split.value("size").toLongLong(), files.value(QStringLiteral("ev-F32-00001-of-00002.gguf")).size() + (3 << 20));
        QCOMPARE(split.value("fitKind").toString(), QStringLiteral("ram"));
        QVERIFY2(split.value("fitText").toString().startsWith(QStringLiteral("Fits in RAM")), qPrintable(split.value("fitText").toString()));
        const QVariantMap broken = file(QStringLiteral("broken.gguf"));
        QCOMPARE(broken.value("fitState").toString(), QStringLiteral("failed"));
        QVERIFY2(broken.value("fitError").toString().contains(QStringLiteral("not a GGUF file")),
                 qPrintable(broken.value("fitError").toString()));

        // A machine too small for any of them: "too big", with the need, and no recommendation.
        machine.setPools({{{"RAM", false, 4096, 1024}, false}});
        QCOMPARE(file(QStringLiteral("ev-Q4_0.gguf")).value("fitKind").toString(), QStringLiteral("tooBig"));
        QVERIFY(file(QStringLiteral("ev-Q4_0.gguf")).value("fitText").toString().startsWith(QStringLiteral("Too big: needs")));
        for (const QVariant& v : downloads.catalogFiles()) QVERIFY(!v.toMap().value("recommended").toBool());

        // Offline after a restart: the file list and the header facts come from the database.
        server_.reset();
        open_app();
        Downloads& again = *app_->controller().downloads();
        again.setMachine(&machine);
        again.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!again.catalogBusy(), kWaitMs);
        QVERIFY(again.catalogStatus().startsWith(QStringLiteral("Offline")));
        for (const QVariant& v : again.catalogFiles()) {
            const QVariantMap m = v.toMap();
            if (!needs.contains(m.value("path").toString())) continue;
            QCOMPARE(m.value("fitState").toString(), QStringLiteral("ready"));
            QCOMPARE(static_cast<qint64>(m.value("needBytes").toDouble()), needs[m.value("path").toString()]);
        }
    }

    // The Hugging Face token: kept in the secret store (never the database), sent to the Hub
    // for catalog calls and header reads, kept across a restart, removable; without it a
    // gated repository says what to do.
    void theHubTokenOpensGatedRepositoriesAndStaysOutOfTheDatabase() {
        const QString repo = QStringLiteral("test-owner/Gated-GGUF");
        const QByteArray token = "hf_app_secret_4711";
        server_->set_handler([&](const HttpRequest& request) {
            const QString path = QUrl(QString::fromLatin1(request.target)).path();
            HttpResponse r;
            if (request.header("Authorization") != "Bearer " + token) {
                r.status = 401;
                r.body = "{\"error\":\"Access to this model is restricted.\"}";
            } else if (path == QStringLiteral("/api/models/%1/tree/main").arg(repo)) {
                r.header("Content-Type", "application/json");
                r.body = QJsonDocument(QJsonArray{QJsonObject{{"type", "file"}, {"path", "gated-F32.gguf"},
                                                              {"size", model_.size()}, {"oid", "c3"}}})
                             .toJson();
            } else {
                r = serve_file(request, model_, kEtag);
            }
            return r;
        });
        Downloads& downloads = *app_->controller().downloads();
        downloads.setCatalogUrl(server_->url(QString()).toString());
        downloads.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QVERIFY(downloads.catalogFiles().isEmpty());
        QVERIFY2(downloads.catalogStatus().contains(QStringLiteral("gated: accept its terms on huggingface.co and add a token")),
                 qPrintable(downloads.catalogStatus()));
        QVERIFY(!downloads.hubTokenSet());

        downloads.setHubToken(QString::fromLatin1(token));
        QTRY_VERIFY_WITH_TIMEOUT(downloads.hubTokenSet(), kWaitMs);
        downloads.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(downloads.catalogFiles().size() == 1 &&
                                     downloads.catalogFiles().at(0).toMap().value("fitState") == QStringLiteral("ready"),
                                 kWaitMs);
        QCOMPARE(server_->requests().last().header("Authorization"), "Bearer " + token);  // the header read

        // In the secret store's file, not in the database (nor its journal).
        const QDir data(data_->path());
        QVERIFY(read_file(data.filePath(QStringLiteral("secrets.json"))).contains(token));
        for (const QString& name : data.entryList({QStringLiteral("*.db*")}, QDir::Files))
            QVERIFY2(!read_file(data.filePath(name)).contains(token), qPrintable(name));

        open_app();
        Downloads& again = *app_->controller().downloads();
        QTRY_VERIFY_WITH_TIMEOUT(again.hubTokenSet(), kWaitMs);
        const qsizetype before = server_->requests().size();
        again.showRepoFiles(repo);
        QTRY_VERIFY_WITH_TIMEOUT(!again.catalogBusy() && server_->requests().size() > before, kWaitMs);
        QCOMPARE(again.catalogStatus(), QString());
        QCOMPARE(server_->requests().at(before).header("Authorization"), "Bearer " + token);

        again.setHubToken(QString());
        QTRY_VERIFY_WITH_TIMEOUT(!again.hubTokenSet(), kWaitMs);
        QVERIFY(!read_file(data.filePath(QStringLiteral("secrets.json"))).contains(token));
    }

    // A history from a newer version is opened read-only (S8): downloads are off and say why,
    // and nothing is asked of the network or written.
    void aReadOnlyHistoryTurnsDownloadsOff() {
        app_.reset();
        {
            storage::Database db = open_database(QDir(data_->path()).filePath(QString::fromLatin1(storage::kDatabaseFileName)));
            QVERIFY(db.exec("PRAGMA user_version = 9999").ok());
        }
        open_app();
        QVERIFY(app_->storage().report().read_only);
        Downloads& downloads = *app_->controller().downloads();
        QVERIFY(downloads.add(server_->url(QStringLiteral("/nas-every-variant.gguf")).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(downloads.errorText().contains(QStringLiteral("read-only")), kWaitMs);
        downloads.searchCatalog(QString());
        QTRY_VERIFY_WITH_TIMEOUT(!downloads.catalogBusy(), kWaitMs);
        QVERIFY(downloads.catalogStatus().contains(QStringLiteral("read-only")));
        QCOMPARE(downloads.jobs()->rowCount(), 0);
        QCOMPARE(server_->requests().size(), 0);
        QVERIFY(!QDir(app_->controller().library()->modelsFolder()).exists(QStringLiteral("nas-every-variant.gguf.part")));
    }

private:
    void open_app() {
        app_.reset();  // the previous run (and its history lock) goes first
        app_ = std::make_unique<AppFixture>(data_->path());
        QVERIFY(app_->open(false));
    }

    QTemporaryDir dir_;
    QByteArray model_;
    std::unique_ptr<QTemporaryDir> data_;
    std::unique_ptr<FaultServer> server_;
    std::unique_ptr<AppFixture> app_;
};

QTEST_MAIN(DownloadsTest)
#include "downloads_test.moc"

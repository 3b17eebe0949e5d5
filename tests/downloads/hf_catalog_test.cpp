// The Hugging Face catalog client against a fake Hub on loopback, answering from the JSON
// files in tests/data/hf_api/ (the real response shapes): search, file lists with sizes and
// LFS SHA-256, a download through the engine, and the cached answers offline.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <memory>

#include "download_fixture.h"
#include "downloads/bundled_repos.h"
#include "downloads/hf_catalog.h"
#include "fault_server.h"

using namespace tessera::downloads;
using namespace tessera::downloads::testing;

namespace {

const QString kData = QStringLiteral(TESSERA_SOURCE_DIR "/tests/data/hf_api/");
const QString kTiny = QStringLiteral("tessera-test/Tiny-NAS-1B-GGUF");
const QString kUltra = QStringLiteral("bartowski/nvidia_Llama-3_1-Nemotron-Ultra-253B-v1-GGUF");
const QString kGated = QStringLiteral("tessera-test/Gated-NAS-GGUF");
const QByteArray kToken = "hf_test_token";

// The file tests/data/hf_api/README.md describes.
QByteArray tiny_model() {
    QByteArray data(65536, Qt::Uninitialized);
    for (int i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7 + 3) % 251);
    data.replace(0, 8, QByteArray("GGUF\x03\x00\x00\x00", 8));
    return data;
}

// The fake Hub: API answers from the JSON files, file downloads from tiny_model().
HttpResponse fake_hub(const HttpRequest& request, QList<QUrlQuery>* searches) {
    const QUrl url(QString::fromLatin1(request.target));
    const QString path = url.path();
    HttpResponse r;
    r.header("Content-Type", "application/json; charset=utf-8");
    if (path.startsWith(QLatin1String("/api/models/") + kGated) || path.startsWith(QLatin1String("/") + kGated)) {
        // A gated repository: 401 without the token; with it, Tiny's files, downloads redirected
        // to a CDN on another host name (where the token must not go).
        if (request.header("Authorization") != "Bearer " + kToken) {
            r.status = 401;
            r.body = "{\"error\":\"Access to model " + kGated.toUtf8() + " is restricted. You must have access to it.\"}";
        } else if (path.endsWith(QLatin1String("/tree/main"))) {
            r.body = read_file(kData + QStringLiteral("tree_tessera-test__Tiny-NAS-1B-GGUF.json"));
        } else {
            r.status = 302;
            r.header("Location", "http://localhost:" + request.header("Host").split(':').value(1) + "/cdn/tiny.gguf");
        }
    } else if (path == QLatin1String("/api/models")) {
        searches->append(QUrlQuery(url.query()));
        r.body = read_file(kData + QStringLiteral("models_search.json"));
    } else if (path.startsWith(QLatin1String("/api/models/")) && path.endsWith(QLatin1String("/tree/main"))) {
        const QString repo = path.mid(12).chopped(10);
        r.body = read_file(kData + QStringLiteral("tree_") + QString(repo).replace(QLatin1Char('/'), QStringLiteral("__")) +
                           QStringLiteral(".json"));
        if (r.body.isEmpty()) {
            r.status = 404;
            r.body = "{\"error\":\"Repository not found\"}";
        }
    } else if (path == QLatin1String("/cdn/tiny.gguf")) {
        r = serve_file(request, tiny_model(), "\"tiny-1\"");
    } else if (path.startsWith(QLatin1String("/") + kTiny + QLatin1String("/resolve/main/"))) {
        r = serve_file(request, tiny_model(), "\"tiny-1\"");
    } else {
        r.status = 404;
    }
    return r;
}

}  // namespace

class HfCatalogTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    std::unique_ptr<tessera::storage::Database> db_;

    static SearchResult search(HfCatalog& catalog, const QString& query, const QString& author) {
        QSignalSpy spy(&catalog, &HfCatalog::searchFinished);
        catalog.search(query, author);
        if (!spy.wait(10000)) qFatal("no search answer");
        return spy.at(0).at(0).value<SearchResult>();
    }
    static FilesResult files(HfCatalog& catalog, const QString& repo) {
        QSignalSpy spy(&catalog, &HfCatalog::filesListed);
        catalog.list_files(repo);
        if (spy.isEmpty() && !spy.wait(10000)) qFatal("no file list");
        return spy.at(0).at(0).value<FilesResult>();
    }

private slots:
    void init() {
        QVERIFY(dir_.isValid());
        db_ = std::make_unique<tessera::storage::Database>(open_database(dir_.filePath(QStringLiteral("t.db"))));
    }
    void cleanup() {
        db_.reset();
        QFile::remove(dir_.filePath(QStringLiteral("t.db")));
    }

    void lists_searches_and_files() {
        QList<QUrlQuery> searches;
        FaultServer hub([&](const HttpRequest& r) { return fake_hub(r, &searches); });
        QVERIFY(hub.listen());
        HfCatalog catalog(*db_, hub.url(QString()));

        const SearchResult found = search(catalog, QStringLiteral("Nemotron"), QStringLiteral("bartowski"));
        QVERIFY2(found.error.isEmpty(), qPrintable(found.error));
        QVERIFY(!found.from_cache);
        QCOMPARE(searches.size(), 1);
        QCOMPARE(searches[0].queryItemValue(QStringLiteral("search")), QStringLiteral("Nemotron"));
        QCOMPARE(searches[0].queryItemValue(QStringLiteral("author")), QStringLiteral("bartowski"));
        QCOMPARE(found.models.size(), 3);  // the entry without an id is skipped
        QCOMPARE(found.models[0].repo, QStringLiteral("bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1-GGUF"));
        QCOMPARE(found.models[0].downloads, 18734);
        QCOMPARE(found.models[0].parameter_billions, 49.0);
        QVERIFY(!found.models[0].needs_multiple_machines);
        QCOMPARE(found.models[1].repo, kUltra);
        QVERIFY(found.models[1].needs_multiple_machines);

        const FilesResult tiny = files(catalog, kTiny);
        QVERIFY2(tiny.error.isEmpty(), qPrintable(tiny.error));
        QCOMPARE(tiny.files.size(), 4);  // the folder entry is not a file
        const HfFile& gguf = tiny.files[2];
        QCOMPARE(gguf.path, QStringLiteral("Tiny-NAS-1B-Q4_K_M.gguf"));
        QVERIFY(gguf.is_gguf);
        QVERIFY(!tiny.files[0].is_gguf);
        QVERIFY(!tiny.files[0].sha256);  // not an LFS file: no SHA-256 to check
        QCOMPARE(gguf.size, 65536);
        QCOMPARE(gguf.sha256.value_or(QString()), sha256_hex(tiny_model()));
        QCOMPARE(gguf.download_url, hub.url(QStringLiteral("/") + kTiny + QStringLiteral("/resolve/main/Tiny-NAS-1B-Q4_K_M.gguf")));
        QCOMPARE(tiny.files[3].download_url.path(),
                 QStringLiteral("/") + kTiny + QStringLiteral("/resolve/main/split/Tiny-NAS-1B-Q8_0-00001-of-00002.gguf"));

        const FilesResult ultra = files(catalog, kUltra);
        QCOMPARE(ultra.files.size(), 2);
        QVERIFY(ultra.files[1].needs_multiple_machines);
        QCOMPARE(ultra.files[1].size, 46483652416);

        // A catalog file downloads through the engine, checked against its LFS SHA-256.
        auto request = HfCatalog::download_request(gguf);
        QVERIFY(std::holds_alternative<DownloadRequest>(request));
        const QString models = dir_.filePath(QStringLiteral("models"));
        DownloadManager manager(*db_, models, fast_settings());
        auto id = manager.enqueue(std::get<DownloadRequest>(request));
        QVERIFY(std::holds_alternative<qint64>(id));
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(manager, std::get<qint64>(id)), 20000);
        QCOMPARE(manager.progress(std::get<qint64>(id)).state, tessera::storage::DownloadState::done);
        QCOMPARE(read_file(models + QStringLiteral("/Tiny-NAS-1B-Q4_K_M.gguf")), tiny_model());
    }

    void caches_and_works_offline() {
        QList<QUrlQuery> searches;
        auto hub = std::make_unique<FaultServer>([&](const HttpRequest& r) { return fake_hub(r, &searches); });
        QVERIFY(hub->listen());
        const QUrl base = hub->url(QString());
        {
            HfCatalog online(*db_, base);
            QCOMPARE(search(online, QStringLiteral("Nemotron"), QString()).models.size(), 3);
            QCOMPARE(files(online, kTiny).files.size(), 4);
        }
        hub.reset();  // the network is gone (the port is closed)
        HfCatalog offline(*db_, base);
        const SearchResult found = search(offline, QStringLiteral("Nemotron"), QString());
        QVERIFY(found.from_cache);
        QVERIFY(!found.error.isEmpty());
        QVERIFY(found.fetched_at_ms > 0);
        QCOMPARE(found.models.size(), 3);
        QCOMPARE(found.models[1].repo, kUltra);
        const FilesResult listed = files(offline, kTiny);
        QVERIFY(listed.from_cache);
        QCOMPARE(listed.files.size(), 4);
        QCOMPARE(listed.files[2].sha256.value_or(QString()), sha256_hex(tiny_model()));
        // A query never asked while online has nothing cached: an error, no rows.
        const SearchResult unknown = search(offline, QStringLiteral("DeciLM"), QString());
        QVERIFY(!unknown.error.isEmpty());
        QVERIFY(!unknown.from_cache);
        QVERIFY(unknown.models.isEmpty());
    }

    // A gated repository: without the token the catalog and the download say what to do; with
    // it both work, the token going to the Hub only (dropped on the redirect to the CDN, D7).
    void gated_repository_needs_a_token() {
        QList<QUrlQuery> searches;
        FaultServer hub([&](const HttpRequest& r) { return fake_hub(r, &searches); });
        QVERIFY(hub.listen());
        HfCatalog catalog(*db_, hub.url(QString()));
        const FilesResult refused = files(catalog, kGated);
        QVERIFY(refused.files.isEmpty());
        QVERIFY2(refused.error.contains(QStringLiteral("gated")) && refused.error.contains(QStringLiteral("add a token")),
                 qPrintable(refused.error));

        catalog.set_token(kToken);
        const FilesResult listed = files(catalog, kGated);
        QVERIFY2(listed.error.isEmpty(), qPrintable(listed.error));
        QCOMPARE(listed.files.size(), 4);
        QCOMPARE(hub.requests().last().header("Authorization"), "Bearer " + kToken);

        auto request = HfCatalog::download_request(listed.files[2]);
        QVERIFY(std::holds_alternative<DownloadRequest>(request));
        const QString models = dir_.filePath(QStringLiteral("models"));
        {
            // No token: the download fails with the gated message, nothing at the final path.
            DownloadManager manager(*db_, models, fast_settings());
            manager.set_hub(hub.url(QString()), {});
            auto id = manager.enqueue(std::get<DownloadRequest>(request));
            QVERIFY(std::holds_alternative<qint64>(id));
            manager.start();
            QTRY_VERIFY_WITH_TIMEOUT(finished(manager, std::get<qint64>(id)), 20000);
            const JobProgress p = manager.progress(std::get<qint64>(id));
            QCOMPARE(p.state, tessera::storage::DownloadState::failed);
            QVERIFY2(p.error.contains(QStringLiteral("gated: accept its terms on huggingface.co and add a token")),
                     qPrintable(p.error));
            manager.cancel(std::get<qint64>(id));
        }
        const qsizetype before = hub.requests().size();
        DownloadManager manager(*db_, models, fast_settings());
        manager.set_hub(hub.url(QString()), "Bearer " + kToken);
        auto id = manager.enqueue(std::get<DownloadRequest>(request));
        QVERIFY(std::holds_alternative<qint64>(id));
        manager.start();
        QTRY_VERIFY_WITH_TIMEOUT(finished(manager, std::get<qint64>(id)), 20000);
        QCOMPARE(manager.progress(std::get<qint64>(id)).state, tessera::storage::DownloadState::done);
        QCOMPARE(read_file(models + QStringLiteral("/Tiny-NAS-1B-Q4_K_M.gguf")), tiny_model());
        const QList<HttpRequest> sent = hub.requests().mid(before);
        QCOMPARE(sent.size(), 2);
        QVERIFY(sent[0].target.startsWith("/" + kGated.toUtf8() + "/resolve/main/"));
        QCOMPARE(sent[0].header("Authorization"), "Bearer " + kToken);
        QCOMPARE(sent[1].target, QByteArray("/cdn/tiny.gguf"));
        QVERIFY(sent[1].header("Host").startsWith("localhost:"));
        QVERIFY(sent[1].header("Authorization").isEmpty());  // another host: the token stays home
    }

    void refuses_bad_repo_names() {
        HfCatalog catalog(*db_, QUrl(QStringLiteral("http://127.0.0.1:9")));
        const FilesResult bad = files(catalog, QStringLiteral("../../api/whoami"));
        QVERIFY(bad.error.contains(QLatin1String("not a repository name")));
        QVERIFY(catalog.add_repo(QStringLiteral("a/b/c")).has_value());
        QVERIFY(!catalog.add_repo(QStringLiteral("someone/Custom-NAS-GGUF")).has_value());
        const QStringList repos = catalog.repos();
        QCOMPARE(repos.mid(0, bundled_repos().size()), bundled_repos());
        QCOMPARE(repos.last(), QStringLiteral("someone/Custom-NAS-GGUF"));
        QVERIFY(bundled_repos().contains(QStringLiteral("bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1-GGUF")));
        // Hand-added repositories survive a restart (they are in the database).
        HfCatalog again(*db_, QUrl(QStringLiteral("http://127.0.0.1:9")));
        QCOMPARE(again.repos(), repos);
    }
};

QTEST_GUILESS_MAIN(HfCatalogTest)
#include "hf_catalog_test.moc"

// "Will it fit" before downloading: HeaderProbe reads a remote GGUF file's header with Range
// requests, against nginx (real Range behaviour: only the header's bytes leave the server) and
// the fault server (a server ignoring Range, garbage, a truncated header, a header too large).
// The check is the engine's header reader, as the app uses it.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <memory>

#include "download_fixture.h"
#include "downloads/header_probe.h"
#include "fault_server.h"
#include "gguf/gguf_file.h"
#include "nginx_loopback.h"
#include "synthetic_model.h"

using namespace tessera;
using namespace tessera::downloads;
using namespace tessera::downloads::testing;
using tessera::loopback::NginxServer;

namespace {

constexpr int kWaitMs = 30000;  // a bound for a stuck exchange, not a performance limit

// A synthetic model of about 10 MiB whose header (a 4096-token vocabulary) is some 60 KiB.
QByteArray synthetic_model(const QString& folder) {
    SyntheticSpec spec;
    spec.name = "probe-test";
    spec.n_embd = 256;
    spec.n_head = 4;
    spec.n_vocab = 4096;
    spec.n_ctx = 2048;
    spec.seed = 11;
    spec.layers.assign(2, SyntheticLayer{AttentionKind::Gqa, 2, FfnKind::SwiGlu, 512});
    const QString path = folder + QStringLiteral("/probe.gguf");
    SyntheticWriteOptions options;
    options.n_threads = 1;
    if (Status s = write_synthetic_model(spec, path.toStdString(), options); !s)
        qFatal("cannot write the model: %s", s.error().message.c_str());
    return read_file(path);
}

// What the app's check does: parse; the prefix is enough once the header parses or fails.
struct HeaderCheck {
    std::shared_ptr<std::unique_ptr<GgufFile>> header = std::make_shared<std::unique_ptr<GgufFile>>();
    std::shared_ptr<QString> error = std::make_shared<QString>();
    std::shared_ptr<int> calls = std::make_shared<int>(0);

    HeaderProbe::Check check() const {
        return [h = header, e = error, n = calls](const QByteArray& prefix, qint64 size) -> std::optional<qint64> {
            ++*n;
            auto read = GgufFile::parse_header(reinterpret_cast<const uint8_t*>(prefix.constData()),
                                               static_cast<size_t>(prefix.size()), static_cast<uint64_t>(size));
            if (!read) {
                *e = QString::fromStdString(read.error().message);
                return std::nullopt;
            }
            if (!read->file) return static_cast<qint64>(read->more_bytes_needed);
            *h = std::move(read->file);
            return std::nullopt;
        };
    }
};

ProbeResult run_probe(const QUrl& url, std::optional<qint64> size, const HeaderCheck& check, ProbeSettings settings) {
    QNetworkAccessManager network;
    HeaderProbe probe(network, url, {}, size, check.check(), settings);
    QSignalSpy done(&probe, &HeaderProbe::finished);
    probe.start();
    if (!done.wait(kWaitMs)) qFatal("the probe did not finish");
    return done.at(0).at(0).value<ProbeResult>();
}

ProbeSettings small_first_read() {
    ProbeSettings s;
    s.first_bytes = 4096;  // the header needs several rounds
    s.timeout = std::chrono::milliseconds(kWaitMs);
    return s;
}

}  // namespace

class HeaderProbeTest : public QObject {
    Q_OBJECT

private:
    QTemporaryDir dir_;
    QByteArray model_;

private slots:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        model_ = synthetic_model(dir_.path());
        QVERIFY(model_.size() > (8 << 20));
    }

    // nginx answers each Range with 206: only the header's bytes are sent, in growing ranges.
    void reads_only_the_header_with_ranges() {
        NginxServer nginx;
        QVERIFY2(nginx.start().isEmpty(), "nginx did not start");
        QVERIFY(write_file(nginx.www() + QStringLiteral("/m.gguf"), model_));
        HeaderCheck check;
        const ProbeResult result = run_probe(nginx.url(QStringLiteral("m.gguf")), model_.size(), check, small_first_read());
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QVERIFY2(*check.header, qPrintable(*check.error));
        QCOMPARE(result.file_size.value_or(-1), model_.size());
        QVERIFY(result.prefix.size() < model_.size() / 20);
        QCOMPARE(result.prefix, model_.left(result.prefix.size()));
        auto whole = GgufFile::parse(reinterpret_cast<const uint8_t*>(model_.constData()), static_cast<size_t>(model_.size()));
        QVERIFY(whole.ok());
        QCOMPARE((*check.header)->tensors().size(), (*whole)->tensors().size());

        // Every request was a range answered with 206, starting where the last one ended,
        // and nginx sent exactly the bytes the probe kept.
        QTRY_COMPARE_WITH_TIMEOUT(nginx.bytes_sent().size(), nginx.access_log().size(), kWaitMs);
        const QStringList log = nginx.access_log();
        QVERIFY2(log.size() >= 3, qPrintable(log.join(QLatin1Char('\n'))));
        qint64 next = 0;
        for (const QString& line : log) {
            QVERIFY2(line.startsWith(QStringLiteral("206 range=bytes=%1-").arg(next)), qPrintable(line));
            const qint64 last = line.section(QLatin1Char('-'), 1, 1).section(QLatin1Char(' '), 0, 0).toLongLong();
            next = last + 1;
        }
        qint64 sent = 0;
        for (qint64 n : nginx.bytes_sent()) sent += n;
        QCOMPARE(sent, result.prefix.size());
    }

    // A server that ignores Range answers 200 with the whole file: the probe reads only until
    // the header parses, then drops the connection. No full download.
    void stops_reading_when_range_is_ignored() {
        FaultServer server([this](const HttpRequest&) {
            HttpResponse r;
            r.header("Content-Type", "application/octet-stream");
            r.body = model_;
            r.chunk_bytes = 16 << 10;
            r.chunk_interval_ms = 2;
            return r;
        });
        QVERIFY(server.listen());
        HeaderCheck check;
        const ProbeResult result = run_probe(server.url(QStringLiteral("/m.gguf")), std::nullopt, check, small_first_read());
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QVERIFY2(*check.header, qPrintable(*check.error));
        QCOMPARE(result.http_status, 200);
        QCOMPARE(result.file_size.value_or(-1), model_.size());
        QCOMPARE(server.requests().size(), 1);  // no second request: the same body is read on
        QVERIFY(server.requests().at(0).header("Range").startsWith("bytes=0-"));
        // Let the server notice the closed connection, then count what it sent.
        QTest::qWait(200);
        QVERIFY2(server.body_bytes_sent() < model_.size() / 4,
                 qPrintable(QStringLiteral("%1 of %2 bytes sent").arg(server.body_bytes_sent()).arg(model_.size())));
    }

    // Garbage, a truncated header, a web page and a header larger than allowed: each a clear
    // message, and never more bytes than the check asked for.
    void garbage_and_truncated_headers_are_clear_errors() {
        const QByteArray html = QByteArray("<!DOCTYPE html><html><body>Sign in</body></html>").leftJustified(100000, ' ');
        const QByteArray cut = model_.left(300);  // the whole "file": a header cut short
        FaultServer server([&](const HttpRequest& request) {
            const QByteArray target = request.target;
            if (target == "/page.gguf") return serve_file(request, html, "\"p\"");
            if (target == "/cut.gguf") return serve_file(request, cut, "\"c\"");
            if (target == "/portal.gguf") {
                HttpResponse r;
                r.header("Content-Type", "text/html; charset=utf-8");
                r.body = html;
                return r;
            }
            return serve_file(request, model_, "\"m\"");
        });
        QVERIFY(server.listen());

        HeaderCheck garbage;
        ProbeResult result = run_probe(server.url(QStringLiteral("/page.gguf")), html.size(), garbage, small_first_read());
        QVERIFY(result.error.isEmpty());
        QVERIFY(!*garbage.header);
        QVERIFY2(garbage.error->contains(QStringLiteral("not a GGUF file")), qPrintable(*garbage.error));
        QVERIFY2(garbage.error->contains(QStringLiteral("HTML")), qPrintable(*garbage.error));
        QCOMPARE(result.prefix.size(), 4096);  // the first read only

        HeaderCheck truncated;
        result = run_probe(server.url(QStringLiteral("/cut.gguf")), cut.size(), truncated, small_first_read());
        QVERIFY(!*truncated.header);
        QVERIFY2(truncated.error->contains(QStringLiteral("truncated")) || truncated.error->contains(QStringLiteral("ends inside")),
                 qPrintable(*truncated.error));

        HeaderCheck portal;
        result = run_probe(server.url(QStringLiteral("/portal.gguf")), std::nullopt, portal, small_first_read());
        QVERIFY2(result.error.contains(QStringLiteral("web page")), qPrintable(result.error));
        QCOMPARE(*portal.calls, 0);

        HeaderCheck large;
        ProbeSettings tight = small_first_read();
        tight.max_bytes = 16 << 10;  // the header needs more than this
        result = run_probe(server.url(QStringLiteral("/m.gguf")), model_.size(), large, tight);
        QVERIFY2(result.error.contains(QStringLiteral("larger than")), qPrintable(result.error));
        QVERIFY(result.prefix.size() <= tight.max_bytes);

        // The catalog's size disagreeing with the server's: refused, naming both.
        HeaderCheck stale;
        result = run_probe(server.url(QStringLiteral("/m.gguf")), model_.size() + 1, stale, small_first_read());
        QVERIFY2(result.error.contains(QString::number(model_.size())), qPrintable(result.error));
    }
};

QTEST_MAIN(HeaderProbeTest)
#include "header_probe_test.moc"

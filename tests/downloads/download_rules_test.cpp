// The pure rules under the download engine: Content-Range parsing, file names (D9),
// redirect hops (D7, including https -> http, which needs no server to show), Hub JSON.
#include <QTest>

#include "download_fixture.h"
#include "downloads/content_range.h"
#include "downloads/hf_json.h"
#include "downloads/redirect_rules.h"
#include "downloads/safe_file_name.h"

using namespace tessera::downloads;

class DownloadRulesTest : public QObject {
    Q_OBJECT

private slots:
    void content_range() {
        auto r = parse_content_range("bytes 100-199/1000");
        QVERIFY(r && r->first && r->last && r->total);
        QCOMPARE(*r->first, 100);
        QCOMPARE(*r->last, 199);
        QCOMPARE(*r->total, 1000);
        r = parse_content_range("bytes */1000");
        QVERIFY(r && !r->first && r->total && *r->total == 1000);
        r = parse_content_range("bytes 5-9/*");
        QVERIFY(r && !r->total && *r->first == 5);
        for (const char* bad : {"", "bytes", "items 1-2/3", "bytes 9-5/10", "bytes 5-10/10", "bytes -5/10",
                                "bytes 1-2/x", "bytes */*", "bytes 99999999999999999999-1/2"})
            QVERIFY2(!parse_content_range(bad), bad);
    }

    void safe_file_names() {
        for (const char* ok : {"model.gguf", "nvidia_Llama-3_3-Nemotron-Super-49B-v1-Q4_K_M.gguf", "a b.gguf"})
            QCOMPARE(std::get<QString>(check_file_name(QString::fromLatin1(ok))), QString::fromLatin1(ok));
        for (const char* bad : {"", "..", "../model.gguf", "a/../../b.gguf", "/etc/passwd", "sub/model.gguf",
                                "C:model.gguf", "..\\x.gguf", "CON", "nul.gguf", "com1.gguf", "LPT9.txt", ".bashrc",
                                "x\n.gguf", "model.gguf.part", "what?.gguf", "dot."})
            QVERIFY2(std::holds_alternative<UnsafeName>(check_file_name(QString::fromLatin1(bad))), bad);
        QVERIFY(std::holds_alternative<UnsafeName>(check_file_name(QString(300, QLatin1Char('a')))));
        QCOMPARE(std::get<QString>(file_name_from_remote_path(QStringLiteral("Q4_K_M/m-00001-of-00002.gguf"))),
                 QStringLiteral("m-00001-of-00002.gguf"));
        QCOMPARE(std::get<QString>(file_name_from_remote_path(QStringLiteral("/a/b.gguf?download=true"))),
                 QStringLiteral("b.gguf"));
        QVERIFY(std::holds_alternative<UnsafeName>(file_name_from_remote_path(QStringLiteral("a/b/"))));
        QVERIFY(std::holds_alternative<UnsafeName>(file_name_from_remote_path(QStringLiteral("a/.."))));
    }

    void redirect_rules() {
        const QUrl origin(QStringLiteral("https://hub.example/m.gguf"));
        // Same origin keeps the credentials, another host drops them.
        auto hop = next_redirect(origin, origin, "/other.gguf", 0, true);
        QVERIFY(hop.refused.isEmpty());
        QCOMPARE(hop.next, QUrl(QStringLiteral("https://hub.example/other.gguf")));
        QVERIFY(hop.keep_authorization);
        hop = next_redirect(origin, origin, "https://cdn.example/x?sig=1", 0, true);
        QVERIFY(hop.refused.isEmpty());
        QVERIFY(!hop.keep_authorization);
        // Once dropped, never restored, even back on the origin.
        hop = next_redirect(origin, QUrl(QStringLiteral("https://cdn.example/x")), "https://hub.example/y", 1, false);
        QVERIFY(hop.refused.isEmpty() && !hop.keep_authorization);
        // Another port is another origin.
        hop = next_redirect(origin, origin, "https://hub.example:8443/m.gguf", 0, true);
        QVERIFY(!hop.keep_authorization);
        // https -> http, other schemes, missing Location, too many hops.
        hop = next_redirect(origin, origin, "http://hub.example/m.gguf", 0, true);
        QVERIFY(hop.refused.contains(QLatin1String("https to plain http")));
        for (const char* scheme : {"file:///etc/passwd", "ftp://x/m.gguf", "data:text/plain,hi", "javascript:alert(1)"}) {
            hop = next_redirect(origin, origin, scheme, 0, true);
            QVERIFY2(hop.refused.contains(QLatin1String("only http and https")), scheme);
        }
        QVERIFY(!next_redirect(origin, origin, "", 0, true).refused.isEmpty());
        QVERIFY(next_redirect(origin, origin, "/a", kMaxRedirects - 1, true).refused.isEmpty());
        QVERIFY(next_redirect(origin, origin, "/a", kMaxRedirects, true).refused.contains(QLatin1String("more than 10")));
        // http -> https is an upgrade, followed.
        hop = next_redirect(QUrl(QStringLiteral("http://a/m")), QUrl(QStringLiteral("http://a/m")), "https://a/m", 0, false);
        QVERIFY(hop.refused.isEmpty());
    }

    void hf_json() {
        QCOMPARE(parameter_billions_from_name(QStringLiteral("bartowski/nvidia_Llama-3_1-Nemotron-Ultra-253B-v1-GGUF")), 253.0);
        QCOMPARE(parameter_billions_from_name(QStringLiteral("TheBloke/DeciLM-7B-instruct-GGUF")), 7.0);
        QVERIFY(!parameter_billions_from_name(QStringLiteral("someone/model-Q4_K_M-GGUF")));
        QVERIFY(needs_multiple_machines(253.0, 0));
        QVERIFY(!needs_multiple_machines(49.0, 30ll << 30));
        QVERIFY(needs_multiple_machines(std::nullopt, 200ll << 30));
        QVERIFY(is_valid_repo_id(QStringLiteral("bartowski/x-GGUF")));
        for (const char* bad : {"x", "../x", "a/b/c", "a/..", "/a/b", "a b/c", "a/b?x=1"})
            QVERIFY2(!is_valid_repo_id(QString::fromLatin1(bad)), bad);
        QVERIFY(std::holds_alternative<QString>(parse_tree("{\"error\": \"x\"}", QStringLiteral("a/b"), QUrl())));
        QVERIFY(std::holds_alternative<QString>(parse_model_list("not json")));
        QCOMPARE(resolve_url(QUrl(QStringLiteral("http://h:1/base/")), QStringLiteral("a/b"), QStringLiteral("d/m x.gguf")),
                 QUrl(QStringLiteral("http://h:1/base/a/b/resolve/main/d/m%20x.gguf")));
    }
};

QTEST_GUILESS_MAIN(DownloadRulesTest)
#include "download_rules_test.moc"

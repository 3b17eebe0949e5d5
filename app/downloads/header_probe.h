// "Will it fit" before downloading: the first bytes of a remote model file, fetched with HTTP
// Range requests, as many as its header needs and no more. The caller's check looks at the
// bytes so far (it parses the GGUF header) and says whether it needs more; the probe then
// asks for the next range, growing at least twice each time, up to settings.max_bytes.
//
// What an answer means:
//   206 with Content-Range starting where asked: the bytes are appended.
//   200 (a server that ignores Range): the body is read only until the check is satisfied,
//       then the connection is aborted: never a full download.
//   3xx: followed by hand with the download rules (D7: Authorization only to its origin).
//   401/403, other errors, text/html: the probe fails with a message naming the server.
// Each probe makes its requests one at a time; the caller limits how many probes run.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QUrl>
#include <chrono>
#include <functional>
#include <optional>

#include "downloads/download_settings.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace tessera::downloads {

struct ProbeResult {
    QByteArray prefix;                // the first bytes of the file
    std::optional<qint64> file_size;  // from Content-Range (or Content-Length of a 200)
    int http_status = 0;              // the last answer's status (401/403 tell a gated repository)
    QString error;                    // empty when the check was satisfied
};

class HeaderProbe : public QObject {
    Q_OBJECT
public:
    // nullopt: the bytes so far are enough (the check keeps what it found, header or error);
    // a number: the header needs at least this many bytes from the start of the file.
    using Check = std::function<std::optional<qint64>(const QByteArray& prefix, qint64 file_size)>;

    HeaderProbe(QNetworkAccessManager& network, QUrl url, QByteArray authorization,
                std::optional<qint64> expected_size, Check check, ProbeSettings settings = {},
                QObject* parent = nullptr);
    ~HeaderProbe() override;

    void start();

signals:
    void finished(const tessera::downloads::ProbeResult& result);

private:
    void send(const QUrl& url);
    void on_headers();
    void on_data();
    void on_finished();
    // Runs the check on the bytes so far: true when the probe is over (done or failed).
    bool judge();
    void request_more(qint64 needed);
    void fail(QString message);
    void succeed();
    void drop_reply();

    QNetworkAccessManager& network_;
    QUrl origin_, current_;
    QByteArray authorization_;
    bool authorization_allowed_ = true;
    int hops_ = 0;
    std::optional<qint64> expected_size_;
    Check check_;
    ProbeSettings settings_;
    QPointer<QNetworkReply> reply_;
    std::optional<QUrl> redirect_to_;
    bool headers_done_ = false;
    bool whole_body_ = false;  // the server ignored Range: read from 0 until the check is satisfied
    qint64 want_ = 0;          // bytes from the start of the file this request is for
    ProbeResult result_;
    bool over_ = false;
};

}  // namespace tessera::downloads

Q_DECLARE_METATYPE(tessera::downloads::ProbeResult)

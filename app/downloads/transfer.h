// One HTTP exchange for a download job: the request (with Range/If-Range when there is a
// partial), each redirect hop checked by redirect_rules, the answer checked, the body
// appended to the PartFile as it arrives. The job's retry policy lives in DownloadManager;
// a Transfer only says how its attempt ended.
//
// What an answer means:
//   206 with Content-Range starting at the partial's size: append.
//   206 for any other range: restart (never append bytes at the wrong offset).
//   200 while a partial exists: the server ignored Range or the ETag changed (If-Range):
//       the partial is emptied and the whole file written from byte 0 (D2, D4).
//   416 with "bytes */N" and N equal to the partial's size: the partial is complete (D3).
//   416 otherwise: the partial is larger than the file: restart (D5).
//   3xx: followed by hand (D7). 408, 429, 5xx and lost connections: retry. Other 4xx: fail.
//   text/html, or a body not starting with the GGUF magic: fail (D8, a captive portal).
#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <optional>

#include "downloads/download_settings.h"

class QNetworkAccessManager;
class QNetworkReply;

namespace tessera::downloads {

class PartFile;

// The reason a download of `still_needed` more bytes into `folder` must not go on (the
// disk would be left with less than settings.reserve_bytes), or nothing.
std::optional<QString> disk_space_problem(const DownloadSettings& settings, const QString& folder,
                                          qint64 still_needed);

struct TransferSpec {
    QUrl url;
    QByteArray authorization;  // the Authorization header for url's origin; empty for none
    QString etag;              // strong validator of the partial's bytes; empty when unknown
    std::optional<qint64> expected_size;
};

struct TransferOutcome {
    enum class Kind {
        complete,  // the partial holds the whole file
        retry,     // try again later; the partial is good
        restart,   // the partial is unusable: empty it and try again
        failed,    // give up with `message`
        stopped,   // stop() was called
    };
    Kind kind = Kind::failed;
    QString message;
    bool discard_partial = false;  // failed, and the bytes on disk are not the model's (D8)
    int http_status = 0;           // failed on this HTTP status (401/403: a gated repository?)
};

class Transfer : public QObject {
    Q_OBJECT
public:
    Transfer(QNetworkAccessManager& network, PartFile& part, TransferSpec spec, const DownloadSettings& settings,
             QObject* parent = nullptr);
    ~Transfer() override;

    void start();
    void stop();  // aborts; finished(stopped) follows
    // Aborts at once and emits nothing more: the caller is about to delete this object
    // (or its PartFile) outside the transfer's own signals.
    void abandon();

    std::optional<qint64> total() const { return total_; }
    const QString& etag() const { return etag_; }
    qint64 bytes_this_attempt() const { return received_; }

signals:
    void headersAccepted();          // total() and etag() are known
    void progressed(qint64 file_size);
    void finished(tessera::downloads::TransferOutcome outcome);

private:
    void send(const QUrl& url, bool with_authorization);
    void on_headers();
    void on_data();
    void on_finished();
    void on_stall();
    void conclude(TransferOutcome::Kind kind, QString message, bool discard = false, int http_status = 0);
    bool check_space();
    bool write(const char* data, qint64 size);

    QNetworkAccessManager& network_;
    PartFile& part_;
    TransferSpec spec_;
    const DownloadSettings& settings_;
    QPointer<QNetworkReply> reply_;
    QUrl current_;
    int hops_ = 0;
    bool authorization_allowed_ = true;
    bool headers_done_ = false;
    std::optional<QUrl> redirect_to_;
    bool redirect_keeps_authorization_ = false;
    std::optional<TransferOutcome> outcome_;
    std::optional<qint64> total_;
    QString etag_;
    QByteArray pending_head_;  // first bytes held back until the GGUF magic is checked
    qint64 received_ = 0;
    qint64 since_space_check_ = 0;
    QTimer stall_timer_;
    bool emitted_ = false;
};

}  // namespace tessera::downloads

Q_DECLARE_METATYPE(tessera::downloads::TransferOutcome)

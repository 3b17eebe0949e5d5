#include "downloads/transfer.h"

#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QStorageInfo>

#include "downloads/content_range.h"
#include "downloads/downloads_logging.h"
#include "downloads/part_file.h"
#include "downloads/redirect_rules.h"

namespace tessera::downloads {
namespace {

constexpr char kGgufMagic[] = "GGUF";
// Back-pressure: the socket waits while we write. Small enough that the bytes Qt's network
// thread just copied are still in the CPU cache when they are written and hashed here: 1 MiB
// was as fast as 8 MiB on a quiet machine and faster on a busy one; 64 MiB was much slower
// (bench/download_bench.cpp).
constexpr qint64 kReadBuffer = 1ll << 20;

QString mib(qint64 bytes) { return QString::number(static_cast<double>(bytes) / (1 << 20), 'f', 1) + " MiB"; }

bool is_strong_etag(const QByteArray& etag) { return !etag.isEmpty() && !etag.startsWith("W/"); }

QString printable_start(const QByteArray& bytes) {
    QString out;
    for (char c : bytes.left(16)) out += (c >= 32 && c < 127) ? QChar::fromLatin1(c) : QChar(u'.');
    return out;
}

}  // namespace

std::optional<QString> disk_space_problem(const DownloadSettings& settings, const QString& folder,
                                          qint64 still_needed) {
    const qint64 free = settings.free_space ? settings.free_space(folder) : QStorageInfo(folder).bytesAvailable();
    if (free < 0 || free - still_needed >= settings.reserve_bytes) return std::nullopt;  // free < 0: unknown
    return QStringLiteral("disk full: %1 more needed, %2 free in %3 (keeping %4 free); the partial download is "
                          "kept, free some space and resume")
        .arg(mib(still_needed), mib(free), folder, mib(settings.reserve_bytes));
}

Transfer::Transfer(QNetworkAccessManager& network, PartFile& part, TransferSpec spec,
                   const DownloadSettings& settings, QObject* parent)
    : QObject(parent), network_(network), part_(part), spec_(std::move(spec)), settings_(settings) {
    stall_timer_.setSingleShot(true);
    stall_timer_.setInterval(settings_.stall_timeout);
    connect(&stall_timer_, &QTimer::timeout, this, &Transfer::on_stall);
}

Transfer::~Transfer() {
    abandon();
}

void Transfer::start() {
    authorization_allowed_ = !spec_.authorization.isEmpty();
    send(spec_.url, authorization_allowed_);
}

void Transfer::abandon() {
    emitted_ = true;
    stall_timer_.stop();
    disconnect(this, nullptr, nullptr, nullptr);
    if (reply_) {
        QNetworkReply* reply = std::exchange(reply_, nullptr);
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void Transfer::stop() { conclude(TransferOutcome::Kind::stopped, QStringLiteral("stopped")); }

void Transfer::send(const QUrl& url, bool with_authorization) {
    current_ = url;
    headers_done_ = false;
    QNetworkRequest request = hop_request(url, settings_.user_agent);
    if (with_authorization) request.setRawHeader("Authorization", spec_.authorization);
    if (part_.size() > 0) {
        request.setRawHeader("Range", "bytes=" + QByteArray::number(part_.size()) + "-");
        // If the file changed upstream the server sends all of it (200) instead (D4).
        request.setRawHeader("If-Range", spec_.etag.toLatin1());
    }
    // TLS: Qt's defaults verify the peer chain and host name; errors are never ignored.
    reply_ = network_.get(request);
    reply_->setReadBufferSize(kReadBuffer);
    connect(reply_, &QNetworkReply::metaDataChanged, this, &Transfer::on_headers);
    connect(reply_, &QNetworkReply::readyRead, this, &Transfer::on_data);
    connect(reply_, &QNetworkReply::finished, this, &Transfer::on_finished);
    stall_timer_.start();
}

void Transfer::conclude(TransferOutcome::Kind kind, QString message, bool discard, int http_status) {
    if (outcome_) return;
    outcome_ = TransferOutcome{kind, std::move(message), discard, http_status};
    stall_timer_.stop();
    // Queued: abort() from inside the reply's own signal would re-enter it.
    if (reply_) QMetaObject::invokeMethod(reply_, &QNetworkReply::abort, Qt::QueuedConnection);
    else if (!emitted_) {
        emitted_ = true;
        QMetaObject::invokeMethod(this, [this] { emit finished(*outcome_); }, Qt::QueuedConnection);
    }
}

void Transfer::on_headers() {
    if (headers_done_ || outcome_ || !reply_) return;
    const QVariant status_attribute = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status_attribute.isValid()) return;
    headers_done_ = true;
    const int status = status_attribute.toInt();
    const QString where = current_.host();
    using K = TransferOutcome::Kind;

    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        const RedirectHop hop =
            next_redirect(spec_.url, current_, reply_->rawHeader("Location"), hops_, authorization_allowed_);
        if (!hop.refused.isEmpty()) return conclude(K::failed, hop.refused);
        ++hops_;
        authorization_allowed_ = hop.keep_authorization;
        redirect_to_ = hop.next;
        qCDebug(lcDownloads) << "redirect" << hops_ << "to" << hop.next.host() << "authorization"
                             << hop.keep_authorization;
        QMetaObject::invokeMethod(reply_, &QNetworkReply::abort, Qt::QueuedConnection);
        return;
    }
    if (status == 416) {
        const auto range = parse_content_range(reply_->rawHeader("Content-Range"));
        if (range && range->total && *range->total == part_.size() && part_.size() > 0) {
            total_ = part_.size();
            return conclude(K::complete, QStringLiteral("already complete"));
        }
        return conclude(K::restart, QStringLiteral("the partial download does not fit the file on the server "
                                                   "(%1 on disk); starting over")
                                        .arg(mib(part_.size())));
    }
    if (status == 408 || status == 429 || status >= 500)
        return conclude(K::retry, QStringLiteral("%1 answered %2 %3").arg(where).arg(status).arg(
                                      reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
    if (status != 200 && status != 206)
        return conclude(K::failed, QStringLiteral("%1 answered %2 %3 for %4")
                                       .arg(where)
                                       .arg(status)
                                       .arg(reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(),
                                            current_.toDisplayString(QUrl::RemoveQuery | QUrl::RemoveUserInfo)),
                        false, status);

    const QString content_type = reply_->header(QNetworkRequest::ContentTypeHeader).toString();
    if (content_type.startsWith(QLatin1String("text/html"), Qt::CaseInsensitive))
        return conclude(K::failed,
                        QStringLiteral("%1 sent a web page instead of the model file (a Wi-Fi sign-in page or "
                                       "captive portal?); nothing was saved")
                            .arg(where),
                        part_.size() == 0);  // an earlier good partial is kept

    if (status == 206) {
        const auto range = parse_content_range(reply_->rawHeader("Content-Range"));
        if (!range || !range->first || *range->first != part_.size())
            return conclude(K::restart, QStringLiteral("%1 sent a different range (%2) than asked (from byte %3)")
                                            .arg(where, QString::fromLatin1(reply_->rawHeader("Content-Range")))
                                            .arg(part_.size()));
        total_ = range->total;
    } else {
        if (part_.size() > 0) {
            qCInfo(lcDownloads) << where << "sent the whole file (Range ignored or file changed); rewriting from 0";
            if (auto error = part_.reset()) return conclude(K::failed, *error);
        }
        const QVariant length = reply_->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid()) total_ = length.toLongLong();
    }
    if (total_ && spec_.expected_size && *total_ != *spec_.expected_size)
        return conclude(K::failed, QStringLiteral("the file on %1 is %2 bytes, but %3 bytes were expected; the "
                                                  "catalog entry may be out of date")
                                       .arg(where)
                                       .arg(*total_)
                                       .arg(*spec_.expected_size));
    const QByteArray etag = reply_->rawHeader("ETag");
    etag_ = is_strong_etag(etag) ? QString::fromLatin1(etag) : QString();
    if (!check_space()) return;
    emit headersAccepted();
}

bool Transfer::check_space() {
    since_space_check_ = 0;
    const qint64 still_needed = total_ ? std::max<qint64>(0, *total_ - part_.size()) : 0;
    if (auto problem = disk_space_problem(settings_, QFileInfo(part_.target_path()).absolutePath(), still_needed)) {
        conclude(TransferOutcome::Kind::failed, *problem);
        return false;
    }
    return true;
}

bool Transfer::write(const char* data, qint64 size) {
    if (total_ && part_.size() + size > *total_) {
        conclude(TransferOutcome::Kind::restart,
                 QStringLiteral("%1 sent more than the %2 bytes it announced").arg(current_.host()).arg(*total_));
        return false;
    }
    if (auto error = part_.append(data, size)) {
        const bool full = *error == QLatin1String("disk full");
        conclude(TransferOutcome::Kind::failed,
                 full ? QStringLiteral("disk full while writing %1; the partial download is kept, free some space "
                                       "and resume")
                            .arg(part_.part_path())
                      : *error);
        return false;
    }
    received_ += size;
    since_space_check_ += size;
    if (since_space_check_ >= settings_.space_check_every_bytes) return check_space();
    return true;
}

void Transfer::on_data() {
    if (!reply_) return;
    if (!headers_done_) on_headers();
    if (outcome_ || redirect_to_ || !headers_done_) {
        reply_->skip(reply_->bytesAvailable());
        return;
    }
    stall_timer_.start();
    QByteArray data = reply_->readAll();
    if (data.isEmpty()) return;
    // The GGUF magic is checked before any byte reaches the disk (D8).
    if (part_.size() < 4) {
        pending_head_ += data;
        if (part_.size() + pending_head_.size() < 4) return;
        const QByteArray start = part_.head() + pending_head_;
        if (!start.startsWith(kGgufMagic)) {
            return conclude(TransferOutcome::Kind::failed,
                            QStringLiteral("%1 did not send a GGUF model file (it starts with \"%2\"); a sign-in "
                                           "page or a wrong address? Nothing was saved")
                                .arg(current_.host(), printable_start(start)),
                            true);
        }
        data = std::exchange(pending_head_, {});
    }
    if (!write(data.constData(), data.size())) return;
    emit progressed(part_.size());
}

void Transfer::on_stall() {
    conclude(TransferOutcome::Kind::retry,
             QStringLiteral("no data from %1 for %2 s").arg(current_.host()).arg(settings_.stall_timeout.count() / 1000.0));
}

void Transfer::on_finished() {
    QNetworkReply* reply = reply_;
    if (!reply) return;
    if (!outcome_ && !redirect_to_) on_data();  // whatever is still buffered
    reply_ = nullptr;
    reply->deleteLater();
    stall_timer_.stop();
    using K = TransferOutcome::Kind;
    if (!outcome_ && redirect_to_) {
        const QUrl next = *std::exchange(redirect_to_, std::nullopt);
        send(next, authorization_allowed_);
        return;
    }
    if (!outcome_) {
        if (reply->error() == QNetworkReply::SslHandshakeFailedError) {
            // Not retried: an unverifiable certificate will not verify on the next try.
            conclude(K::failed, QStringLiteral("the secure connection to %1 could not be verified (%2); downloads "
                                               "are only made over verified TLS")
                                    .arg(current_.host(), reply->errorString()));
        } else if (!headers_done_) {
            conclude(K::retry, QStringLiteral("could not reach %1: %2").arg(current_.host(), reply->errorString()));
        } else if (total_ ? part_.size() == *total_ : reply->error() == QNetworkReply::NoError) {
            if (!total_) total_ = part_.size();
            conclude(K::complete, QString());
        } else {
            conclude(K::retry, QStringLiteral("the connection to %1 ended at %2 of %3: %4")
                                   .arg(current_.host(), mib(part_.size()),
                                        total_ ? mib(*total_) : QStringLiteral("?"), reply->errorString()));
        }
    }
    if (!emitted_) {
        emitted_ = true;
        emit finished(*outcome_);
    }
}

}  // namespace tessera::downloads

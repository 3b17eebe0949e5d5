#include "downloads/header_probe.h"

#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include "downloads/content_range.h"
#include "downloads/downloads_logging.h"
#include "downloads/redirect_rules.h"

namespace tessera::downloads {
namespace {

QString size_text(qint64 bytes) { return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat); }

}  // namespace

HeaderProbe::HeaderProbe(QNetworkAccessManager& network, QUrl url, QByteArray authorization,
                         std::optional<qint64> expected_size, Check check, ProbeSettings settings, QObject* parent)
    : QObject(parent),
      network_(network),
      origin_(std::move(url)),
      authorization_(std::move(authorization)),
      expected_size_(expected_size),
      check_(std::move(check)),
      settings_(std::move(settings)) {
    qRegisterMetaType<ProbeResult>();
    result_.file_size = expected_size_;
}

HeaderProbe::~HeaderProbe() {
    over_ = true;
    drop_reply();
}

void HeaderProbe::drop_reply() {
    if (!reply_) return;
    QNetworkReply* reply = std::exchange(reply_, nullptr);
    reply->disconnect(this);
    reply->abort();
    reply->deleteLater();
}

void HeaderProbe::start() {
    authorization_allowed_ = !authorization_.isEmpty();
    want_ = expected_size_ ? std::min(settings_.first_bytes, *expected_size_) : settings_.first_bytes;
    send(origin_);
}

void HeaderProbe::send(const QUrl& url) {
    current_ = url;
    headers_done_ = false;
    QNetworkRequest request = hop_request(url, settings_.user_agent);
    request.setTransferTimeout(static_cast<int>(settings_.timeout.count()));
    if (authorization_allowed_) request.setRawHeader("Authorization", authorization_);
    const qint64 from = whole_body_ ? 0 : result_.prefix.size();
    request.setRawHeader("Range", "bytes=" + QByteArray::number(from) + "-" + QByteArray::number(want_ - 1));
    reply_ = network_.get(request);
    connect(reply_, &QNetworkReply::metaDataChanged, this, &HeaderProbe::on_headers);
    connect(reply_, &QNetworkReply::readyRead, this, &HeaderProbe::on_data);
    connect(reply_, &QNetworkReply::finished, this, &HeaderProbe::on_finished);
}

void HeaderProbe::on_headers() {
    if (headers_done_ || over_ || !reply_) return;
    const QVariant status_attribute = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status_attribute.isValid()) return;
    headers_done_ = true;
    const int status = status_attribute.toInt();
    result_.http_status = status;
    const QString where = current_.host();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
        const RedirectHop hop =
            next_redirect(origin_, current_, reply_->rawHeader("Location"), hops_, authorization_allowed_);
        if (!hop.refused.isEmpty()) return fail(hop.refused);
        ++hops_;
        authorization_allowed_ = hop.keep_authorization;
        redirect_to_ = hop.next;
        return;
    }
    if (status != 200 && status != 206)
        return fail(QStringLiteral("%1 answered %2 %3")
                        .arg(where)
                        .arg(status)
                        .arg(reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString()));
    if (reply_->header(QNetworkRequest::ContentTypeHeader).toString().startsWith(QLatin1String("text/html"),
                                                                                 Qt::CaseInsensitive))
        return fail(QStringLiteral("%1 sent a web page instead of the model file (a sign-in page?)").arg(where));
    std::optional<qint64> size;
    if (status == 206) {
        const auto range = parse_content_range(reply_->rawHeader("Content-Range"));
        const qint64 from = result_.prefix.size();
        if (!range || !range->first || *range->first != from)
            return fail(QStringLiteral("%1 sent a different range (%2) than asked (from byte %3)")
                            .arg(where, QString::fromLatin1(reply_->rawHeader("Content-Range")))
                            .arg(from));
        size = range->total;
    } else {
        // Range ignored: the whole file comes from byte 0; it is read only as far as needed.
        whole_body_ = true;
        result_.prefix.clear();
        const QVariant length = reply_->header(QNetworkRequest::ContentLengthHeader);
        if (length.isValid()) size = length.toLongLong();
    }
    if (size && expected_size_ && *size != *expected_size_)
        return fail(QStringLiteral("the file on %1 is %2 bytes, but the catalog says %3; the catalog entry may be "
                                   "out of date")
                        .arg(where)
                        .arg(*size)
                        .arg(*expected_size_));
    if (size) result_.file_size = size;
    if (!result_.file_size)
        return fail(QStringLiteral("%1 did not say how large the file is").arg(where));
}

void HeaderProbe::on_data() {
    if (!reply_ || over_) return;
    if (!headers_done_) on_headers();
    if (over_ || redirect_to_ || !headers_done_) {
        if (reply_) reply_->skip(reply_->bytesAvailable());
        return;
    }
    result_.prefix += reply_->readAll();
    if (result_.prefix.size() > *result_.file_size)
        return fail(QStringLiteral("%1 sent more than the %2 bytes the file has").arg(current_.host()).arg(*result_.file_size));
    // A server ignoring Range sends everything: judge as soon as the bytes asked for are in.
    if (whole_body_ && result_.prefix.size() >= want_) judge();
}

void HeaderProbe::on_finished() {
    QNetworkReply* reply = reply_;
    if (!reply || over_) return;
    if (!redirect_to_) on_data();
    if (over_) return;
    reply_ = nullptr;
    reply->deleteLater();
    if (redirect_to_) {
        const QUrl next = *std::exchange(redirect_to_, std::nullopt);
        return send(next);
    }
    if (!headers_done_)
        return fail(QStringLiteral("could not reach %1: %2").arg(current_.host(), reply->errorString()));
    const bool whole_file = result_.prefix.size() == *result_.file_size;
    if (result_.prefix.size() < want_ && !whole_file)
        return fail(QStringLiteral("the connection to %1 ended after %2 of the header's first %3: %4")
                        .arg(current_.host(), size_text(result_.prefix.size()), size_text(want_), reply->errorString()));
    judge();
}

bool HeaderProbe::judge() {
    const std::optional<qint64> needed = check_(result_.prefix, *result_.file_size);
    if (!needed || *needed <= result_.prefix.size()) {
        succeed();
        return true;
    }
    request_more(*needed);
    return over_;
}

void HeaderProbe::request_more(qint64 needed) {
    if (needed > *result_.file_size)
        return fail(QStringLiteral("the header says it is longer than the file (%1 bytes)").arg(*result_.file_size));
    if (needed > settings_.max_bytes)
        return fail(QStringLiteral("the model's header is larger than %1 (it needs %2); its memory needs are shown "
                                   "once it is downloaded")
                        .arg(size_text(settings_.max_bytes), size_text(needed)));
    // Grow at least twice: a header asking a few bytes at a time costs few round trips.
    want_ = std::min({std::max(needed, 2 * result_.prefix.size()), *result_.file_size, settings_.max_bytes});
    if (whole_body_ && reply_) return;  // the whole file is still coming: keep reading it
    drop_reply();
    send(current_);
}

void HeaderProbe::fail(QString message) {
    if (over_) return;
    result_.error = std::move(message);
    succeed();
}

void HeaderProbe::succeed() {
    if (over_) return;
    over_ = true;
    // Aborted from the event loop: the reply may be inside its own signal.
    if (reply_) {
        QNetworkReply* reply = std::exchange(reply_, nullptr);
        reply->disconnect(this);
        QMetaObject::invokeMethod(reply, [reply] {
            reply->abort();
            reply->deleteLater();
        }, Qt::QueuedConnection);
    }
    qCDebug(lcDownloads) << "header probe of" << origin_.fileName() << ":" << result_.prefix.size() << "bytes"
                         << result_.error;
    QMetaObject::invokeMethod(this, [this] { emit finished(result_); }, Qt::QueuedConnection);
}

}  // namespace tessera::downloads

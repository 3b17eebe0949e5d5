#include "remote_chat_client.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

#include "logging.h"
#include "remote_errors.h"
#include "secret_store.h"

namespace tessera::app {

struct RemoteChatClient::Active {
    quint64 id = 0;
    QPointer<QNetworkReply> reply;
    RemoteEndpoint endpoint;
    SseParser parser;
    QByteArray body;  // an answer that is not a stream (an error's JSON), kept up to 64 KiB
    QElapsedTimer since_sent;
    qint64 first_piece_ms = -1;
    qint64 last_piece_ms = -1;
    qint64 pieces = 0;
    std::optional<qint64> prompt_tokens, completion_tokens;  // from usage, when sent
    FinishReason finish = FinishReason::kEndOfGeneration;
    bool in_reasoning = false;  // a <think> section was opened for reasoning_content
    bool got_bytes = false;  // the first byte of the body came: the idle limit applies
    bool done = false;     // [DONE] seen
    bool stopped = false;  // stop() asked for it
    QString problem;       // why this side ended it (a timeout, a stream error)
};

namespace {

constexpr qsizetype kMaxErrorBody = 64 << 10;

bool is_event_stream(const QNetworkReply& reply) {
    return reply.header(QNetworkRequest::ContentTypeHeader).toString().startsWith(QLatin1String("text/event-stream"),
                                                                                   Qt::CaseInsensitive);
}

}  // namespace

QByteArray chat_completion_body(const RemoteRequest& request) {
    const GenerationSettings& g = request.settings;
    QJsonArray messages;
    for (const auto& m : request.messages)
        messages.append(QJsonObject{{QStringLiteral("role"), QString::fromStdString(m.role)},
                                    {QStringLiteral("content"), QString::fromStdString(m.content)}});
    QJsonObject body{{QStringLiteral("model"), request.endpoint.model_id},
                     {QStringLiteral("messages"), messages},
                     {QStringLiteral("stream"), true},
                     {QStringLiteral("stream_options"), QJsonObject{{QStringLiteral("include_usage"), true}}},
                     {QStringLiteral("temperature"), static_cast<double>(g.sampling.temperature)},
                     {QStringLiteral("top_p"), static_cast<double>(g.sampling.top_p)},
                     {QStringLiteral("seed"), static_cast<qint64>(g.sampling.seed & 0x7fffffff)}};
    if (g.max_tokens > 0) body.insert(QStringLiteral("max_tokens"), static_cast<qint64>(g.max_tokens));
    if (g.sampling.presence_penalty != 0.0f)
        body.insert(QStringLiteral("presence_penalty"), static_cast<double>(g.sampling.presence_penalty));
    if (g.sampling.frequency_penalty != 0.0f)
        body.insert(QStringLiteral("frequency_penalty"), static_cast<double>(g.sampling.frequency_penalty));
    if (!g.stop.empty()) {
        QJsonArray stop;
        for (const auto& s : g.stop) stop.append(QString::fromStdString(s));
        body.insert(QStringLiteral("stop"), stop);
    }
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

RemoteChatClient::RemoteChatClient(QObject* parent) : QObject(parent), timer_(this) {
    timer_.setSingleShot(true);
    connect(&timer_, &QTimer::timeout, this, &RemoteChatClient::onTimeout);
}

RemoteChatClient::~RemoteChatClient() {
    if (active_ && active_->reply) {
        active_->reply->disconnect(this);
        active_->reply->abort();
    }
}

void RemoteChatClient::generate(const RemoteRequest& request) {
    if (active_) {  // invariant 2: the controller starts one reply at a time
        emit replyFailed(request.id, tr("A reply from the server is still coming."));
        return;
    }
    QString key;
    if (request.endpoint.has_key) {
        SecretStore secrets(request.endpoint.data_dir);
        auto loaded = secrets.load(secret_name(request.endpoint.server_id));
        if (!loaded || !*loaded) {
            emit replyFailed(request.id, tr("The API key of %1 could not be read from the secret store%2; enter it again "
                                            "in the server's settings on the models page.")
                                             .arg(request.endpoint.server_name,
                                                  loaded ? QString() : QStringLiteral(" (%1)").arg(QString::fromStdString(
                                                                           loaded.error().message))));
            return;
        }
        key = QString::fromStdString(**loaded);
    }
    if (stop_up_to_ >= request.id) {  // stopped before it began: nothing to send
        emit replyFinished(request.id, GenerationStats{.finish = FinishReason::kCancelled}, 0);
        return;
    }
    if (!network_) network_ = new QNetworkAccessManager(this);
    active_ = std::make_unique<Active>();
    active_->id = request.id;
    active_->endpoint = request.endpoint;
    const QUrl url = api_url(request.endpoint.base, QStringLiteral("chat/completions"));
    qCInfo(lcRemote) << "chat with" << request.endpoint.model_id << "at" << url.toString();
    active_->since_sent.start();
    QNetworkReply* reply = network_->post(api_request(url, key), chat_completion_body(request));
    active_->reply = reply;
    connect(reply, &QNetworkReply::readyRead, this, &RemoteChatClient::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &RemoteChatClient::onFinished);
    timer_.start(request.endpoint.first_byte_timeout_ms);
}

void RemoteChatClient::stop(quint64 id) {
    stop_up_to_ = std::max(stop_up_to_, id);
    if (!active_ || active_->id > id || !active_->reply) return;
    active_->stopped = true;
    active_->reply->abort();  // finished() follows, at once
}

void RemoteChatClient::onReadyRead() {
    if (!active_ || !active_->reply) return;
    QNetworkReply& reply = *active_->reply;
    timer_.start(active_->endpoint.idle_timeout_ms);  // alive: the silence starts again
    active_->got_bytes = true;
    const QByteArray bytes = reply.readAll();
    const int status = reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 300 || !is_event_stream(reply)) {  // an error's JSON, or not a stream at all
        active_->body.append(bytes.left(kMaxErrorBody - active_->body.size()));
        if (status < 300 && active_->body.size() >= 512)  // enough to say what it is
            abortWith(tr("The server did not answer with an OpenAI stream of events (it sent %1: \"%2\").")
                          .arg(reply.header(QNetworkRequest::ContentTypeHeader).toString(),
                               QString::fromUtf8(active_->body.left(80)).simplified()));
        return;
    }
    for (const QByteArray& data : active_->parser.feed(bytes)) {
        handleEvent(data);
        if (!active_ || !active_->problem.isEmpty()) return;
    }
    if (active_->parser.failed()) abortWith(tr("The server sent a line of more than 4 MiB: not an OpenAI stream."));
}

void RemoteChatClient::handleEvent(const QByteArray& data) {
    if (data == "[DONE]") {
        active_->done = true;
        return;
    }
    const QJsonDocument doc = QJsonDocument::fromJson(data);
    if (!doc.isObject()) {
        abortWith(tr("The server sent something that is not an OpenAI stream event: \"%1\".")
                      .arg(QString::fromUtf8(data.left(80)).simplified()));
        return;
    }
    if (const QString error = openai_error_message(data); !error.isEmpty()) {
        abortWith(tr("The server reported an error: %1").arg(error));
        return;
    }
    const QJsonObject chunk = doc.object();
    const QJsonObject usage = chunk.value(QLatin1String("usage")).toObject();
    if (!usage.isEmpty()) {
        active_->prompt_tokens = usage.value(QLatin1String("prompt_tokens")).toInteger();
        active_->completion_tokens = usage.value(QLatin1String("completion_tokens")).toInteger();
    }
    const QJsonArray choices = chunk.value(QLatin1String("choices")).toArray();
    if (choices.isEmpty()) return;
    const QJsonObject choice = choices.first().toObject();
    const QJsonObject delta = choice.value(QLatin1String("delta")).toObject();
    // Servers with a reasoning parser (vLLM, SGLang) send the thinking apart from the answer;
    // it is kept the way local models write it, inside <think>...</think>.
    QString reasoning = delta.value(QLatin1String("reasoning_content")).toString();
    if (reasoning.isEmpty()) reasoning = delta.value(QLatin1String("reasoning")).toString();
    const QString content = delta.value(QLatin1String("content")).toString();
    QString piece;
    if (!reasoning.isEmpty()) {
        if (!active_->in_reasoning) piece += QStringLiteral("<think>");
        active_->in_reasoning = true;
        piece += reasoning;
    }
    if (!content.isEmpty() && active_->in_reasoning) {
        piece += QStringLiteral("</think>\n");
        active_->in_reasoning = false;
    }
    piece += content;
    if (!piece.isEmpty()) {
        const qint64 now = active_->since_sent.elapsed();
        if (active_->first_piece_ms < 0) active_->first_piece_ms = now;
        active_->last_piece_ms = now;
        ++active_->pieces;
        emit textPiece(active_->id, piece);
    }
    const QString finish = choice.value(QLatin1String("finish_reason")).toString();
    if (finish == QLatin1String("length")) active_->finish = FinishReason::kMaxTokens;
    else if (!finish.isEmpty()) active_->finish = FinishReason::kEndOfGeneration;
}

void RemoteChatClient::abortWith(QString reason) {
    if (!active_ || !active_->reply) return;
    if (active_->problem.isEmpty()) active_->problem = std::move(reason);
    active_->reply->abort();  // finished() follows
}

void RemoteChatClient::onTimeout() {
    if (!active_) return;
    const bool waiting_for_first_byte = !active_->got_bytes;
    const double seconds = (waiting_for_first_byte ? active_->endpoint.first_byte_timeout_ms
                                                   : active_->endpoint.idle_timeout_ms) / 1000.0;
    abortWith(waiting_for_first_byte
                  ? tr("The server did not answer within %1 s: it may be overloaded, or the address may be wrong. "
                       "The time limits are in the server's settings.").arg(seconds)
                  : tr("The server went silent for more than %1 s in the middle of the reply. The time limits are "
                       "in the server's settings.").arg(seconds));
}

GenerationStats RemoteChatClient::stats() const {
    GenerationStats s;
    s.prompt_tokens = active_->prompt_tokens.value_or(0);
    s.generated_tokens = active_->completion_tokens.value_or(active_->pieces);
    if (active_->first_piece_ms >= 0) {
        s.time_to_first_token_seconds = static_cast<double>(active_->first_piece_ms) / 1000.0;
        s.decode_seconds = static_cast<double>(active_->last_piece_ms - active_->first_piece_ms) / 1000.0;
    }
    s.finish = active_->finish;
    return s;
}

void RemoteChatClient::onFinished() {
    if (!active_) return;
    timer_.stop();
    Active& a = *active_;
    QNetworkReply* reply = a.reply;
    int status = 0;
    if (reply) {
        status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        // After abort() the reply is closed: nothing more to read.
        if (const QByteArray rest = reply->isOpen() ? reply->readAll() : QByteArray(); !rest.isEmpty()) {
            if (status >= 300 || !is_event_stream(*reply))
                a.body.append(rest.left(kMaxErrorBody - a.body.size()));
            else
                for (const QByteArray& data : a.parser.feed(rest)) handleEvent(data);
        }
        reply->deleteLater();
    }
    QString problem = a.problem;
    if (problem.isEmpty() && !a.stopped) {
        if (status >= 300)
            problem = describe_http_status(status, a.body);
        else if (reply && reply->error() != QNetworkReply::NoError)
            problem = describe_network_error(*reply) + (a.pieces > 0 ? tr(" The reply was cut off.") : QString());
        else if (!a.done && !a.parser.saw_data() && reply && !is_event_stream(*reply))
            problem = tr("The server did not answer with an OpenAI stream of events (it sent %1: \"%2\").")
                          .arg(reply->header(QNetworkRequest::ContentTypeHeader).toString(),
                               QString::fromUtf8(a.body.left(80)).simplified());
        else if (!a.done)
            problem = tr("The connection to the server ended before the reply did.");
    }
    GenerationStats s = stats();
    const quint64 id = a.id;
    const bool stopped = a.stopped, had_text = a.pieces > 0;
    active_.reset();  // a new request may start from the slots below
    if (stopped || (!problem.isEmpty() && had_text)) s.finish = FinishReason::kCancelled;
    if (stopped || problem.isEmpty()) {
        emit replyFinished(id, s, s.prompt_tokens + s.generated_tokens);
        return;
    }
    qCWarning(lcRemote) << "request" << id << "ended:" << problem;
    if (had_text)
        emit replyInterrupted(id, s, problem);
    else
        emit replyFailed(id, problem);
}

}  // namespace tessera::app

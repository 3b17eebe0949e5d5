// What went wrong talking to a remote server, as one sentence a person can act on: a
// refused connection, an unknown host, a certificate that does not verify, a key the server
// refused (401/403), and OpenAI's error JSON ({"error": {"message": ...}}) for 429 and 5xx.
// The chat client and the "Test connection" of the models page say the same things.
#pragma once

#include <QByteArray>
#include <QNetworkReply>
#include <QString>
#include <QUrl>

namespace tessera::app {

// The message of an OpenAI error object (a whole body, or one event's data); "" when `json`
// is not one.
QString openai_error_message(const QByteArray& json);

// An answer with an HTTP error status; body may hold OpenAI's error JSON.
QString describe_http_status(int status, const QByteArray& body);

// A reply that ended with a transport error (no HTTP status to speak of).
QString describe_network_error(const QNetworkReply& reply);

// A reply's error as one sentence: its HTTP status when it has one, else the transport error.
QString describe_failed_reply(const QNetworkReply& reply, const QByteArray& body);

}  // namespace tessera::app

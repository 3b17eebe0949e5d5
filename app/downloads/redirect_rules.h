// D7: every redirect hop is checked here before it is followed (the network layer is told
// not to follow any on its own). Rules:
//   1. Only http and https; a redirect to file:, ftp:, data: ... is refused.
//   2. Never from https down to plain http.
//   3. At most kMaxRedirects hops per request.
//   4. Credentials (Authorization) go only to the origin the user gave them for (same
//      scheme, host and port); once a hop leaves it they are dropped for the rest of the
//      chain, even if a later hop comes back.
#pragma once

#include <QByteArray>
#include <QNetworkRequest>
#include <QString>
#include <QUrl>

namespace tessera::downloads {

inline constexpr int kMaxRedirects = 10;

struct RedirectHop {
    QUrl next;                        // resolved against the current URL
    bool keep_authorization = false;  // send the Authorization header to `next`
    QString refused;                  // non-empty: do not follow, this is why
};

// `current` answered with Location: `location`; `hops` redirects were followed before it.
RedirectHop next_redirect(const QUrl& origin, const QUrl& current, const QByteArray& location, int hops,
                          bool authorization_still_allowed);

bool same_origin(const QUrl& a, const QUrl& b);

// A GET for one hop of a file's bytes: Qt follows no redirect on its own (each goes through
// next_redirect), nothing comes from a cache, and the body is not compressed (the bytes are
// the file's). Range and Authorization are the caller's.
QNetworkRequest hop_request(const QUrl& url, const QString& user_agent);

}  // namespace tessera::downloads

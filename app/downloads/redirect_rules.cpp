#include "downloads/redirect_rules.h"

namespace tessera::downloads {

bool same_origin(const QUrl& a, const QUrl& b) {
    const auto port = [](const QUrl& u) { return u.port(u.scheme() == QLatin1String("https") ? 443 : 80); };
    return a.scheme() == b.scheme() && a.host().compare(b.host(), Qt::CaseInsensitive) == 0 && port(a) == port(b);
}

RedirectHop next_redirect(const QUrl& origin, const QUrl& current, const QByteArray& location, int hops,
                          bool authorization_still_allowed) {
    RedirectHop hop;
    if (location.trimmed().isEmpty()) {
        hop.refused = QStringLiteral("the server at %1 redirected without saying where to").arg(current.host());
        return hop;
    }
    if (hops + 1 > kMaxRedirects) {
        hop.refused = QStringLiteral("more than %1 redirects (a redirect loop?), last at %2")
                          .arg(kMaxRedirects)
                          .arg(current.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
        return hop;
    }
    const QUrl target = QUrl::fromEncoded(location.trimmed());
    hop.next = current.resolved(target);
    if (!hop.next.isValid()) {
        hop.refused = QStringLiteral("the server redirected to an invalid address");
        return hop;
    }
    const QString scheme = hop.next.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        hop.refused = QStringLiteral("refused a redirect to a %1: address; only http and https are followed")
                          .arg(scheme.isEmpty() ? QStringLiteral("schemeless") : scheme);
        return hop;
    }
    if (current.scheme().toLower() == QLatin1String("https") && scheme == QLatin1String("http")) {
        hop.refused = QStringLiteral("refused a redirect from https to plain http (%1): the download would no "
                                     "longer be protected")
                          .arg(hop.next.host());
        return hop;
    }
    hop.keep_authorization = authorization_still_allowed && same_origin(origin, hop.next);
    return hop;
}

QNetworkRequest hop_request(const QUrl& url, const QString& user_agent) {
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    request.setHeader(QNetworkRequest::UserAgentHeader, user_agent);
    request.setRawHeader("Accept-Encoding", "identity");
    return request;
}

}  // namespace tessera::downloads

#include "downloads/content_range.h"

namespace tessera::downloads {
namespace {

std::optional<qint64> parse_count(const QByteArray& text) {
    if (text.isEmpty() || text.size() > 18) return std::nullopt;  // 18 digits stay below 2^63
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    return text.toLongLong();
}

}  // namespace

std::optional<ContentRange> parse_content_range(const QByteArray& header) {
    const QByteArray h = header.trimmed();
    if (!h.startsWith("bytes ")) return std::nullopt;
    const QByteArray rest = h.mid(6).trimmed();
    const int slash = rest.indexOf('/');
    if (slash < 0) return std::nullopt;
    const QByteArray range = rest.left(slash), total = rest.mid(slash + 1);
    ContentRange out;
    if (total != "*") {
        out.total = parse_count(total);
        if (!out.total) return std::nullopt;
    }
    if (range == "*") return out.total ? std::optional(out) : std::nullopt;
    const int dash = range.indexOf('-');
    if (dash < 0) return std::nullopt;
    out.first = parse_count(range.left(dash));
    out.last = parse_count(range.mid(dash + 1));
    if (!out.first || !out.last || *out.last < *out.first) return std::nullopt;
    if (out.total && *out.last >= *out.total) return std::nullopt;
    return out;
}

}  // namespace tessera::downloads

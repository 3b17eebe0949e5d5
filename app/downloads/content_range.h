// Content-Range (RFC 9110 14.4) as a 206 or 416 answer carries it: "bytes 100-199/1000",
// "bytes 100-199/*" or, for 416, "bytes */1000".
#pragma once

#include <QByteArray>
#include <optional>

namespace tessera::downloads {

struct ContentRange {
    std::optional<qint64> first, last;  // both set, or neither ("*")
    std::optional<qint64> total;        // unset when the server wrote "*"
};

std::optional<ContentRange> parse_content_range(const QByteArray& header);

}  // namespace tessera::downloads

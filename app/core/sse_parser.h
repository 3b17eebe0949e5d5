// Server-sent events, read incrementally (the bytes of a stream arrive in any split): lines
// end with "\n" or "\r\n"; "data:" lines accumulate (joined with "\n"); an empty line ends
// the event; ":" comments (keep-alives) and other fields are skipped. A line longer than
// kMaxLineBytes is an error rather than an endless buffer (a server sending garbage).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <vector>

namespace tessera::app {

class SseParser {
public:
    static constexpr qsizetype kMaxLineBytes = 4 << 20;

    // The data of each event completed by these bytes, in order. After an error, nothing more.
    std::vector<QByteArray> feed(QByteArrayView bytes);
    bool failed() const { return failed_; }
    // Whether any data line was read (a stream, as opposed to something else).
    bool saw_data() const { return saw_data_; }

private:
    void line(QByteArrayView text, std::vector<QByteArray>& events);

    QByteArray pending_;  // an incomplete line
    QByteArray data_;     // the data of the event being read
    bool has_data_ = false;
    bool saw_data_ = false;
    bool failed_ = false;
};

}  // namespace tessera::app

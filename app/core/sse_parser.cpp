#include "sse_parser.h"

namespace tessera::app {

std::vector<QByteArray> SseParser::feed(QByteArrayView bytes) {
    std::vector<QByteArray> events;
    if (failed_) return events;
    pending_.append(bytes);
    qsizetype start = 0;
    for (;;) {
        const qsizetype end = pending_.indexOf('\n', start);
        if (end < 0) break;
        qsizetype length = end - start;
        if (length > 0 && pending_.at(end - 1) == '\r') --length;
        line(QByteArrayView(pending_).sliced(start, length), events);
        start = end + 1;
    }
    pending_.remove(0, start);
    if (pending_.size() > kMaxLineBytes) {
        failed_ = true;
        pending_.clear();
    }
    return events;
}

void SseParser::line(QByteArrayView text, std::vector<QByteArray>& events) {
    if (text.isEmpty()) {  // the end of an event
        if (has_data_) events.push_back(std::move(data_));
        data_.clear();
        has_data_ = false;
        return;
    }
    if (text.startsWith(':')) return;  // a comment
    const qsizetype colon = text.indexOf(':');
    const QByteArrayView field = colon < 0 ? text : text.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : text.sliced(colon + 1);
    if (value.startsWith(' ')) value = value.sliced(1);
    if (field != "data") return;  // event, id, retry: nothing the chat needs
    if (has_data_) data_.append('\n');
    data_.append(value);
    has_data_ = true;
    saw_data_ = true;
}

}  // namespace tessera::app

#include "sampling/stop_strings.h"

#include <algorithm>

namespace tessera {

StopMatcher::StopMatcher(std::vector<std::string> stops) : stops_(std::move(stops)) {
    std::erase_if(stops_, [](const std::string& s) { return s.empty(); });
}

bool StopMatcher::feed(std::string_view piece, std::string& out) {
    if (stopped_) return true;
    held_.append(piece);
    // The earliest complete stop string wins.
    size_t first = std::string::npos;
    for (const auto& s : stops_) first = std::min(first, held_.find(s));
    if (first != std::string::npos) {
        out.append(held_, 0, first);
        held_.clear();
        stopped_ = true;
        return true;
    }
    // Hold back the longest tail that is a proper prefix of some stop string.
    size_t keep = 0;
    for (const auto& s : stops_) {
        for (size_t n = std::min(s.size() - 1, held_.size()); n > keep; --n) {
            if (std::string_view(held_).substr(held_.size() - n) == std::string_view(s).substr(0, n)) {
                keep = n;
                break;
            }
        }
    }
    out.append(held_, 0, held_.size() - keep);
    held_.erase(0, held_.size() - keep);
    return false;
}

void StopMatcher::flush(std::string& out) {
    if (!stopped_) out.append(held_);
    held_.clear();
}

}  // namespace tessera

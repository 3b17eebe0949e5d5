// Stop strings, matched across token boundaries and never shown. Text goes in piece by
// piece; what comes out is safe to display: anything that could still become the start of
// a stop string is held back until the next piece decides it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tessera {

class StopMatcher {
public:
    explicit StopMatcher(std::vector<std::string> stops);

    // Appends displayable text to `out`. Returns true once a stop string is complete: the
    // text before it has been appended and everything after it is dropped.
    bool feed(std::string_view piece, std::string& out);
    // End of generation without a stop: releases what was held back.
    void flush(std::string& out);
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string held_;
    bool stopped_ = false;
};

}  // namespace tessera

// How many connections the API server serves and holds, and how long a request may take to
// arrive (RELIABILITY.md A6). Its own header so server.h need not include httplib.
#pragma once

#include <chrono>
#include <cstddef>

namespace tessera::server {

struct ConnectionLimits {
    size_t worker_threads = 8;         // connections served at once
    size_t max_waiting = 32;           // accepted connections waiting for a worker
    std::chrono::milliseconds request_deadline{10000};  // to receive one request entirely
    // Connections the kernel completes and holds until one is accepted. httplib's own 5 makes
    // a burst of clients wait for SYN retransmits (1 s, then 3 s).
    int backlog = 128;
};

}  // namespace tessera::server

// cpp-httplib's server with the limits a local API needs and 0.11 lacks (A6, A9): a whole
// request (headers and body) must arrive within a deadline, so a client trickling bytes
// cannot hold a worker for ever; a bounded number of connections is open at a time, the
// rest wait in the kernel's backlog; and a handler can ask whether its client has gone
// (httplib gained Request::is_connection_closed only in 0.14).
#pragma once

#include <httplib.h>

#include <atomic>
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

class GuardedHttpServer final : public httplib::Server {
public:
    explicit GuardedHttpServer(ConnectionLimits limits);

    // Whether the client of the connection this thread is serving has closed it. Only
    // meaningful inside a handler or content provider; false elsewhere.
    static bool current_client_gone();

    // After bind_to_port: replaces httplib's backlog with limits.backlog.
    bool widen_backlog();
    // Whether the request this thread is reading missed its deadline (then answered 408).
    static bool current_request_timed_out();

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimits limits_;
};

// True when the peer of `sock` has closed its side (an orderly FIN or a reset). Data it
// sent and nobody read yet does not count as closing.
bool peer_closed(int sock);

}  // namespace tessera::server

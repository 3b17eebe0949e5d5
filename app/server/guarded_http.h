// cpp-httplib's server with the limits a local API needs and 0.11 lacks (A6, A9): a whole
// request (headers and body) must arrive within a deadline, so a client trickling bytes
// cannot hold a worker for ever; a bounded number of connections is open at a time, the
// rest wait in the kernel's backlog; and a handler can ask whether its client has gone
// (later httplib versions have Request::is_connection_closed; Debian 12's 0.11 has not).
#pragma once

#include <httplib.h>

#include "connection_limits.h"

namespace tessera::server {

class GuardedHttpServer final : public httplib::Server {
public:
    explicit GuardedHttpServer(ConnectionLimits limits);
    // Closes a socket bound but never listened on (httplib's own destructor leaves it open,
    // and its port taken, until the process ends).
    ~GuardedHttpServer() override;

    // Whether the client of the connection this thread is serving has closed it. Only
    // meaningful inside a handler or content provider; false elsewhere.
    static bool current_client_gone();
    // Whether the request this thread is reading missed its deadline (then answered 408).
    static bool current_request_timed_out();

    // After bind_to_port: replaces httplib's backlog with limits.backlog.
    bool widen_backlog();

private:
    bool process_and_close_socket(socket_t sock) override;

    ConnectionLimits limits_;
};

// True when the peer of `sock` has closed its side (an orderly FIN or a reset). Data it
// sent and nobody read yet does not count as closing. A client that half-closes after its
// request would count as gone; curl, browsers and the OpenAI SDKs do not do that.
bool peer_closed(int sock);

}  // namespace tessera::server

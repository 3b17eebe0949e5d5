// Binding on several addresses (127.0.0.1 and ::1) with one port. Port 0 lets the system
// pick one on the first address, and that port may be taken on ::1 (its ports are its
// own): then another is tried, a few times, instead of failing. A port taken on one
// address is a clear error naming it (A11), and what the failed attempt had bound is
// closed again, so no port stays held by a server that is not running.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server_harness.h"

namespace tessera::test {
namespace {

// A socket listening on [::1]:port (0: a free port); -1 on failure.
int listen_ipv6(int port) {
    const int sock = ::socket(AF_INET6, SOCK_STREAM, 0);
    int only = 1;
    ::setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof(only));
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    addr.sin6_addr = in6addr_loopback;
    if (::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(sock, 4) != 0) {
        ::close(sock);
        return -1;
    }
    return sock;
}

int local_port(int sock) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    ::getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
}

// Whether a listening socket can take 127.0.0.1:port now.
bool free_on_ipv4(int port) {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool ok = ::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && ::listen(sock, 1) == 0;
    ::close(sock);
    return ok;
}

// [::1]:port taken by another socket, 127.0.0.1:port free.
struct TakenOnIpv6Only {
    TakenOnIpv6Only() {
        for (int tries = 0; tries < 20 && port == 0; ++tries) {
            sock = listen_ipv6(0);
            if (sock >= 0 && free_on_ipv4(local_port(sock))) port = local_port(sock);
            else if (sock >= 0) ::close(sock);
        }
    }
    ~TakenOnIpv6Only() {
        if (sock >= 0) ::close(sock);
    }
    int sock = -1;
    int port = 0;
};

std::string bind_error(server::ServerOptions options) {
    try {
        ServedModel served(std::move(options));
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(ApiServerBind, PortZeroTriesAnotherPortWhenItsChoiceIsTakenOnIpv6) {
    TakenOnIpv6Only taken;
    ASSERT_GT(taken.port, 0) << "no port free on 127.0.0.1 and takeable on ::1";
    server::ServerOptions options;  // 127.0.0.1 and ::1, port 0
    std::vector<int> attempts;
    options.port_choice = [&](int attempt) {
        attempts.push_back(attempt);
        return attempt == 0 ? taken.port : 0;  // the system's first pick collides; then any
    };
    ServedModel served(options);
    EXPECT_EQ(attempts, (std::vector<int>{0, 1}));
    EXPECT_NE(served.port, taken.port);
    EXPECT_EQ(served.api().listening_hosts(), (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(listen_ipv6(served.port), -1) << "::1 listens on the chosen port too";
    EXPECT_TRUE(free_on_ipv4(taken.port)) << "the failed attempt left 127.0.0.1:" << taken.port << " bound";
    auto res = served.client()->Get("/v1/models");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
}

TEST(ApiServerBind, PortZeroGivesUpWithAClearErrorAfterAFewCollisions) {
    TakenOnIpv6Only taken;
    ASSERT_GT(taken.port, 0);
    server::ServerOptions options;
    int calls = 0;
    options.port_choice = [&](int) {
        ++calls;
        return taken.port;
    };
    const std::string error = bind_error(options);
    EXPECT_EQ(calls, server::kPortAttempts);
    EXPECT_NE(error.find("cannot listen on [::1]:" + std::to_string(taken.port)), std::string::npos) << error;
    EXPECT_NE(error.find(std::to_string(server::kPortAttempts) + " ports tried"), std::string::npos) << error;
    EXPECT_TRUE(free_on_ipv4(taken.port)) << "a failed attempt left 127.0.0.1:" << taken.port << " bound";
}

TEST(ApiServerBind, AGivenPortTakenOnIpv6IsAnErrorAndFreesIpv4Again) {
    TakenOnIpv6Only taken;
    ASSERT_GT(taken.port, 0);
    server::ServerOptions options;
    options.port = taken.port;
    options.port_choice = [](int) -> int { ADD_FAILURE() << "a given port is not replaced"; return 0; };
    const std::string error = bind_error(options);
    EXPECT_EQ(error, "cannot listen on [::1]:" + std::to_string(taken.port) +
                         ": the port is in use or the address is not this machine's");
    EXPECT_TRUE(free_on_ipv4(taken.port)) << "127.0.0.1:" << taken.port << " stayed bound after the error";
}

}  // namespace
}  // namespace tessera::test

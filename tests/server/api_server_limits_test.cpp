// What a hostile or broken client cannot do (A6, A8): trickle a request's headers or body
// for ever (the request has a deadline: 408 and the connection is closed), open connections
// without bound (a fixed number is served or waiting, the rest stay in the kernel's
// backlog), send JSON nested 100,000 deep or invalid UTF-8 (400, no crash), or hold up the
// server's stop by trickling a request.
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>

#include <nlohmann/json.hpp>

#include "server_harness.h"

namespace tessera::test {
namespace {

using nlohmann::json;

server::ServerOptions short_deadline() {
    server::ServerOptions options;
    options.limits.request_deadline = std::chrono::milliseconds(1000);
    return options;
}

// Sends `head`, then `trickle` one byte every 50 ms until the server closes the connection
// or the trickle runs out; returns what the server answered and whether it closed first.
std::pair<std::string, bool> trickle(int port, const std::string& head, const std::string& trickle_bytes) {
    const int sock = connect_loopback(port);
    EXPECT_GE(sock, 0);
    EXPECT_TRUE(send_all(sock, head));
    bool closed_early = false;
    for (char byte : trickle_bytes) {
        pollfd p{sock, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) {  // the server answered (and closes): stop trickling
            closed_early = true;
            break;
        }
        if (!send_all(sock, std::string(1, byte))) {
            closed_early = true;
            break;
        }
    }
    bool closed = false;
    std::string answer = read_until_closed(sock, &closed);
    ::close(sock);
    return {answer, closed_early && closed};
}

TEST(ApiServerLimits, TrickledHeadersTimeOutAndCloseTheConnection) {
    ServedModel served(short_deadline());
    // 60 s of trickling at most; the deadline is 1 s.
    auto [answer, closed] = trickle(served.port, "POST /v1/chat/completions HTTP/1.1\r\n",
                                    "X-Slow: " + std::string(1200, 'a'));
    EXPECT_TRUE(closed) << "the server kept reading a trickled header";
    EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
    EXPECT_NE(answer.find("request_timeout"), std::string::npos) << answer;
}

TEST(ApiServerLimits, TrickledBodyTimesOutAndClosesTheConnection) {
    ServedModel served(short_deadline());
    const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(served.port) +
                             "\r\nAuthorization: Bearer " + kToken +
                             "\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n";
    auto [answer, closed] = trickle(served.port, head, std::string(1200, ' '));
    EXPECT_TRUE(closed) << "the server kept reading a trickled body";
    EXPECT_EQ(answer.rfind("HTTP/1.1 408", 0), 0u) << answer;
}

// Connections this process has accepted on `port` (the server's end: local port == port).
int accepted_connections(int port) {
    int n = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    while (dirent* entry = ::readdir(dir)) {
        const int fd = std::atoi(entry->d_name);
        if (entry->d_name[0] == '.' || fd == ::dirfd(dir)) continue;
        sockaddr_storage local{}, peer{};
        socklen_t ll = sizeof(local), pl = sizeof(peer);
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0 || local.ss_family != AF_INET) continue;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
        if (ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port) == port) ++n;
    }
    ::closedir(dir);
    return n;
}

// A client still trickling its headers when the server stops is let go at once, not
// waited for until its deadline (then it would get 408): the app's quit and reload do not
// hang on a slow client.
TEST(ApiServerLimits, StoppingDoesNotWaitForAClientStillSendingItsRequest) {
    ServedModel served;  // the ordinary 10 s deadline
    std::pair<std::string, bool> result;
    std::thread client([&] {
        result = trickle(served.port, "POST /v1/chat/completions HTTP/1.1\r\n", "X-Slow: " + std::string(1200, 'a'));
    });
    ASSERT_TRUE(eventually([&] { return accepted_connections(served.port) == 1; }));
    // A moment for a worker to take the connection and read its first bytes (without it the
    // test passes having tested less).
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    served.api().stop();
    client.join();
    const auto& [answer, closed] = result;
    EXPECT_TRUE(closed) << "the client trickled on unanswered";
    EXPECT_EQ(answer.find("408"), std::string::npos) << "the server waited for the deadline: " << answer;
    EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.1 503", 0) == 0) << answer;
}

TEST(ApiServerLimits, AWholeRequestWithinTheDeadlineIsServed) {
    ServedModel served(short_deadline());
    auto res = served.client()->Get("/v1/models");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
}


TEST(ApiServerLimits, AConnectionFloodIsHeldToTheLimitAndTheServerRecovers) {
    server::ServerOptions options;
    options.limits.worker_threads = 2;
    options.limits.max_waiting = 2;
    // Idle connections are closed at the request deadline: keep it far past the wait below,
    // so what is counted is the limit, not how fast a loaded machine accepts.
    options.limits.request_deadline = std::chrono::minutes(5);
    ServedModel served(options);
    // Served, waiting, and the one the accepting thread holds until there is room.
    const int cap = 2 + 2 + 1;

    std::vector<int> flood;
    for (int i = 0; i < 40; ++i) {  // idle connections; connect() does not wait for accept()
        const int sock = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<uint16_t>(served.port));
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
        flood.push_back(sock);
    }
    ASSERT_TRUE(eventually([&] { return accepted_connections(served.port) >= cap - 1; }))
        << "the server accepted only " << accepted_connections(served.port);
    for (int look = 0; look < 20; ++look) {
        EXPECT_LE(accepted_connections(served.port), cap);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (int sock : flood) ::close(sock);

    auto res = served.client()->Get("/v1/models");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200) << res->body;
}

void expect_400(const httplib::Result& res, const std::string& says) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 400) << res->body;
    const json body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.contains("error")) << res->body;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(says), std::string::npos) << res->body;
}

TEST(ApiServerLimits, JsonNested100000DeepIs400) {
    ServedModel served;
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    // Valid JSON in a field the server would otherwise ignore, and alone.
    expect_400(served.client()->Post("/v1/chat/completions",
                                     R"({"messages":[{"role":"user","content":"hi"}],"max_tokens":2,"x":)" + deep + "}",
                                     "application/json"),
               "deeper than");
    expect_400(served.client()->Post("/v1/completions", deep, "application/json"), "deeper than");
    std::string objects;
    for (int i = 0; i < 100000; ++i) objects += R"({"a":)";
    objects += "1" + std::string(100000, '}');
    expect_400(served.client()->Post("/v1/completions", objects, "application/json"), "deeper than");
    auto res = served.client()->Post("/v1/chat/completions", chat_body(2), "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << "still serving: " << res->body;
}

TEST(ApiServerLimits, InvalidUtf8Is400) {
    ServedModel served;
    expect_400(served.client()->Post("/v1/chat/completions",
                                     "{\"messages\":[{\"role\":\"user\",\"content\":\"caf\xc3\x28\"}]}", "application/json"),
               "UTF-8");
    expect_400(served.client()->Post("/v1/completions", "{\"prompt\":\"\xed\xa0\x80\"}", "application/json"), "UTF-8");
}

}  // namespace
}  // namespace tessera::test

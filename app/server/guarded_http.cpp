#include "guarded_http.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace tessera::server {
namespace {

using Clock = std::chrono::steady_clock;

int poll_one(int sock, short events, std::chrono::milliseconds timeout) {
    pollfd p{sock, events, 0};
    int n;
    do {
        n = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    } while (n < 0 && errno == EINTR);
    return n;
}

std::chrono::milliseconds to_ms(time_t sec, time_t usec) {
    return std::chrono::milliseconds(sec * 1000 + usec / 1000);
}

void ip_and_port(int sock, bool remote, std::string& ip, int& port) {
    sockaddr_storage addr{};
    socklen_t len = sizeof(addr);
    auto* sa = reinterpret_cast<sockaddr*>(&addr);
    if ((remote ? ::getpeername(sock, sa, &len) : ::getsockname(sock, sa, &len)) != 0) return;
    char host[NI_MAXHOST] = {};
    char serv[NI_MAXSERV] = {};
    if (::getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) return;
    ip = host;
    port = std::atoi(serv);
}

// How often a read waiting for its client looks whether the server is stopping.
constexpr std::chrono::milliseconds kStopCheck{50};

// httplib's SocketStream with two additions: reads fail once the request's deadline has
// passed, however regularly bytes trickle in (the per-read timeout alone never fires then),
// and once the server stops (so a slow client cannot hold its stop for the deadline).
class DeadlineStream final : public httplib::Stream {
public:
    DeadlineStream(int sock, std::chrono::milliseconds read_timeout, std::chrono::milliseconds write_timeout,
                   std::function<bool()> stopping)
        : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout), stopping_(std::move(stopping)) {}

    void start_request(std::chrono::milliseconds deadline) { deadline_ = Clock::now() + deadline; }
    bool expired() const { return expired_; }

    bool is_readable() const override {
        if (buffer_begin_ < buffer_end_) return true;
        const auto read_until = Clock::now() + read_timeout_;
        for (;;) {
            if (stopping_()) return false;  // also while bytes keep trickling in
            const auto now = Clock::now();
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - now);
            if (left.count() <= 0) {
                expired_ = true;
                return false;
            }
            const auto read_left = std::chrono::ceil<std::chrono::milliseconds>(read_until - now);
            if (read_left.count() <= 0) return false;  // the ordinary per-read timeout
            const int n = poll_one(sock_, POLLIN, std::min({left, read_left, kStopCheck}));
            if (n != 0) return n > 0;
        }
    }

    bool is_writable() const override { return poll_one(sock_, POLLOUT, write_timeout_) > 0 && !peer_closed(sock_); }

    ssize_t read(char* ptr, size_t size) override {
        if (buffer_begin_ == buffer_end_) {
            if (!is_readable()) return -1;
            ssize_t n;
            do {
                n = ::recv(sock_, buffer_.data(), buffer_.size(), 0);
            } while (n < 0 && errno == EINTR);
            if (n <= 0) return n;
            buffer_begin_ = 0;
            buffer_end_ = static_cast<size_t>(n);
        }
        const size_t n = std::min(size, buffer_end_ - buffer_begin_);
        std::copy_n(buffer_.data() + buffer_begin_, n, ptr);
        buffer_begin_ += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (!is_writable()) return -1;
        ssize_t n;
        do {
            n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        return n;
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override { ip_and_port(sock_, true, ip, port); }
    void get_local_ip_and_port(std::string& ip, int& port) const override { ip_and_port(sock_, false, ip, port); }
    socket_t socket() const override { return sock_; }

private:
    int sock_;
    std::chrono::milliseconds read_timeout_, write_timeout_;
    std::function<bool()> stopping_;
    Clock::time_point deadline_ = Clock::now();
    mutable bool expired_ = false;
    std::vector<char> buffer_ = std::vector<char>(CPPHTTPLIB_RECV_BUFSIZ);
    size_t buffer_begin_ = 0, buffer_end_ = 0;
};

// A fixed set of workers and a bounded wait list. When both are full the accepting thread
// waits, so further connections stay in the kernel's backlog instead of costing this
// process a descriptor and memory each; once the server stops nobody waits.
class BoundedQueue final : public httplib::TaskQueue {
public:
    BoundedQueue(const ConnectionLimits& limits, std::function<bool()> stopping)
        : max_waiting_(limits.max_waiting), stopping_(std::move(stopping)) {
        for (size_t i = 0; i < std::max<size_t>(1, limits.worker_threads); ++i) workers_.emplace_back([this] { work(); });
    }

    void enqueue(std::function<void()> fn) override {
        std::unique_lock lock(mutex_);
        while (jobs_.size() >= max_waiting_ && !stopping_())
            space_.wait_for(lock, std::chrono::milliseconds(50));
        jobs_.push_back(std::move(fn));
        work_.notify_one();
    }

    void shutdown() override {
        {
            std::lock_guard lock(mutex_);
            shut_down_ = true;
        }
        work_.notify_all();
        for (auto& t : workers_) t.join();
    }

private:
    void work() {
        for (;;) {
            std::function<void()> fn;
            {
                std::unique_lock lock(mutex_);
                work_.wait(lock, [&] { return !jobs_.empty() || shut_down_; });
                if (jobs_.empty()) return;
                fn = std::move(jobs_.front());
                jobs_.pop_front();
            }
            space_.notify_one();
            fn();
        }
    }

    size_t max_waiting_;
    std::function<bool()> stopping_;
    std::mutex mutex_;
    std::condition_variable work_, space_;
    std::deque<std::function<void()>> jobs_;
    bool shut_down_ = false;
    std::vector<std::thread> workers_;
};

thread_local const DeadlineStream* current_stream = nullptr;

}  // namespace

bool peer_closed(int sock) {
    if (poll_one(sock, POLLIN | POLLRDHUP, std::chrono::milliseconds(0)) <= 0) return false;
    char byte;
    const ssize_t n = ::recv(sock, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

GuardedHttpServer::GuardedHttpServer(ConnectionLimits limits) : limits_(limits) {
    new_task_queue = [this] {
        return new BoundedQueue(limits_, [this] { return svr_sock_ == INVALID_SOCKET; });
    };
}

GuardedHttpServer::~GuardedHttpServer() {
    const socket_t sock = svr_sock_.exchange(INVALID_SOCKET);
    if (sock != INVALID_SOCKET) ::close(sock);
}

bool GuardedHttpServer::current_client_gone() { return current_stream && peer_closed(current_stream->socket()); }

bool GuardedHttpServer::current_request_timed_out() { return current_stream && current_stream->expired(); }

// On Linux, listen() on a listening socket updates its backlog.
bool GuardedHttpServer::widen_backlog() { return ::listen(svr_sock_, limits_.backlog) == 0; }

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
    DeadlineStream stream(sock, to_ms(read_timeout_sec_, read_timeout_usec_),
                          to_ms(write_timeout_sec_, write_timeout_usec_),
                          [this] { return svr_sock_ == INVALID_SOCKET; });
    current_stream = &stream;
    // Like httplib's own loop: up to keep_alive_max_count_ requests, each awaited for at
    // most keep_alive_timeout_sec_, and none once the server stops.
    auto request_arrives = [&] {
        const auto until = Clock::now() + std::chrono::seconds(keep_alive_timeout_sec_);
        while (svr_sock_ != INVALID_SOCKET && Clock::now() < until) {
            const int n = poll_one(sock, POLLIN, std::chrono::milliseconds(50));
            if (n != 0) return n > 0;
        }
        return false;
    };
    bool ok = false;
    for (size_t left = keep_alive_max_count_; left > 0 && request_arrives(); --left) {
        stream.start_request(limits_.request_deadline);
        bool connection_closed = false;
        ok = process_request(stream, left == 1, connection_closed, nullptr);
        if (!ok || connection_closed || stream.expired()) break;
    }
    current_stream = nullptr;
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return ok;
}

}  // namespace tessera::server

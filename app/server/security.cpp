#include "security.h"

#include <sys/random.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <random>

namespace tessera::server {

std::vector<std::string> default_allowed_hosts(const std::string& bind_host, int port) {
    const std::string p = ":" + std::to_string(port);
    std::vector<std::string> hosts = {"localhost" + p, "127.0.0.1" + p, "[::1]" + p};
    std::string bind = bind_host.find(':') != std::string::npos ? "[" + bind_host + "]" + p : bind_host + p;
    if (bind_host != "0.0.0.0" && bind_host != "::" && std::find(hosts.begin(), hosts.end(), bind) == hosts.end())
        hosts.push_back(bind);
    return hosts;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Every byte of the longer string is visited; a length difference is one more bit.
    unsigned diff = a.size() == b.size() ? 0u : 1u;
    const size_t n = std::max(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
        const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
        diff |= static_cast<unsigned>(x ^ y);
    }
    return diff == 0;
}

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool listed(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::optional<ApiError> check_host(const SecurityPolicy& policy, const RequestFacts& request) {
    if (!request.host || request.host->empty())
        return ApiError{403, "a Host header naming this server is required", "permission_error", "", "host_not_allowed"};
    if (!listed(policy.allowed_hosts, lower(*request.host)))
        return ApiError{403, "Host '" + *request.host + "' is not allowed (only this machine's loopback names)",
                        "permission_error", "", "host_not_allowed"};
    return std::nullopt;
}

}  // namespace

std::optional<ApiError> check_preflight(const SecurityPolicy& policy, const RequestFacts& request) {
    if (auto error = check_host(policy, request)) return error;
    if (!request.origin)
        return ApiError{403, "OPTIONS is only answered as a browser's CORS preflight (with an Origin header)",
                        "permission_error", "", "origin_not_allowed"};
    if (!listed(policy.allowed_origins, *request.origin))
        return ApiError{403, "requests from browser origin '" + *request.origin + "' are not allowed",
                        "permission_error", "", "origin_not_allowed"};
    return std::nullopt;
}

std::optional<ApiError> check_request(const SecurityPolicy& policy, const RequestFacts& request) {
    if (auto error = check_host(policy, request)) return error;
    if (request.origin && !listed(policy.allowed_origins, *request.origin))
        return ApiError{403, "requests from browser origin '" + *request.origin + "' are not allowed",
                        "permission_error", "", "origin_not_allowed"};
    const std::string prefix = "Bearer ";
    const std::string auth = request.authorization.value_or("");
    if (auth.size() <= prefix.size() || auth.compare(0, prefix.size(), prefix) != 0 ||
        !constant_time_equal(std::string_view(auth).substr(prefix.size()), policy.token))
        return ApiError{401, request.authorization ? "incorrect API key provided" : "missing API key (Authorization: Bearer TOKEN)",
                        "invalid_request_error", "", "invalid_api_key"};
    if (request.has_body) {
        const std::string type = lower(request.content_type.value_or(""));
        const std::string media = type.substr(0, type.find(';'));
        if (media != "application/json")
            return ApiError{415, "Content-Type must be application/json", "invalid_request_error", "", "unsupported_media_type"};
    }
    return std::nullopt;
}

std::string generate_token() {
    // The kernel's CSPRNG (getrandom); std::random_device only where that fails (kernels
    // before 3.17), since libstdc++ makes no promise about which source it uses.
    uint8_t bytes[32];
    size_t filled = 0;
    while (filled < sizeof(bytes)) {
        const ssize_t n = ::getrandom(bytes + filled, sizeof(bytes) - filled, 0);
        if (n > 0) filled += static_cast<size_t>(n);
        else if (n < 0 && errno != EINTR) break;
    }
    if (filled < sizeof(bytes)) {
        std::random_device rd("/dev/urandom");
        for (size_t i = filled; i < sizeof(bytes); ++i) bytes[i] = static_cast<uint8_t>(rd());
    }
    static const char* const kHex = "0123456789abcdef";
    std::string token;
    for (uint8_t b : bytes) {
        token += kHex[b >> 4];
        token += kHex[b & 15];
    }
    return token;
}

}  // namespace tessera::server

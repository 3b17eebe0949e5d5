// Who may talk to the server (RELIABILITY.md A1-A5): the Host header must name this
// server (DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own
// Host), browser Origins are refused unless allow-listed, the bearer token is compared in
// constant time, and POST bodies must be JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_error.h"

namespace tessera::server {

struct SecurityPolicy {
    std::string token;                       // required as "Authorization: Bearer TOKEN"
    std::vector<std::string> allowed_hosts;  // exact Host header values, port included
    std::vector<std::string> allowed_origins;  // exact Origin values; empty: none
};

// Host values for a server on `port`: localhost, 127.0.0.1 and [::1], plus `bind_host`
// when it is another address the user chose.
std::vector<std::string> default_allowed_hosts(const std::string& bind_host, int port);

// Compares without an early exit, so the time taken says nothing about where they differ.
bool constant_time_equal(std::string_view a, std::string_view b);

struct RequestFacts {
    std::optional<std::string> host;
    std::optional<std::string> origin;
    std::optional<std::string> authorization;
    std::optional<std::string> content_type;
    bool has_body = false;  // POST
};

// The first reason to refuse the request, checked in the order Host, Origin, token, type.
std::optional<ApiError> check_request(const SecurityPolicy& policy, const RequestFacts& request);

// A browser's CORS preflight (OPTIONS): answered only on this server's Host and for an
// allow-listed Origin; it carries no token, so nothing else is checked.
std::optional<ApiError> check_preflight(const SecurityPolicy& policy, const RequestFacts& request);

// A random token of 64 hex characters: 256 bits from the kernel's CSPRNG (getrandom).
std::string generate_token();

}  // namespace tessera::server

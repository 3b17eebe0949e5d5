// Errors in OpenAI's JSON shape: {"error": {"message", "type", "param", "code"}} with the
// HTTP status a client library maps to its exception types.
#pragma once

#include <string>

namespace tessera::server {

struct ApiError {
    int status = 400;
    std::string message;
    std::string type = "invalid_request_error";
    std::string param;  // the offending request field; empty: null
    std::string code;   // empty: null
};

ApiError bad_parameter(const std::string& param, const std::string& message);
std::string error_json(const ApiError& error);

}  // namespace tessera::server

#include "api_error.h"

#include <nlohmann/json.hpp>

namespace tessera::server {

ApiError bad_parameter(const std::string& param, const std::string& message) {
    return ApiError{400, message, "invalid_request_error", param, "invalid_value"};
}

std::string error_json(const ApiError& error) {
    auto nullable = [](const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); };
    nlohmann::json body = {{"error",
                            {{"message", error.message},
                             {"type", error.type},
                             {"param", nullable(error.param)},
                             {"code", nullable(error.code)}}}};
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace tessera::server

#include "request_parse.h"

#include <cmath>
#include <optional>
#include <random>

#include <nlohmann/json.hpp>

namespace tessera::server {
namespace {

using nlohmann::json;
using Parsed = std::variant<CompletionRequest, ApiError>;

// A number field in [lo, hi]; NaN and infinities never pass (JSON has none, but be sure).
std::optional<ApiError> read_number(const json& body, const char* name, double lo, double hi, float& out) {
    auto it = body.find(name);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return bad_parameter(name, std::string(name) + " must be a number");
    const double v = it->get<double>();
    if (!std::isfinite(v) || v < lo || v > hi)
        return bad_parameter(name, std::string(name) + " must be between " + json(lo).dump() + " and " +
                                       json(hi).dump());
    out = static_cast<float>(v);
    return std::nullopt;
}

std::optional<ApiError> read_common(const json& body, int64_t default_max_tokens, CompletionRequest& r) {
    if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) return bad_parameter("model", "model must be a string");
        r.model = it->get<std::string>();
    }
    SamplerSettings& s = r.settings.sampling;
    s.temperature = 1.0f;  // OpenAI's default
    if (auto e = read_number(body, "temperature", 0.0, 2.0, s.temperature)) return e;
    if (auto e = read_number(body, "top_p", 0.0, 1.0, s.top_p)) return e;
    if (s.top_p <= 0.0f) return bad_parameter("top_p", "top_p must be greater than 0");
    if (auto e = read_number(body, "presence_penalty", -2.0, 2.0, s.presence_penalty)) return e;
    if (auto e = read_number(body, "frequency_penalty", -2.0, 2.0, s.frequency_penalty)) return e;

    r.settings.max_tokens = default_max_tokens;
    for (const char* name : {"max_tokens", "max_completion_tokens"}) {
        auto it = body.find(name);
        if (it == body.end() || it->is_null()) continue;
        if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > (int64_t{1} << 24))
            return bad_parameter(name, std::string(name) + " must be an integer from 1 to 16777216");
        r.settings.max_tokens = std::min(it->get<int64_t>(), default_max_tokens);
    }

    if (auto it = body.find("seed"); it != body.end() && !it->is_null()) {
        if (!it->is_number_integer()) return bad_parameter("seed", "seed must be an integer");
        s.seed = it->is_number_unsigned() ? it->get<uint64_t>() : static_cast<uint64_t>(it->get<int64_t>());
    } else {
        s.seed = std::random_device{}();
    }

    if (auto it = body.find("n"); it != body.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() != 1)
            return bad_parameter("n", "n must be 1: this server generates one choice per request");
    }

    if (auto it = body.find("stop"); it != body.end() && !it->is_null()) {
        std::vector<json> items = it->is_array() ? it->get<std::vector<json>>() : std::vector<json>{*it};
        if (items.size() > 4) return bad_parameter("stop", "stop takes at most 4 strings");
        for (const auto& item : items) {
            if (!item.is_string() || item.get<std::string>().empty())
                return bad_parameter("stop", "stop must be a non-empty string or a list of them");
            r.settings.stop.push_back(item.get<std::string>());
        }
    }

    if (auto it = body.find("stream"); it != body.end() && !it->is_null()) {
        if (!it->is_boolean()) return bad_parameter("stream", "stream must be true or false");
        r.stream = it->get<bool>();
    }
    if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) return bad_parameter("stream_options", "stream_options must be an object");
        if (!r.stream) return bad_parameter("stream_options", "stream_options is only allowed with stream: true");
        if (auto u = it->find("include_usage"); u != it->end() && !u->is_null()) {
            if (!u->is_boolean()) return bad_parameter("stream_options", "include_usage must be true or false");
            r.include_usage = u->get<bool>();
        }
    }
    if (auto st = validate(s); !st) return bad_parameter("", st.error().message);
    return std::nullopt;
}

// No request needs more than a few levels; a deeper body is refused before any value is
// built (A8), so neither building nor freeing the tree can run deep.
constexpr int kMaxDepth = 64;

// Follows the nesting and stops the parse once it goes past kMaxDepth.
struct DepthCheck final : nlohmann::json_sax<json> {
    int depth = 0;
    bool too_deep = false;
    bool open() {
        too_deep = ++depth > kMaxDepth;
        return !too_deep;
    }
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return open(); }
    bool key(string_t&) override { return true; }
    bool end_object() override { return --depth, true; }
    bool start_array(std::size_t) override { return open(); }
    bool end_array() override { return --depth, true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }
};

// Bodies come through the size limit; the parser rejects invalid UTF-8.
std::variant<json, ApiError> parse_body(const std::string& body) {
    DepthCheck depth;
    const bool valid = json::sax_parse(body, &depth, json::input_format_t::json, true, false);
    if (depth.too_deep)
        return ApiError{400, "the request body nests deeper than " + std::to_string(kMaxDepth) + " levels"};
    if (!valid) return ApiError{400, "the request body is not valid JSON (or not UTF-8)"};
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) return ApiError{400, "the request body is not valid JSON (or not UTF-8)"};
    if (!j.is_object()) return ApiError{400, "the request body must be a JSON object"};
    return j;
}

// Content as a string or as a list of {"type": "text", "text": ...} parts.
std::optional<ApiError> read_content(const json& content, const std::string& param, std::string& out) {
    if (content.is_string()) {
        out = content.get<std::string>();
        return std::nullopt;
    }
    if (!content.is_array()) return bad_parameter(param, "content must be a string or a list of text parts");
    for (const auto& part : content) {
        if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") || !part["text"].is_string())
            return bad_parameter(param, "only text content parts are supported");
        out += part["text"].get<std::string>();
    }
    return std::nullopt;
}

}  // namespace

Parsed parse_chat_request(const std::string& text, int64_t default_max_tokens) {
    auto parsed = parse_body(text);
    if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
    const json& body = std::get<json>(parsed);
    CompletionRequest r;
    if (auto e = read_common(body, default_max_tokens, r)) return *e;
    auto it = body.find("messages");
    if (it == body.end() || !it->is_array() || it->empty())
        return bad_parameter("messages", "messages must be a non-empty list");
    for (size_t i = 0; i < it->size(); ++i) {
        const json& m = (*it)[i];
        const std::string param = "messages[" + std::to_string(i) + "]";
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string())
            return bad_parameter(param, "each message needs a role");
        std::string role = m["role"].get<std::string>();
        if (role == "developer") role = "system";  // OpenAI's newer name for the system role
        if (role != "system" && role != "user" && role != "assistant")
            return bad_parameter(param + ".role", "role must be system, user or assistant");
        std::string content;
        if (auto c = m.find("content"); c != m.end() && !c->is_null())
            if (auto e = read_content(*c, param + ".content", content)) return *e;
        r.messages.push_back({role, content});
    }
    return r;
}

Parsed parse_completion_request(const std::string& text, int64_t default_max_tokens) {
    auto parsed = parse_body(text);
    if (auto* e = std::get_if<ApiError>(&parsed)) return *e;
    const json& body = std::get<json>(parsed);
    CompletionRequest r;
    if (auto e = read_common(body, default_max_tokens, r)) return *e;
    r.settings.text_start = false;  // the output continues the prompt
    auto it = body.find("prompt");
    if (it != body.end() && it->is_array() && it->size() == 1 && (*it)[0].is_string()) {
        r.prompt = (*it)[0].get<std::string>();
    } else if (it != body.end() && it->is_string()) {
        r.prompt = it->get<std::string>();
    } else {
        return bad_parameter("prompt", "prompt must be a string (one prompt per request)");
    }
    return r;
}

}  // namespace tessera::server

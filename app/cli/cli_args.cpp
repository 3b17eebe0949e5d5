#include "cli_args.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace tessera::cli {

Args::Args(int argc, char** argv, int first) {
    for (int i = first; i < argc; ++i) args_.emplace_back(argv[i]);
    used_.assign(args_.size(), false);
}

std::optional<std::string> Args::option(std::initializer_list<const char*> names) {
    for (size_t i = 0; i < args_.size(); ++i) {
        if (used_[i]) continue;
        for (const char* name : names) {
            if (args_[i] == name && i + 1 < args_.size()) {
                used_[i] = used_[i + 1] = true;
                return args_[i + 1];
            }
            const std::string prefix = std::string(name) + "=";
            if (args_[i].rfind(prefix, 0) == 0) {
                used_[i] = true;
                return args_[i].substr(prefix.size());
            }
        }
    }
    return std::nullopt;
}

std::vector<std::string> Args::options(std::initializer_list<const char*> names) {
    std::vector<std::string> values;
    while (auto v = option(names)) values.push_back(std::move(*v));
    return values;
}

bool Args::flag(std::initializer_list<const char*> names) {
    for (size_t i = 0; i < args_.size(); ++i)
        for (const char* name : names)
            if (!used_[i] && args_[i] == name) {
                used_[i] = true;
                return true;
            }
    return false;
}

Result<int64_t> Args::integer(std::initializer_list<const char*> names, int64_t fallback, int64_t lo, int64_t hi) {
    auto text = option(names);
    if (!text) return fallback;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size())
        return Error{std::string("option ") + *names.begin() + ": '" + *text + "' is not a whole number"};
    if (v < lo || v > hi)
        return Error{std::string("option ") + *names.begin() + ": " + *text + " is outside " + std::to_string(lo) + ".." + std::to_string(hi)};
    return v;
}

Result<double> Args::number(std::initializer_list<const char*> names, double fallback) {
    auto text = option(names);
    if (!text) return fallback;
    char* end = nullptr;
    const double v = std::strtod(text->c_str(), &end);
    if (text->empty() || *end != '\0' || !std::isfinite(v))
        return Error{std::string("option ") + *names.begin() + ": '" + *text + "' is not a number"};
    return v;
}

std::vector<std::string> Args::positional() {
    std::vector<std::string> out;
    for (size_t i = 0; i < args_.size(); ++i)
        if (!used_[i] && (args_[i].empty() || args_[i][0] != '-' || args_[i] == "-")) {
            used_[i] = true;
            out.push_back(args_[i]);
        }
    return out;
}

Status Args::check_unused() const {
    for (size_t i = 0; i < args_.size(); ++i)
        if (!used_[i]) return Error{"unknown or incomplete option '" + args_[i] + "'"};
    return {};
}

Result<std::vector<int32_t>> parse_id_list(const std::string& text) {
    std::vector<int32_t> ids;
    size_t start = 0;
    while (start <= text.size()) {
        size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        const std::string part = text.substr(start, comma - start);
        int32_t v = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size())
            return Error{"'" + part + "' is not a token id (expected a comma-separated list like 1,2,3)"};
        ids.push_back(v);
        start = comma + 1;
    }
    return ids;
}

std::string join_ids(const std::vector<int32_t>& ids) {
    std::string s;
    for (size_t i = 0; i < ids.size(); ++i) s += (i ? "," : "") + std::to_string(ids[i]);
    return s;
}

}  // namespace tessera::cli

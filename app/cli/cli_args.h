// A small argument reader for tessera-cli subcommands: "-m MODEL", "--temp 0.7", flags.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera::cli {

class Args {
public:
    Args(int argc, char** argv, int first);

    // Value of an option given as any of `names` ("-m", "--model"); nullopt when absent.
    std::optional<std::string> option(std::initializer_list<const char*> names);
    // Every value of a repeatable option, in order ("--stop A --stop B").
    std::vector<std::string> options(std::initializer_list<const char*> names);
    bool flag(std::initializer_list<const char*> names);
    // Parsed numbers; an unparsable value is an error naming the option.
    Result<int64_t> integer(std::initializer_list<const char*> names, int64_t fallback, int64_t lo, int64_t hi);
    Result<double> number(std::initializer_list<const char*> names, double fallback);
    // Arguments that were not consumed as options, in order.
    std::vector<std::string> positional();
    // An error for any option nobody asked about.
    Status check_unused() const;

private:
    std::vector<std::string> args_;
    std::vector<bool> used_;
};

// "1,2,3" -> {1, 2, 3}
Result<std::vector<int32_t>> parse_id_list(const std::string& text);
std::string join_ids(const std::vector<int32_t>& ids);

}  // namespace tessera::cli

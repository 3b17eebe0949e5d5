// The secret store's fallback: a JSON object of name -> secret in one file that only its
// owner may read (0600). Every write replaces the file atomically (a new file made 0600
// before anything is written to it, synced, renamed over the old one), so a crash leaves the
// old secrets or the new ones, never a file others could read or a torn one. A file found
// readable by others is narrowed to 0600 before it is read (and a warning logged).
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "core/result.h"

namespace tessera::app {

using SecretMap = std::map<std::string, std::string>;

// An absent file is an empty map.
Result<SecretMap> read_secret_file(const std::filesystem::path& path);
Status write_secret_file(const std::filesystem::path& path, const SecretMap& secrets);

}  // namespace tessera::app

// Reads a whole (small) file as bytes into a string, with an error naming the file.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/result.h"

namespace tessera {

inline Result<std::string> read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read " + path.string()};
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace tessera

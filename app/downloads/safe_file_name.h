// D9: a file name from outside (a catalog entry, a URL, a user) becomes a plain file name
// inside the models folder, or is refused with the reason. Never a path: no separators,
// no "..", nothing absolute, no control characters, no names Windows reserves (the models
// folder may be shared with a Windows machine), not hidden, at most 255 bytes.
#pragma once

#include <QString>
#include <variant>

namespace tessera::downloads {

struct UnsafeName {
    QString reason;  // for a person: what is wrong with the name
};

// The name itself when it is safe, the reason otherwise. Nothing is rewritten silently
// except surrounding spaces: a refused name is the caller's to fix.
std::variant<QString, UnsafeName> check_file_name(const QString& name);

// The last path segment of a repository path or URL path ("Q4_K_M/model.gguf" ->
// "model.gguf"), then check_file_name.
std::variant<QString, UnsafeName> file_name_from_remote_path(const QString& remote_path);

}  // namespace tessera::downloads

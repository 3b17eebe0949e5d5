#include "secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QLoggingCategory>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "logging.h"

namespace tessera::app {
namespace {

Error file_error(const std::filesystem::path& path, const std::string& what) {
    return Error{"secrets file '" + path.string() + "': " + what + ": " + std::strerror(errno)};
}

// Only the owner may read or write it; anything wider is narrowed first.
Status narrow_permissions(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return file_error(path, "cannot inspect it");
    if (st.st_uid != ::geteuid())
        return Error{"secrets file '" + path.string() + "' belongs to another user; remove it or fix its owner"};
    if ((st.st_mode & 077) == 0) return {};
    qCWarning(lcSecrets, "secrets file %s was readable by others (mode %o); narrowed to 0600", path.c_str(),
              static_cast<unsigned>(st.st_mode & 0777));
    if (::chmod(path.c_str(), 0600) != 0) return file_error(path, "cannot make it private (chmod 0600)");
    return {};
}

}  // namespace

Result<SecretMap> read_secret_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return SecretMap{};
    TESSERA_TRY(narrow_permissions(path));
    std::ifstream in(path, std::ios::binary);
    if (!in) return file_error(path, "cannot open it");
    std::stringstream text;
    text << in.rdbuf();
    auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (!json.is_object())
        return Error{"secrets file '" + path.string() + "' is not a JSON object; move it away to start afresh"};
    SecretMap secrets;
    for (const auto& [name, value] : json.items()) {
        if (!value.is_string())
            return Error{"secrets file '" + path.string() + "': the entry '" + name + "' is not a string"};
        secrets[name] = value.get<std::string>();
    }
    return secrets;
}

Status write_secret_file(const std::filesystem::path& path, const SecretMap& secrets) {
    nlohmann::json json = nlohmann::json::object();
    for (const auto& [name, secret] : secrets) json[name] = secret;
    const std::string text = json.dump(2) + "\n";

    const std::filesystem::path temp = path.string() + ".new";
    ::unlink(temp.c_str());  // a leftover from a crash; O_EXCL below refuses to reuse it
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return file_error(temp, "cannot create it");
    // The umask can only narrow 0600; fchmod makes it exact before the secrets go in.
    bool ok = ::fchmod(fd, 0600) == 0;
    for (size_t done = 0; ok && done < text.size();) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved_errno = errno;
    ::close(fd);
    if (!ok) {
        ::unlink(temp.c_str());
        errno = saved_errno;
        return file_error(temp, "cannot write it");
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const Error error = file_error(path, "cannot replace it");
        ::unlink(temp.c_str());
        return error;
    }
    const int dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        ::fsync(dir);  // the rename itself survives a power cut
        ::close(dir);
    }
    return {};
}

}  // namespace tessera::app

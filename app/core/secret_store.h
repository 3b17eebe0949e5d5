// Secrets the app must keep (API keys of remote servers, the Hugging Face token) are kept out
// of the database: in the desktop's secret store (Secret Service or KWallet, through
// QtKeychain) when one answers, otherwise in DATA_DIR/secrets.json, readable only by the user
// (mode 0600, written atomically). PRODUCT.md: a key typed once is not asked for again, and is
// never stored as plain text beside the history.
//
//   SecretStore secrets(data_dir);
//   secrets.store("remote-server/3", key);       // Status
//   auto key = secrets.load("remote-server/3");  // Result<std::optional<std::string>>
//
// Blocking: the desktop's store is a D-Bus round trip, so callers keep it off the GUI thread
// where they can. Any thread that has a QCoreApplication.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/result.h"

namespace tessera::app {

class SecretStore {
public:
    enum class Backend {
        Automatic,  // the desktop's store when a session bus answers, else the file
        File,       // the file only (TESSERA_SECRET_STORE=file: tests, headless machines)
    };
    // TESSERA_SECRET_STORE=file chooses File; anything else Automatic.
    static Backend backend_from_environment();

    explicit SecretStore(std::filesystem::path data_dir, Backend backend = backend_from_environment());

    Status store(const std::string& name, const std::string& secret);
    // nullopt when nothing is stored under the name.
    Result<std::optional<std::string>> load(const std::string& name) const;
    // Removing what is not there is not an error.
    Status remove(const std::string& name);

    // Where secrets went, for the UI: "the desktop's secret store" or the file's path and that
    // it is readable only by you.
    std::string location() const;
    const std::filesystem::path& file_path() const { return file_; }

private:
    bool desktop_store_usable() const;

    std::filesystem::path data_dir_;
    std::filesystem::path file_;
    Backend backend_;
    mutable bool desktop_failed_ = false;  // the desktop's store failed once: the file from now on
};

}  // namespace tessera::app

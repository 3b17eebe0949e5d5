// The history as the app holds it: the opened database (lock, connection, start-up report)
// and the conversation store over it. Closing writes the clean-exit marker, so the next
// start knows this run ended well; a crash leaves no marker and the next start checks.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "storage/conversation_store.h"
#include "storage/storage.h"

namespace tessera::app {

// A result's error as a status (success when it holds a value), for one error path.
template <typename T>
storage::DbStatus status_of(const storage::DbResult<T>& result) {
    return result ? storage::DbStatus{} : storage::DbStatus{result.error()};
}

class AppStorage {
public:
    static storage::DbResult<std::unique_ptr<AppStorage>> open(const std::filesystem::path& data_dir);
    AppStorage(const AppStorage&) = delete;
    AppStorage& operator=(const AppStorage&) = delete;
    ~AppStorage();  // closes cleanly if close() was not called

    storage::Database& db() { return opened_.db; }
    storage::ConversationStore& conversations() { return conversations_; }
    const storage::OpenReport& report() const { return opened_.report; }
    const std::filesystem::path& data_dir() const { return data_dir_; }

    // Adds the model file to the catalog (once) and marks it used.
    storage::DbStatus register_model(const std::string& path);
    // Checkpoints, closes and writes the clean-exit marker; the store is unusable afterwards.
    storage::DbStatus close();

private:
    AppStorage(storage::OpenedStorage opened, std::filesystem::path data_dir);

    storage::OpenedStorage opened_;
    storage::ConversationStore conversations_;
    std::filesystem::path data_dir_;
    bool closed_ = false;
};

}  // namespace tessera::app

// The app without its window, for tests: the history in a folder, the engine on the
// bundled model, and a controller sampling greedily so replies can be reproduced.
#pragma once

#include <QString>
#include <memory>

#include "app_storage.h"
#include "chat_controller.h"
#include "engine_thread.h"

namespace tessera::app::testing {

inline constexpr int kReplyTokens = 40;

GenerationSettings greedy_settings();
QString bundled_model();

// A stored conversation of `messages` turns in one branch ("message 0" from the user,
// "message 1" from the assistant, ...), written in one transaction; 0 on failure (warned).
qint64 add_long_conversation(storage::ConversationStore& store, int messages);

class AppFixture {
public:
    explicit AppFixture(QString data_dir) : data_dir_(std::move(data_dir)) {}
    ~AppFixture() { close(); }

    // Opens the history and creates engine and controller; with load_model, waits until
    // the bundled model is ready. False (with a warning saying why) on failure.
    bool open(bool load_model = true);
    // Controller and engine first, then the history (a clean exit, as the app does).
    void close();
    // Sends and waits until the reply is stored; false if it was refused or never ended.
    bool send_and_wait(const QString& text);
    bool wait_for_reply();

    ChatController& controller() { return *controller_; }
    EngineThread& engine() { return *engine_; }
    AppStorage& storage() { return *storage_; }

private:
    QString data_dir_;
    std::unique_ptr<AppStorage> storage_;
    std::unique_ptr<EngineThread> engine_;
    std::unique_ptr<ChatController> controller_;
};

}  // namespace tessera::app::testing

#include "app_fixture.h"

#include <QSignalSpy>

#include "bundled_model.h"
#include "storage/transaction.h"

namespace tessera::app::testing {
namespace {
constexpr int kWaitMs = 120000;  // a bound for a stuck engine, not a performance limit
}

GenerationSettings greedy_settings() {
    GenerationSettings s;
    s.max_tokens = kReplyTokens;
    s.sampling.temperature = 0.0f;
    return s;
}

QString bundled_model() { return bundled_model_path(); }

namespace {
storage::DbResult<std::int64_t> write_long_conversation(storage::ConversationStore& store, int messages) {
    STORAGE_ASSIGN(std::int64_t id, store.create_conversation({"A long conversation"}));
    STORAGE_ASSIGN(storage::Transaction tx, storage::Transaction::begin(store.db()));
    storage::NewMessage m;
    for (int i = 0; i < messages; ++i) {
        m.role = i % 2 ? storage::Role::assistant : storage::Role::user;
        m.content = "message " + std::to_string(i);
        STORAGE_ASSIGN(std::int64_t message, store.insert_message(id, m, i == messages - 1));
        m.parent_id = message;
    }
    STORAGE_TRY(tx.commit());
    return id;
}
}  // namespace

qint64 add_long_conversation(storage::ConversationStore& store, int messages) {
    auto id = write_long_conversation(store, messages);
    if (!id) {
        qWarning("writing a long conversation: %s", id.error().message.c_str());
        return 0;
    }
    return *id;
}

bool AppFixture::open(bool load_model) {
    auto opened = AppStorage::open(data_dir_.toStdString());
    if (!opened) {
        qWarning("opening the history: %s", opened.error().message.c_str());
        return false;
    }
    storage_ = std::move(*opened);
    engine_ = std::make_unique<EngineThread>();
    controller_ = std::make_unique<ChatController>(*storage_, *engine_);
    controller_->setGenerationSettings(greedy_settings(), false);
    if (!load_model) return true;
    if (bundled_model().isEmpty()) {
        qWarning("the bundled model was not found");
        return false;
    }
    QSignalSpy state(engine_.get(), &EngineThread::stateChanged);
    engine_->load(bundled_model());
    while (engine_->state() == EngineThread::State::Loading)
        if (!state.wait(kWaitMs)) break;
    if (engine_->state() != EngineThread::State::Ready) {
        qWarning("loading the bundled model: %s", qPrintable(engine_->errorText()));
        return false;
    }
    return true;
}

void AppFixture::close() {
    controller_.reset();
    engine_.reset();
    if (storage_) {
        if (auto s = storage_->close(); !s) qWarning("closing the history: %s", s.error().message.c_str());
        storage_.reset();
    }
}

bool AppFixture::send_and_wait(const QString& text) {
    if (!controller_->send(text)) {
        qWarning("send refused: %s", qPrintable(controller_->errorText()));
        return false;
    }
    return wait_for_reply();
}

bool AppFixture::wait_for_reply() {
    if (!controller_->generating()) return true;
    QSignalSpy stored(controller_.get(), &ChatController::replyStored);
    return stored.wait(kWaitMs);
}

}  // namespace tessera::app::testing

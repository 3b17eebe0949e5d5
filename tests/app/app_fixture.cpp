#include "app_fixture.h"

#include <QSignalSpy>

#include "bundled_model.h"

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

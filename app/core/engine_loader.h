// Loading a model with what runs it: the GGUF file, its tokenizer, the backend's forward
// pass (CPU or a Vulkan device, backend/backend_choice.h) and a chat session. Blocking; the
// worker thread calls it (and tests, for a reference reply).
#pragma once

#include <QString>
#include <memory>

#include "backend/backend_choice.h"
#include "core/result.h"
#include "model/model.h"
#include "session/chat_session.h"
#include "tokenizer/tokenizer.h"

namespace tessera::app {

struct LoadRequest {
    QString path;
    qint64 context_tokens = 4096;  // capped at the model's training context
    int threads = 0;               // 0: one per hardware thread
    // "auto" (the CPU, as the engine's default), or what parse_backend accepts.
    QString device = QStringLiteral("auto");
    // Layers to put on the GPU (a Vulkan device), the rest running on the CPU; -1: as many
    // as the GPU's memory holds (engine/model/offload_plan.h says which). CPU: ignored.
    int gpu_layers = -1;
    // Load progress reaches the GUI at most once per this many ms (0: every step; tests).
    int progress_interval_ms = 33;
};

// Members in construction order: the session uses the forward pass and the tokenizer,
// which use the model; they are destroyed the other way round.
struct LoadedEngine {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;
    Backend backend;
    std::unique_ptr<ChatSession> session;
};

// progress: bytes of weights read (CPU) or uploaded (Vulkan) out of the total, from the
// calling thread; without it the CPU backend reads the weights on first use instead.
Result<std::unique_ptr<LoadedEngine>> load_engine(const LoadRequest& request, ProgressCallback progress = {});

}  // namespace tessera::app

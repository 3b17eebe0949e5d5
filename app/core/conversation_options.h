// A conversation's own generation settings (issue: per-conversation sampling, reasoning and
// context length). Stored with the conversation: the sampling fields and the context length
// as JSON in its sampling_json column, reasoning as "on"/"off" in its reasoning column. An
// unset field means the app's default. QML sees them as a map with the keys below.
#pragma once

#include <QVariantMap>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "session/generator.h"
#include "storage/model.h"

namespace tessera::app {

struct ConversationOptions {
    std::optional<double> temperature, top_p, min_p, repeat_penalty;
    std::optional<int64_t> top_k, max_tokens, seed, context_length;
    std::optional<bool> reasoning;

    bool operator==(const ConversationOptions&) const = default;
};

// QML's map: temperature, topP, topK, minP, repeatPenalty, maxTokens, seed, contextLength
// (numbers; absent or null: the default) and reasoning ("on", "off", or absent/"default").
// Errors name the setting and its allowed range.
Result<ConversationOptions> options_from_map(const QVariantMap& map);
QVariantMap options_to_map(const ConversationOptions& options);

// From and into the stored conversation. A stored value that no longer parses (an older or
// hand-edited database) is an error naming it; the caller falls back to the defaults.
Result<ConversationOptions> options_from_settings(const storage::ConversationSettings& settings);
void store_options(const ConversationOptions& options, storage::ConversationSettings& settings);

// The app's defaults with this conversation's choices on top.
GenerationSettings apply_options(GenerationSettings base, const ConversationOptions& options);

}  // namespace tessera::app

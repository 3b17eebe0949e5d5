// The small model shipped with Tessera, so a first start chats without a download.
#pragma once

#include <QString>

namespace tessera::app {

inline constexpr const char* kBundledModelFile = "aidreams260K-f32.gguf";

// Where the bundled model is: installed (<prefix>/share/tessera/models/ beside bin/), or
// the source tree this binary was built from. Empty when neither has it.
QString bundled_model_path();

}  // namespace tessera::app

#include "downloads/bundled_repos.h"

namespace tessera::downloads {

QStringList bundled_repos() {
    return {
        QStringLiteral("bartowski/nvidia_Llama-3_3-Nemotron-Super-49B-v1-GGUF"),
        QStringLiteral("bartowski/Llama-3_1-Nemotron-51B-Instruct-GGUF"),
        QStringLiteral("bartowski/nvidia_Llama-3_1-Nemotron-Ultra-253B-v1-GGUF"),  // needs more than one machine
        QStringLiteral("TheBloke/DeciLM-7B-instruct-GGUF"),
    };
}

}  // namespace tessera::downloads

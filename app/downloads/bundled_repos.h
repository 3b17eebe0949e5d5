// Where the catalog starts before anything is searched: Hugging Face repositories with GGUF
// files of the NAS-pruned Llama models Tessera is made for (Nemotron-NAS, DeciLM).
#pragma once

#include <QStringList>

namespace tessera::downloads {

QStringList bundled_repos();

}  // namespace tessera::downloads

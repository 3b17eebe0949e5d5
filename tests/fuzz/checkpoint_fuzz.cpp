// libFuzzer target for what `tessera-cli convert` parses from a Hugging Face folder, and the
// importance matrices `quantize --imatrix` reads: the first byte picks the parser, the rest
// is the input. safetensors files (header length, JSON header, offsets), SentencePiece
// tokenizer.model (protobuf), config.json and legacy imatrix.dat files must give a value or
// an error, never a crash, a hang or an out-of-bounds read.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include "convert/hf_config.h"
#include "convert/importance_matrix.h"
#include "convert/safetensors.h"
#include "convert/sentencepiece_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const std::span<const uint8_t> input(data + 1, size - 1);
    switch (data[0] % 4) {
        case 0: {  // safetensors goes through a file: the reader maps what it validates
            static const std::string path = "/tmp/tessera-fuzz-" + std::to_string(::getpid()) + ".safetensors";
            if (FILE* f = std::fopen(path.c_str(), "wb")) {
                std::fwrite(input.data(), 1, input.size(), f);
                std::fclose(f);
                tessera::SafetensorsCheckpoint checkpoint;
                (void)checkpoint.add_file(path);
                for (const auto& [name, t] : checkpoint.tensors()) {
                    // A tensor handed out must be readable over its whole extent.
                    std::vector<float> row(static_cast<size_t>(t.shape.empty() ? 1 : t.shape.back()));
                    if (t.elements() > 0 && !row.empty() && t.elements() < (1 << 20)) t.read_row(0, row.data());
                }
            }
            break;
        }
        case 1:
            (void)tessera::parse_sentencepiece_model(input);
            break;
        case 2:
            (void)tessera::parse_legacy_importance_matrix(input);
            break;
        default:
            (void)tessera::parse_hf_config(std::string_view(reinterpret_cast<const char*>(input.data()), input.size()));
            break;
    }
    return 0;
}

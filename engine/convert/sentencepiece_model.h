// SentencePiece's tokenizer.model (a protobuf ModelProto), read without a protobuf
// library: the pieces with their scores and types (field 1), the special ids of the
// trainer spec (field 2) and the dummy-prefix flag of the normalizer spec (field 3).
// Everything else in the message is skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera {

struct SentencePiecePiece {
    std::string text;
    float score = 0.0f;
    int32_t type = 1;  // 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte (as GGUF)
};

struct SentencePieceModel {
    std::vector<SentencePiecePiece> pieces;
    std::optional<int64_t> unk_id, bos_id, eos_id, pad_id;
    bool add_dummy_prefix = true;
};

Result<SentencePieceModel> parse_sentencepiece_model(std::span<const uint8_t> bytes);

}  // namespace tessera

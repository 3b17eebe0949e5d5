#include "convert/sentencepiece_model.h"

#include <cstring>

namespace tessera {
namespace {

// A cursor over protobuf wire format that reports truncation instead of reading past it.
class Wire {
public:
    explicit Wire(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    bool done() const { return pos_ >= bytes_.size(); }

    Result<uint64_t> varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos_ >= bytes_.size()) return Error{"tokenizer.model is truncated (inside a number)"};
            const uint8_t b = bytes_[pos_++];
            v |= static_cast<uint64_t>(b & 0x7F) << shift;
            if (!(b & 0x80)) return v;
        }
        return Error{"tokenizer.model holds a malformed number"};
    }
    Result<std::span<const uint8_t>> bytes() {
        auto n = varint();
        if (!n) return n.error();
        if (*n > bytes_.size() - pos_) return Error{"tokenizer.model is truncated (a field runs past the end)"};
        auto out = bytes_.subspan(pos_, static_cast<size_t>(*n));
        pos_ += static_cast<size_t>(*n);
        return out;
    }
    Result<uint32_t> fixed32() {
        if (bytes_.size() - pos_ < 4) return Error{"tokenizer.model is truncated (inside a float)"};
        uint32_t v;
        std::memcpy(&v, bytes_.data() + pos_, 4);
        pos_ += 4;
        return v;
    }
    Status skip(uint32_t wire_type) {
        switch (wire_type) {
            case 0: return varint() ? Status{} : Status{Error{"tokenizer.model holds a malformed number"}};
            case 1:
                if (bytes_.size() - pos_ < 8) return Error{"tokenizer.model is truncated"};
                pos_ += 8;
                return {};
            case 2: return bytes() ? Status{} : Status{Error{"tokenizer.model is truncated (a field runs past the end)"}};
            case 5: return fixed32() ? Status{} : Status{Error{"tokenizer.model is truncated (inside a float)"}};
            default: return Error{"tokenizer.model is not a SentencePiece model (wire type " + std::to_string(wire_type) + ")"};
        }
    }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

Result<SentencePiecePiece> parse_piece(std::span<const uint8_t> bytes) {
    Wire w(bytes);
    SentencePiecePiece p;
    while (!w.done()) {
        auto key = w.varint();
        if (!key) return key.error();
        const auto field = static_cast<uint32_t>(*key >> 3), type = static_cast<uint32_t>(*key & 7);
        if (field == 1 && type == 2) {
            auto text = w.bytes();
            if (!text) return text.error();
            p.text.assign(text->begin(), text->end());
        } else if (field == 2 && type == 5) {
            auto bits = w.fixed32();
            if (!bits) return bits.error();
            std::memcpy(&p.score, &*bits, 4);
        } else if (field == 3 && type == 0) {
            auto t = w.varint();
            if (!t) return t.error();
            if (*t < 1 || *t > 6) return Error{"tokenizer.model: piece '" + p.text + "' has an unknown type"};
            p.type = static_cast<int32_t>(*t);
        } else {
            TESSERA_TRY(w.skip(type));
        }
    }
    return p;
}

// Reads the varint fields `wanted` (field number -> slot) of a sub-message.
Status read_ints(std::span<const uint8_t> bytes, std::initializer_list<std::pair<uint32_t, std::optional<int64_t>*>> wanted) {
    Wire w(bytes);
    while (!w.done()) {
        auto key = w.varint();
        if (!key) return key.error();
        const auto field = static_cast<uint32_t>(*key >> 3), type = static_cast<uint32_t>(*key & 7);
        bool taken = false;
        for (const auto& [number, slot] : wanted)
            if (field == number && type == 0) {
                auto v = w.varint();
                if (!v) return v.error();
                *slot = static_cast<int64_t>(static_cast<int32_t>(*v));  // int32 fields; -1 means "none"
                taken = true;
            }
        if (!taken) TESSERA_TRY(w.skip(type));
    }
    return {};
}

}  // namespace

Result<SentencePieceModel> parse_sentencepiece_model(std::span<const uint8_t> bytes) {
    Wire w(bytes);
    SentencePieceModel m;
    m.unk_id = 0;  // SentencePiece's defaults when the trainer spec does not say
    m.bos_id = 1;
    m.eos_id = 2;
    while (!w.done()) {
        auto key = w.varint();
        if (!key) return key.error();
        const auto field = static_cast<uint32_t>(*key >> 3), type = static_cast<uint32_t>(*key & 7);
        if (type == 2 && (field == 1 || field == 2 || field == 3)) {
            auto body = w.bytes();
            if (!body) return body.error();
            if (field == 1) {
                auto piece = parse_piece(*body);
                if (!piece) return piece.error();
                m.pieces.push_back(std::move(*piece));
            } else if (field == 2) {  // TrainerSpec: unk_id 40, bos_id 41, eos_id 42, pad_id 43
                TESSERA_TRY(read_ints(*body, {{40, &m.unk_id}, {41, &m.bos_id}, {42, &m.eos_id}, {43, &m.pad_id}}));
            } else {  // NormalizerSpec: add_dummy_prefix 3
                std::optional<int64_t> prefix;
                TESSERA_TRY(read_ints(*body, {{3, &prefix}}));
                if (prefix) m.add_dummy_prefix = *prefix != 0;
            }
        } else {
            TESSERA_TRY(w.skip(type));
        }
    }
    if (m.pieces.empty()) return Error{"tokenizer.model holds no pieces: it is not a SentencePiece model"};
    for (auto* id : {&m.unk_id, &m.bos_id, &m.eos_id, &m.pad_id})
        if (*id && (**id < 0 || **id >= static_cast<int64_t>(m.pieces.size()))) id->reset();
    return m;
}

}  // namespace tessera

#include "gguf/gguf_parser.h"

#include <cstdio>
#include <utility>

namespace tessera {
namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint32_t kMinVersion = 2, kMaxVersion = 3;
// Smallest encodings, used to bound counts by the bytes that remain before allocating.
constexpr uint64_t kMinKvBytes = 8 + 1 + 4 + 1;  // key length + 1-byte key + type + u8 value
constexpr uint64_t kMinStringBytes = 8;          // an empty string is its u64 length


uint32_t byteswap32(uint32_t v) {
    return (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
}

// The legacy GGML family (before GGUF) stored its magic as a u32; accept either byte order.
const char* legacy_format_name(uint32_t magic) {
    for (uint32_t m : {magic, byteswap32(magic)}) {
        if (m == 0x67676d6c) return "GGML";
        if (m == 0x67676d66) return "GGMF";
        if (m == 0x67676a74) return "GGJT";
    }
    return nullptr;
}

std::string hex_bytes(const uint8_t* p, size_t n) {
    std::string out;
    char buf[4];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(buf, sizeof buf, i ? " %02x" : "%02x", p[i]);
        out += buf;
    }
    return out;
}

Error not_gguf(const uint8_t* p, uint64_t size) {
    const size_t shown = size < 4 ? static_cast<size_t>(size) : 4;
    const std::string_view head(reinterpret_cast<const char*>(p), shown);
    std::string hint;
    if (head == "<!DO" || head == "<htm" || head == "<HTM")
        hint = "; it looks like an HTML page (a failed or redirected download?)";
    return Error{"not a GGUF file (first bytes " + hex_bytes(p, shown) + ")" + hint};
}

template <typename Raw, typename Stored>
bool read_scalar_as(ByteCursor& cur, Stored& out) {
    Raw raw;
    if (!cur.read(raw)) return false;
    out = static_cast<Stored>(raw);
    return true;
}

// Reads one scalar of `type` into the variant kind the reader stores it as.
bool read_scalar(ByteCursor& cur, GgufValueType type, GgufValue& out) {
    uint64_t u = 0;
    int64_t i = 0;
    double f = 0;
    bool ok = false;
    switch (type) {
        case GgufValueType::UINT8: ok = read_scalar_as<uint8_t>(cur, u); out.data = u; break;
        case GgufValueType::UINT16: ok = read_scalar_as<uint16_t>(cur, u); out.data = u; break;
        case GgufValueType::UINT32: ok = read_scalar_as<uint32_t>(cur, u); out.data = u; break;
        case GgufValueType::UINT64: ok = read_scalar_as<uint64_t>(cur, u); out.data = u; break;
        case GgufValueType::INT8: ok = read_scalar_as<int8_t>(cur, i); out.data = i; break;
        case GgufValueType::INT16: ok = read_scalar_as<int16_t>(cur, i); out.data = i; break;
        case GgufValueType::INT32: ok = read_scalar_as<int32_t>(cur, i); out.data = i; break;
        case GgufValueType::INT64: ok = read_scalar_as<int64_t>(cur, i); out.data = i; break;
        case GgufValueType::FLOAT32: ok = read_scalar_as<float>(cur, f); out.data = f; break;
        case GgufValueType::FLOAT64: ok = read_scalar_as<double>(cur, f); out.data = f; break;
        case GgufValueType::BOOL: {
            uint8_t b = 0;
            ok = cur.read(b);
            out.data = b != 0;  // any nonzero byte is true, as in ggml
            break;
        }
        case GgufValueType::STRING:
        case GgufValueType::ARRAY: break;  // not scalars; callers handle them
    }
    return ok;
}

// Reads `count` scalars (already checked to fit) into a vector of the stored kind.
template <typename Stored>
bool read_scalar_array(ByteCursor& cur, GgufValueType type, uint64_t count, GgufValue& out) {
    std::vector<Stored> values;
    values.reserve(static_cast<size_t>(count));
    GgufValue element;
    for (uint64_t n = 0; n < count; ++n) {
        if (!read_scalar(cur, type, element)) return false;
        values.push_back(std::get<Stored>(element.data));
    }
    out.data = std::move(values);
    return true;
}

}  // namespace

std::string quoted(std::string_view name) {
    // Built by appending: GCC 12 reports a false -Wrestrict on "'" + std::string(...).
    std::string out;
    out.reserve(name.size() + 2);
    out += '\'';
    out += name;
    out += '\'';
    return out;
}

uint64_t gguf_scalar_size(GgufValueType type) {
    switch (type) {
        case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
        case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
        case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
        case GgufValueType::UINT64: case GgufValueType::INT64: case GgufValueType::FLOAT64: return 8;
        case GgufValueType::STRING: case GgufValueType::ARRAY: return 0;
    }
    return 0;
}

bool gguf_value_type_known(uint32_t id) { return id <= static_cast<uint32_t>(GgufValueType::FLOAT64); }

bool is_valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len;
        uint32_t cp;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xe0) == 0xc0) { len = 2; cp = c & 0x1f; }
        else if ((c & 0xf0) == 0xe0) { len = 3; cp = c & 0x0f; }
        else if ((c & 0xf8) == 0xf0) { len = 4; cp = c & 0x07; }
        else return false;
        if (s.size() - i < len) return false;
        for (size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        i += len;
    }
    return true;
}

Error GgufParser::truncated(const std::string& what) { return truncated_at(what, cur_.offset()); }

Error GgufParser::truncated_at(const std::string& what, uint64_t offset) {
    if (cur_.is_prefix()) return prefix_ends(cur_.offset() + cur_.readable() + 1);
    return Error{"the file ends inside " + what + " (offset " + std::to_string(offset) +
                 ", file is " + std::to_string(cur_.size()) + " bytes)"};
}

Error GgufParser::prefix_ends(uint64_t end) {
    if (end > more_needed_) more_needed_ = end;
    return Error{"the header continues past the first " + std::to_string(cur_.offset() + cur_.readable()) +
                 " bytes read (it needs at least " + std::to_string(more_needed_) + ")"};
}

Status GgufParser::in_prefix(uint64_t count, uint64_t min_bytes) {
    // count * min_bytes <= remaining() was checked by the caller: no overflow.
    if (cur_.is_prefix() && count > cur_.readable() / min_bytes) return prefix_ends(cur_.offset() + count * min_bytes);
    return {};
}

Status GgufParser::run() {
    uint64_t n_tensors = 0, n_kv = 0;
    TESSERA_TRY(read_header(n_tensors, n_kv));
    TESSERA_TRY(read_metadata(n_kv));
    TESSERA_TRY(read_alignment());
    TESSERA_TRY(read_tensor_infos(n_tensors));
    return place_tensors();
}

Status GgufParser::read_header(uint64_t& n_tensors, uint64_t& n_kv) {
    if (cur_.size() == 0) return Error{"the file is empty (0 bytes): not a GGUF file"};
    const uint8_t* start = cur_.here();
    uint32_t magic = 0;
    if (!cur_.read(magic)) return cur_.is_prefix() ? prefix_ends(sizeof magic) : not_gguf(start, cur_.size());
    if (magic != kGgufMagic) {
        if (const char* legacy = legacy_format_name(magic))
            return Error{std::string("not a GGUF file: it is in the legacy ") + legacy +
                         " format used before GGUF; convert it with llama.cpp's "
                         "convert_llama_ggml_to_gguf.py"};
        return not_gguf(start, cur_.size());
    }
    uint32_t version = 0;
    if (!cur_.read(version)) return truncated("the header");
    if (version < kMinVersion || version > kMaxVersion) {
        const uint32_t swapped = byteswap32(version);
        if (swapped >= kMinVersion && swapped <= kMaxVersion)
            return Error{"unsupported GGUF version " + std::to_string(version) +
                         " (this looks like a big-endian GGUF file; only little-endian is supported)"};
        return Error{"unsupported GGUF version " + std::to_string(version) +
                     " (supported: 2 and 3)"};
    }
    file_.version_ = version;
    if (!cur_.read(n_tensors) || !cur_.read(n_kv)) return truncated("the header");
    // Bound both counts by the smallest encoding of each entry before anything is allocated.
    if (n_kv > cur_.remaining() / kMinKvBytes)
        return Error{"header claims " + std::to_string(n_kv) + " metadata entries (at least " +
                     std::to_string(kMinKvBytes) + " bytes each), but only " + std::to_string(cur_.remaining()) +
                     " bytes follow the header: the file is truncated or corrupt"};
    if (n_tensors > cur_.remaining() / kMinTensorInfoBytes)
        return Error{"header claims " + std::to_string(n_tensors) + " tensors (at least " +
                     std::to_string(kMinTensorInfoBytes) + " bytes of info each), but only " +
                     std::to_string(cur_.remaining()) + " bytes follow the header: the file is truncated or corrupt"};
    return in_prefix(n_kv, kMinKvBytes);
}

Status GgufParser::read_name(std::string& out, const std::string& what) {
    const uint64_t at = cur_.offset();
    uint64_t len = 0;
    if (!cur_.read(len)) return truncated("the length of " + what);
    if (len == 0) return Error{what + " at offset " + std::to_string(at) + " is empty"};
    if (len > kMaxKeyBytes)
        return Error{what + " at offset " + std::to_string(at) + " has length " + std::to_string(len) +
                     ", above the limit of " + std::to_string(kMaxKeyBytes) + " bytes"};
    if (len > cur_.remaining())
        return Error{what + " at offset " + std::to_string(at) + " has length " + std::to_string(len) +
                     ", which runs past the end of the file (" + std::to_string(cur_.size()) + " bytes)"};
    TESSERA_TRY(in_prefix(len, 1));
    out.assign(reinterpret_cast<const char*>(cur_.here()), static_cast<size_t>(len));
    (void)cur_.skip(len);
    if (!is_valid_utf8(out))
        return Error{what + " at offset " + std::to_string(at) + " is not valid UTF-8"};
    return {};
}

Status GgufParser::read_string(std::string& out, const std::string& what) {
    const uint64_t at = cur_.offset();
    uint64_t len = 0;
    if (!cur_.read(len)) return truncated(what);
    if (len > kMaxStringBytes)
        return Error{what + " at offset " + std::to_string(at) + " has length " + std::to_string(len) +
                     ", above the limit of 1 GiB"};
    if (len > cur_.remaining())
        return Error{what + " at offset " + std::to_string(at) + " has length " + std::to_string(len) +
                     ", which runs past the end of the file (" + std::to_string(cur_.size()) + " bytes)"};
    TESSERA_TRY(in_prefix(len, 1));
    out.assign(reinterpret_cast<const char*>(cur_.here()), static_cast<size_t>(len));
    (void)cur_.skip(len);
    return {};
}

Status GgufParser::read_metadata(uint64_t n_kv) {
    file_.kv_.reserve(static_cast<size_t>(n_kv));  // bounded by read_header
    for (uint64_t index = 0; index < n_kv; ++index) {
        std::string key;
        TESSERA_TRY(read_name(key, "metadata key #" + std::to_string(index)));
        const uint64_t type_at = cur_.offset();
        if (file_.kv_index_.count(key))
            return Error{"duplicate metadata key " + quoted(key) + " (second copy ends at offset " +
                         std::to_string(type_at) + ")"};
        uint32_t type_id = 0;
        if (!cur_.read(type_id)) return truncated("the type of key " + quoted(key));
        if (!gguf_value_type_known(type_id))
            return Error{"key " + quoted(key) + " has unknown value type id " + std::to_string(type_id) +
                         " (offset " + std::to_string(type_at) + ")"};
        GgufValue value;
        TESSERA_TRY(read_value(key, static_cast<GgufValueType>(type_id), value));
        file_.kv_index_.emplace(key, file_.kv_.size());
        file_.kv_.emplace_back(std::move(key), std::move(value));
    }
    return {};
}

Status GgufParser::read_value(const std::string& key, GgufValueType type, GgufValue& out) {
    out.type = type;
    if (type == GgufValueType::ARRAY) return read_array(key, out);
    if (type == GgufValueType::STRING) {
        std::string s;
        TESSERA_TRY(read_string(s, "the string value of key " + quoted(key)));
        out.data = std::move(s);
        return {};
    }
    if (!read_scalar(cur_, type, out)) return truncated("the value of key " + quoted(key));
    return {};
}

Status GgufParser::read_array(const std::string& key, GgufValue& out) {
    const uint64_t at = cur_.offset();
    uint32_t elem_id = 0;
    uint64_t count = 0;
    if (!cur_.read(elem_id)) return truncated("the array header of key " + quoted(key));
    if (elem_id == static_cast<uint32_t>(GgufValueType::ARRAY))
        return Error{"key " + quoted(key) + " is an array of arrays (offset " + std::to_string(at) +
                     "); nested arrays are not supported"};
    if (!gguf_value_type_known(elem_id))
        return Error{"key " + quoted(key) + " is an array with unknown element type id " +
                     std::to_string(elem_id) + " (offset " + std::to_string(at) + ")"};
    if (!cur_.read(count)) return truncated("the array header of key " + quoted(key));
    const auto elem = static_cast<GgufValueType>(elem_id);
    out.array_type = elem;
    const uint64_t min_elem_bytes = elem == GgufValueType::STRING ? kMinStringBytes : gguf_scalar_size(elem);
    // Division, not multiplication: count * size could overflow.
    if (count > cur_.remaining() / min_elem_bytes)
        return Error{"key " + quoted(key) + ": array of " + std::to_string(count) + " " +
                     std::string(gguf_value_type_name(elem)) + " elements (at least " +
                     std::to_string(min_elem_bytes) + " bytes each, offset " + std::to_string(at) +
                     ") runs past the end of the file (" + std::to_string(cur_.size()) + " bytes)"};
    TESSERA_TRY(in_prefix(count, min_elem_bytes));
    bool ok = true;
    switch (elem) {
        case GgufValueType::STRING: {
            std::vector<std::string> strings;
            strings.reserve(static_cast<size_t>(count));
            for (uint64_t n = 0; n < count; ++n) {
                std::string s;
                TESSERA_TRY(read_string(s, "element " + std::to_string(n) + " of key " + quoted(key)));
                strings.push_back(std::move(s));
            }
            out.data = std::move(strings);
            break;
        }
        case GgufValueType::UINT8: case GgufValueType::UINT16:
        case GgufValueType::UINT32: case GgufValueType::UINT64:
            ok = read_scalar_array<uint64_t>(cur_, elem, count, out); break;
        case GgufValueType::INT8: case GgufValueType::INT16:
        case GgufValueType::INT32: case GgufValueType::INT64:
            ok = read_scalar_array<int64_t>(cur_, elem, count, out); break;
        case GgufValueType::FLOAT32: case GgufValueType::FLOAT64:
            ok = read_scalar_array<double>(cur_, elem, count, out); break;
        case GgufValueType::BOOL:
            ok = read_scalar_array<bool>(cur_, elem, count, out); break;
        case GgufValueType::ARRAY: ok = false; break;  // rejected above
    }
    if (!ok) return truncated("the array value of key " + quoted(key));
    return {};
}

Status GgufParser::read_alignment() {
    file_.alignment_ = kDefaultAlignment;
    const GgufValue* v = file_.find(kAlignmentKey);
    if (v == nullptr) return {};
    if (v->type != GgufValueType::UINT32)
        return Error{"key 'general.alignment' has type " +
                     std::string(v->is_array() ? "array" : gguf_value_type_name(v->type)) +
                     ", expected uint32"};
    const uint64_t a = std::get<uint64_t>(v->data);
    if (a == 0 || (a & (a - 1)) != 0)
        return Error{"key 'general.alignment' is " + std::to_string(a) +
                     ", which is not a nonzero power of two"};
    file_.alignment_ = a;
    return {};
}

}  // namespace tessera

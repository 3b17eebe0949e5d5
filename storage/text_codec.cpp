#include "storage/text_codec.h"

#include <sqlite3.h>
#include <zlib.h>

#include <cstdint>

#include "storage/model.h"

namespace tessera::storage {
namespace {

constexpr unsigned char kFormatDeflate = 1;
constexpr std::size_t kHeaderBytes = 5;

// Raw deflate (no zlib header or checksum: SQLite's page checksums are not there, but the
// length prefix and inflate's own stream checks catch a damaged BLOB).
constexpr int kRawDeflate = -15;

}  // namespace

std::optional<std::string> pack_text(std::string_view text) {
    if (text.size() < kPackMinBytes || text.size() > kMaxMessageBytes) return std::nullopt;
    z_stream z{};
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, kRawDeflate, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return std::nullopt;
    std::string out(kHeaderBytes + deflateBound(&z, static_cast<uLong>(text.size())), '\0');
    out[0] = static_cast<char>(kFormatDeflate);
    const auto size = static_cast<std::uint32_t>(text.size());
    for (int i = 0; i < 4; ++i) out[static_cast<std::size_t>(1 + i)] = static_cast<char>((size >> (8 * i)) & 0xff);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data() + kHeaderBytes);
    z.avail_out = static_cast<uInt>(out.size() - kHeaderBytes);
    const int rc = deflate(&z, Z_FINISH);
    const std::size_t packed = kHeaderBytes + z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END || packed >= text.size()) return std::nullopt;
    out.resize(packed);
    return out;
}

DbResult<std::string> unpack_text(std::string_view blob) {
    if (blob.size() < kHeaderBytes || static_cast<unsigned char>(blob[0]) != kFormatDeflate)
        return DbError{"a stored message is in an unknown format (a newer Tessera, or damage)", SQLITE_CORRUPT};
    std::uint32_t size = 0;
    for (int i = 0; i < 4; ++i) size |= std::uint32_t{static_cast<unsigned char>(blob[static_cast<std::size_t>(1 + i)])} << (8 * i);
    if (size > kMaxMessageBytes) return DbError{"a stored message claims an impossible length", SQLITE_CORRUPT};
    // One inflate state per thread, reset between texts: setting one up (its 32 KiB window)
    // costs more than inflating a typical message, and search inflates thousands.
    struct Inflater {
        z_stream z{};
        bool ready = inflateInit2(&z, kRawDeflate) == Z_OK;
        ~Inflater() {
            if (ready) inflateEnd(&z);
        }
    };
    thread_local Inflater inflater;
    if (!inflater.ready) return DbError{"cannot start zlib's inflate", SQLITE_NOMEM};
    z_stream& z = inflater.z;
    inflateReset(&z);
    std::string out(size, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(blob.data() + kHeaderBytes));
    z.avail_in = static_cast<uInt>(blob.size() - kHeaderBytes);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const bool whole = rc == Z_STREAM_END && z.total_out == size && z.avail_in == 0;
    if (!whole) return DbError{"a stored message is damaged (its compressed text does not decode)", SQLITE_CORRUPT};
    return out;
}

namespace {

void sql_pack(sqlite3_context* context, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT) {  // NULL, or already packed
        sqlite3_result_value(context, argv[0]);
        return;
    }
    const auto* data = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    std::string_view text(data ? data : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    if (auto packed = pack_text(text))
        sqlite3_result_blob64(context, packed->data(), packed->size(), SQLITE_TRANSIENT);
    else
        sqlite3_result_value(context, argv[0]);
}

void sql_text(sqlite3_context* context, int, sqlite3_value** argv) {
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_value(context, argv[0]);
        return;
    }
    const auto* data = static_cast<const char*>(sqlite3_value_blob(argv[0]));
    auto text = unpack_text(std::string_view(data ? data : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
    if (!text.ok()) {
        if (sqlite3_user_data(context) != nullptr) {  // tessera_index_text: index the rest, skip this
            sqlite3_result_text(context, "", 0, SQLITE_STATIC);
            return;
        }
        // SQLITE_ERROR, not SQLITE_CORRUPT: the statement fails, the transaction goes on.
        sqlite3_result_error(context, text.error().message.c_str(), -1);
        return;
    }
    sqlite3_result_text64(context, text->data(), text->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace

DbStatus register_text_functions(sqlite3* db) {
    // Deterministic and innocuous: usable in the schema's view and triggers.
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    static int lenient = 1;
    struct Function {
        const char* name;
        void (*fn)(sqlite3_context*, int, sqlite3_value**);
        void* user_data;
    };
    for (auto [name, fn, user_data] : {Function{"tessera_pack", &sql_pack, nullptr},
                                       Function{"tessera_text", &sql_text, nullptr},
                                       Function{"tessera_index_text", &sql_text, &lenient}}) {
        if (sqlite3_create_function_v2(db, name, 1, flags, user_data, fn, nullptr, nullptr, nullptr) != SQLITE_OK)
            return DbError{std::string("registering ") + name + ": " + sqlite3_errmsg(db), sqlite3_extended_errcode(db)};
    }
    return {};
}

}  // namespace tessera::storage

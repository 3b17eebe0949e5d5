#include "convert/safetensors.h"

#include <filesystem>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/half.h"
#include "core/text_file.h"

namespace tessera {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A header larger than this is not a real checkpoint (the largest have a few MB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

Result<SafetensorsDtype> parse_dtype(const std::string& s, const std::string& tensor) {
    if (s == "F32") return SafetensorsDtype::F32;
    if (s == "F16") return SafetensorsDtype::F16;
    if (s == "BF16") return SafetensorsDtype::BF16;
    return Error{"tensor '" + tensor + "' has dtype " + s + "; only F32, F16 and BF16 checkpoints can be converted"};
}

int64_t dtype_size(SafetensorsDtype d) { return d == SafetensorsDtype::F32 ? 4 : 2; }

}  // namespace

int64_t SafetensorsTensor::elements() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

void SafetensorsTensor::read_row(int64_t row, float* out) const {
    const int64_t cols = shape.empty() ? 1 : shape.back();
    const uint8_t* src = bytes.data() + static_cast<size_t>(row * cols * dtype_size(dtype));
    // One loop per dtype: the conversion is the whole cost of a bf16 -> bf16 conversion.
    switch (dtype) {
        case SafetensorsDtype::F32:
            std::memcpy(out, src, static_cast<size_t>(cols) * 4);
            break;
        case SafetensorsDtype::F16:
            for (int64_t i = 0; i < cols; ++i) {
                uint16_t h;
                std::memcpy(&h, src + 2 * i, 2);
                out[i] = f16_to_f32(h);
            }
            break;
        case SafetensorsDtype::BF16:
            for (int64_t i = 0; i < cols; ++i) {
                uint16_t h;
                std::memcpy(&h, src + 2 * i, 2);
                out[i] = bf16_to_f32(h);
            }
            break;
    }
}

Status SafetensorsCheckpoint::add_file(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    const MappedFile& file = *mapped;
    const std::string where = fs::path(path).filename().string();
    if (file.size() < 8) return Error{where + ": too short for a safetensors header (" + std::to_string(file.size()) + " bytes)"};
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | file.data()[i];
    if (header_len > kMaxHeaderBytes || header_len > file.size() - 8)
        return Error{where + ": header length " + std::to_string(header_len) + " reaches beyond the file (" +
                     std::to_string(file.size()) + " bytes): the file is truncated or not safetensors"};
    json header;
    try {
        header = json::parse(file.data() + 8, file.data() + 8 + header_len);
    } catch (const json::exception& e) {
        return Error{where + ": the header is not valid JSON (" + std::string(e.what()) + ")"};
    }
    if (!header.is_object()) return Error{where + ": the header is not a JSON object"};
    const uint64_t data_start = 8 + header_len;
    const uint64_t data_size = file.size() - data_start;

    for (const auto& item : header.items()) {
        const std::string name = item.key();  // a copy, not a structured binding: lambdas capture it
        const json& entry = item.value();
        if (name == "__metadata__") continue;
        auto bad = [&](const std::string& why) { return Error{where + ": tensor '" + name + "': " + why}; };
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
            return bad("needs dtype, shape and data_offsets");
        if (!entry["dtype"].is_string()) return bad("dtype is not a string");
        auto dtype = parse_dtype(entry["dtype"].get<std::string>(), name);
        if (!dtype) return wrap_error(where, dtype.error());
        SafetensorsTensor t;
        t.name = name;
        t.dtype = *dtype;
        t.file = where;
        if (!entry["shape"].is_array() || entry["shape"].size() > 4) return bad("shape must be a list of up to 4 sizes");
        uint64_t elements = 1;
        for (const auto& d : entry["shape"]) {
            if (!d.is_number_unsigned() || d.get<uint64_t>() > (1ull << 40)) return bad("shape holds a bad size");
            t.shape.push_back(d.get<int64_t>());
            elements *= d.get<uint64_t>();
            if (elements > (1ull << 40)) return bad("more elements than any real tensor");
        }
        const auto& off = entry["data_offsets"];
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            return bad("data_offsets must be two offsets");
        const uint64_t begin = off[0].get<uint64_t>(), end = off[1].get<uint64_t>();
        if (begin > end || end > data_size)
            return bad("data [" + std::to_string(begin) + ", " + std::to_string(end) + ") lies outside the " +
                       std::to_string(data_size) + " data bytes: the file is truncated or damaged");
        if (end - begin != elements * static_cast<uint64_t>(dtype_size(t.dtype)))
            return bad("holds " + std::to_string(end - begin) + " bytes; its shape and dtype need " +
                       std::to_string(elements * static_cast<uint64_t>(dtype_size(t.dtype))));
        t.bytes = std::span(file.data() + data_start + begin, end - begin);
        if (tensors_.count(name)) return bad("appears in two files");
        tensors_.emplace(name, std::move(t));
    }
    files_.push_back(std::move(*mapped));
    return {};
}

Result<std::unique_ptr<SafetensorsCheckpoint>> SafetensorsCheckpoint::open(const std::string& folder) {
    auto ckpt = std::unique_ptr<SafetensorsCheckpoint>(new SafetensorsCheckpoint());
    const fs::path dir(folder);
    const fs::path index = dir / "model.safetensors.index.json";
    if (fs::exists(index)) {
        auto text = read_text_file(index);
        if (!text) return text.error();
        json j;
        try {
            j = json::parse(*text);
        } catch (const json::exception& e) {
            return Error{index.string() + " is not valid JSON (" + std::string(e.what()) + ")"};
        }
        if (!j.contains("weight_map") || !j["weight_map"].is_object())
            return Error{index.string() + " has no weight_map"};
        std::set<std::string> shards;
        for (const auto& [tensor, shard] : j["weight_map"].items()) {
            if (!shard.is_string()) return Error{index.string() + ": the shard of '" + tensor + "' is not a file name"};
            shards.insert(shard.get<std::string>());
        }
        for (const auto& shard : shards) {
            if (shard.find('/') != std::string::npos || shard.find("..") != std::string::npos)
                return Error{index.string() + ": shard name '" + shard + "' must be a file in the folder"};
            if (!fs::exists(dir / shard))
                return Error{"shard " + shard + " (listed in model.safetensors.index.json) is missing from " + folder};
            TESSERA_TRY(ckpt->add_file((dir / shard).string()));
        }
        // Every tensor the index names must be in the shard it names.
        for (const auto& [tensor, shard] : j["weight_map"].items()) {
            const SafetensorsTensor* t = ckpt->find(tensor);
            if (!t) return Error{"tensor '" + tensor + "' is listed in the index but is not in " + shard.get<std::string>()};
            if (t->file != shard.get<std::string>())
                return Error{"tensor '" + tensor + "' is in " + t->file + ", but the index says " + shard.get<std::string>()};
        }
        return ckpt;
    }
    const fs::path single = dir / "model.safetensors";
    if (!fs::exists(single))
        return Error{folder + " has neither model.safetensors nor model.safetensors.index.json"};
    TESSERA_TRY(ckpt->add_file(single.string()));
    return ckpt;
}

const SafetensorsTensor* SafetensorsCheckpoint::find(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
}

uint64_t SafetensorsCheckpoint::total_bytes() const {
    uint64_t n = 0;
    for (const auto& [name, t] : tensors_) n += t.bytes.size();
    return n;
}

}  // namespace tessera

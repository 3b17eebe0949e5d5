#include "model/model_summary.h"

#include <array>
#include <map>
#include <utility>

#include "model/architecture.h"
#include "model/memory_estimate.h"
#include "model/model.h"

namespace tessera {
namespace {

// llama.cpp's llama_ftype names for the file types its quantizer writes.
constexpr std::array<std::pair<uint64_t, const char*>, 16> kFileTypes = {{
    {0, "F32"},    {1, "F16"},     {2, "Q4_0"},    {3, "Q4_1"},    {7, "Q8_0"},    {8, "Q5_0"},
    {9, "Q5_1"},   {10, "Q2_K"},   {11, "Q3_K_S"}, {12, "Q3_K_M"}, {14, "Q4_K_S"}, {15, "Q4_K_M"},
    {16, "Q5_K_S"}, {17, "Q5_K_M"}, {18, "Q6_K"},  {32, "BF16"},
}};

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    return out;
}

}  // namespace

std::string quantization_label(const GgufFile& file) {
    if (file.find("general.file_type"))
        if (auto id = file.get_u64("general.file_type"))
            for (const auto& [value, name] : kFileTypes)
                if (value == *id) return name;
    std::map<std::string, uint64_t> bytes;
    for (const auto& t : file.tensors()) bytes[std::string(tensor_type_info(t.type).name)] += t.n_bytes;
    std::string best;
    uint64_t most = 0;
    for (const auto& [name, n] : bytes)
        if (n > most) {
            most = n;
            best = name;
        }
    return upper(best);
}

Result<ModelSummary> read_model_summary(const std::string& path) {
    auto loaded = Model::load(path);
    if (!loaded) return loaded.error();
    const Model& model = **loaded;
    ModelSummary s;
    s.config = model.config();
    s.file_size = model.file().file_size();
    s.weight_bytes = tensor_bytes(model.file());
    s.parameter_count = model.parameter_count();
    s.quantization = quantization_label(model.file());
    return s;
}

Result<ModelSummary> summarize_header(const GgufFile& header) {
    auto config = read_model_config(header);
    if (!config) return wrap_error(header.path(), config.error());
    ModelSummary s;
    s.config = std::move(config.value());
    s.file_size = header.file_size();
    s.weight_bytes = tensor_bytes(header);
    for (const auto& t : header.tensors()) s.parameter_count += t.n_elements();
    s.quantization = quantization_label(header);
    if (header.find("split.count"))
        if (auto parts = header.get_u64("split.count"); parts && *parts > 1 && *parts <= 4096)
            s.split_count = static_cast<int>(*parts);
    if (const GgufTensorInfo* embd = header.tensor("token_embd.weight"); embd && embd->dims.size() == 2)
        s.config.n_vocab = embd->dims[1];
    else if (const GgufValue* tokens = header.find("tokenizer.ggml.tokens"))
        s.config.n_vocab = static_cast<int64_t>(tokens->array_size());
    if (s.config.n_vocab <= 0 || s.config.n_vocab > kMaxVocab)
        return Error{header.path() + ": vocabulary size " + std::to_string(s.config.n_vocab) + " is out of range"};
    return s;
}

}  // namespace tessera

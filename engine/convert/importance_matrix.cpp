#include "convert/importance_matrix.h"

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"

namespace tessera {
namespace {

constexpr std::string_view kSumsSuffix = ".in_sum2";
constexpr std::string_view kCountsSuffix = ".counts";

bool ends_with(std::string_view s, std::string_view suffix) {
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Little-endian reads that never step past the end.
class Reader {
public:
    explicit Reader(std::span<const uint8_t> bytes) : bytes_(bytes) {}
    size_t left() const { return bytes_.size() - pos_; }
    bool i32(int32_t& v) { return raw(&v, sizeof v); }
    bool raw(void* dst, size_t n) {
        if (n > left()) return false;
        std::memcpy(dst, bytes_.data() + pos_, n);
        pos_ += n;
        return true;
    }
    size_t pos() const { return pos_; }

private:
    std::span<const uint8_t> bytes_;
    size_t pos_ = 0;
};

Result<ImportanceMatrix> load_gguf_form(const std::string& path) {
    auto file = GgufFile::open(path);
    if (!file) return Error{path + ": " + file.error().message};
    const GgufFile& f = *file.value();
    ImportanceMatrix m;
    if (f.find("imatrix.datasets")) {
        auto datasets = f.get_string_array("imatrix.datasets");
        if (!datasets) return Error{path + ": " + datasets.error().message};
        m.datasets = std::move(datasets.value());
    }
    for (auto [key, field] : {std::pair{"imatrix.chunk_count", &m.chunk_count}, std::pair{"imatrix.chunk_size", &m.chunk_size}}) {
        if (!f.find(key)) continue;
        auto v = f.get_u64(key);
        if (!v) return Error{path + ": " + v.error().message};
        *field = static_cast<uint32_t>(std::min<uint64_t>(v.value(), UINT32_MAX));
    }

    for (const GgufTensorInfo& t : f.tensors()) {
        if (!ends_with(t.name, kSumsSuffix)) continue;
        const std::string name = t.name.substr(0, t.name.size() - kSumsSuffix.size());
        const GgufTensorInfo* counts = f.tensor(name + std::string(kCountsSuffix));
        if (!counts) return Error{path + ": " + t.name + " has no matching " + name + std::string(kCountsSuffix)};
        if (t.type != TensorType::F32 || counts->type != TensorType::F32)
            return Error{path + ": " + t.name + " and its counts must be f32"};
        if (t.n_rows() != 1 || counts->n_elements() != 1)
            return Error{path + ": " + t.name + " " + dims_text(t.dims) +
                         " holds several matrices (a mixture-of-experts entry); only dense matrices are supported"};
        ImportanceEntry e;
        float count = 0;
        std::memcpy(&count, counts->data, sizeof count);
        if (!std::isfinite(count) || count < 0) return Error{path + ": " + name + " has an invalid count"};
        e.count = count;
        e.sum_sq.resize(static_cast<size_t>(t.dims[0]));
        for (size_t j = 0; j < e.sum_sq.size(); ++j) {
            float v = 0;
            std::memcpy(&v, t.data + j * sizeof(float), sizeof v);
            if (!std::isfinite(v) || v < 0) return Error{path + ": " + t.name + " holds a negative or non-finite value"};
            e.sum_sq[j] = v;
        }
        m.entries.emplace(name, std::move(e));
    }
    if (m.entries.empty()) return Error{path + ": no importance entries (no *.in_sum2 tensors): not an importance matrix"};
    return m;
}

}  // namespace

Status ImportanceMatrix::accumulate(const std::string& name, const float* x, int64_t n_rows, int64_t cols) {
    ImportanceEntry& e = entries[name];
    if (e.sum_sq.empty()) e.sum_sq.assign(static_cast<size_t>(cols), 0.0);
    if (static_cast<int64_t>(e.sum_sq.size()) != cols)
        return Error{"importance for " + name + ": input width changed from " + std::to_string(e.sum_sq.size()) +
                     " to " + std::to_string(cols)};
    for (int64_t r = 0; r < n_rows; ++r) {
        const float* row = x + r * cols;
        for (int64_t j = 0; j < cols; ++j) e.sum_sq[static_cast<size_t>(j)] += static_cast<double>(row[j]) * row[j];
    }
    e.count += static_cast<double>(n_rows);
    return Status::success();
}

Result<std::optional<std::vector<float>>> ImportanceMatrix::weights_for(const std::string& name, int64_t cols) const {
    const auto it = entries.find(name);
    if (it == entries.end()) return std::optional<std::vector<float>>{};
    const ImportanceEntry& e = it->second;
    if (static_cast<int64_t>(e.sum_sq.size()) != cols)
        return Error{"the importance matrix has " + std::to_string(e.sum_sq.size()) + " columns for " + name +
                     ", the model " + std::to_string(cols) + ": it was made for another model"};
    std::vector<float> w(e.sum_sq.size(), 1.0f);  // never saw a token: every column alike
    if (e.count > 0)
        for (size_t j = 0; j < w.size(); ++j) w[j] = static_cast<float>(e.sum_sq[j] / e.count);
    return std::optional<std::vector<float>>(std::move(w));
}

Result<ImportanceMatrix> parse_legacy_importance_matrix(std::span<const uint8_t> bytes) {
    Reader in(bytes);
    int32_t n_entries = 0;
    if (!in.i32(n_entries) || n_entries < 1) return Error{"no importance entries (the file is empty or not an importance matrix)"};
    ImportanceMatrix m;
    for (int32_t i = 0; i < n_entries; ++i) {
        const std::string where = "entry " + std::to_string(i + 1) + " of " + std::to_string(n_entries);
        int32_t len = 0;
        if (!in.i32(len) || len < 1 || static_cast<size_t>(len) > in.left())
            return Error{where + ": the name length runs past the end of the file"};
        std::string name(static_cast<size_t>(len), '\0');
        in.raw(name.data(), name.size());
        int32_t ncall = 0, nval = 0;
        if (!in.i32(ncall) || !in.i32(nval)) return Error{where + " (" + name + "): truncated"};
        if (nval < 1 || static_cast<size_t>(nval) > in.left() / sizeof(float))
            return Error{where + " (" + name + "): " + std::to_string(nval) + " values do not fit in the file"};
        // Stored values are mean squares times the number of calls; dividing gives the means.
        ImportanceEntry e;
        e.sum_sq.resize(static_cast<size_t>(nval));
        for (auto& v : e.sum_sq) {
            float f = 0;
            in.raw(&f, sizeof f);
            if (!std::isfinite(f) || f < 0) return Error{where + " (" + name + "): a negative or non-finite value"};
            v = ncall > 0 ? f / static_cast<double>(ncall) : f;
        }
        e.count = 1;
        if (!m.entries.emplace(name, std::move(e)).second) return Error{where + ": " + name + " appears twice"};
    }
    // Optional trailer: the number of chunks, then the dataset's name.
    int32_t chunks = 0, dataset_len = 0;
    if (in.i32(chunks)) {
        m.chunk_count = chunks > 0 ? static_cast<uint32_t>(chunks) : 0;
        if (in.i32(dataset_len) && dataset_len > 0 && static_cast<size_t>(dataset_len) <= in.left()) {
            std::string dataset(static_cast<size_t>(dataset_len), '\0');
            in.raw(dataset.data(), dataset.size());
            m.datasets.push_back(std::move(dataset));
        }
    }
    return m;
}

Result<ImportanceMatrix> load_importance_matrix(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{"cannot read the importance matrix " + path};
    char magic[4] = {};
    in.read(magic, 4);
    if (in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0) return load_gguf_form(path);
    in.clear();
    in.seekg(0);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    auto m = parse_legacy_importance_matrix(bytes);
    if (!m) return Error{path + ": " + m.error().message};
    return m;
}

Status save_importance_matrix(const ImportanceMatrix& matrix, const std::string& path) {
    GgufWriter w;
    w.set_string("general.type", "imatrix");
    w.set_string_array("imatrix.datasets", matrix.datasets);
    w.set_u32("imatrix.chunk_count", matrix.chunk_count);
    w.set_u32("imatrix.chunk_size", matrix.chunk_size);
    for (const auto& [name, e] : matrix.entries) {
        std::vector<float> sums(e.sum_sq.begin(), e.sum_sq.end());
        w.add_tensor_f32(name + std::string(kSumsSuffix), {static_cast<int64_t>(sums.size()), 1}, sums);
        w.add_tensor_f32(name + std::string(kCountsSuffix), {1, 1}, {static_cast<float>(e.count)});
    }
    return w.write(path);
}

}  // namespace tessera

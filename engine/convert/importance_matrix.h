// An importance matrix: for every weight matrix of a model, the sum of squares of each input
// column over the tokens of a calibration text, and the number of tokens. Quantization then
// minimizes error weighted by the mean square (quantize_row_weighted), keeping the columns
// that carry large activations more precise.
//
// Files are llama.cpp's, so matrices from either tool work in both: the GGUF form
// (general.type "imatrix"; per matrix "<name>.in_sum2" [cols, 1] and "<name>.counts" [1, 1]
// in f32; imatrix.datasets, imatrix.chunk_count, imatrix.chunk_size) is written and read; the
// older binary ".dat" form, which importance matrices shared on Hugging Face often still use,
// is read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"

namespace tessera {

struct ImportanceEntry {
    std::vector<double> sum_sq;  // per input column
    double count = 0;            // input rows (tokens) accumulated
};

struct ImportanceMatrix {
    std::map<std::string, ImportanceEntry> entries;  // by weight tensor name, e.g. blk.0.attn_q.weight
    std::vector<std::string> datasets;
    uint32_t chunk_count = 0;
    uint32_t chunk_size = 0;

    // Adds n_rows input rows of `cols` floats seen by the matrix `name`. Errors when the
    // matrix was seen before with another width.
    Status accumulate(const std::string& name, const float* x, int64_t n_rows, int64_t cols);

    // The per-column weights for quantizing `name` (mean squares; all ones when the matrix
    // never saw a token), or nothing when the matrix has no entry. Errors when the entry's
    // width is not `cols`: the file belongs to another model.
    Result<std::optional<std::vector<float>>> weights_for(const std::string& name, int64_t cols) const;
};

// Either format, told apart by the GGUF magic. Errors name the file and what is wrong.
Result<ImportanceMatrix> load_importance_matrix(const std::string& path);
// The legacy binary form from bytes in memory (the fuzzer and tests).
Result<ImportanceMatrix> parse_legacy_importance_matrix(std::span<const uint8_t> bytes);
// Writes the GGUF form (atomically, as every GGUF we write).
Status save_importance_matrix(const ImportanceMatrix& matrix, const std::string& path);

}  // namespace tessera

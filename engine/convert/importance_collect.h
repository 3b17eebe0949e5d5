// Gathers an importance matrix by running the model (on the CPU) over a calibration text,
// as llama.cpp's imatrix tool does: the text is tokenized once and cut into chunks of
// `chunk_size` tokens, each starting with BOS; every matrix product's input rows are
// accumulated per column. The run's perplexity (over the second half of each chunk, where
// the model has context) is reported so a user can see the text suits the model.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "convert/importance_matrix.h"
#include "core/result.h"

namespace tessera {

struct ImportanceOptions {
    int64_t chunk_size = 512;
    int64_t max_chunks = 0;   // 0: every chunk of the text
    int n_threads = 0;        // 0: one per hardware thread
    std::string dataset;      // recorded in the file (e.g. the calibration file's name)
    std::function<void(int64_t chunks_done, int64_t chunks_total)> progress;
};

struct ImportanceRun {
    ImportanceMatrix matrix;
    int64_t tokens = 0;        // evaluated
    double perplexity = 0;     // over the scored halves of the chunks
};

Result<ImportanceRun> collect_importance(const std::string& model_path, std::string_view text,
                                         const ImportanceOptions& options);

}  // namespace tessera

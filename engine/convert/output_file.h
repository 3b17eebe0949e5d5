// The last step of conversion and quantization: write the GGUF under a temporary name and
// rename it over out_path only when every tensor was produced, so a failure never replaces
// or truncates an existing file. `fill_failure` is what the tensor fills reported (they
// run inside the write).
#pragma once

#include <atomic>
#include <string>

#include "core/result.h"
#include "gguf/gguf_writer.h"

namespace tessera {

Status write_gguf_output(const GgufWriter& writer, const std::string& out_path, const Status& fill_failure);

// The writer's stop check for a conversion: stops at the first failed tensor, or when
// `cancel` is set.
GgufWriter::StopCheck stop_on_failure_or_cancel(const Status& fill_failure, const std::atomic<bool>* cancel);

}  // namespace tessera

// The last step of conversion and quantization: write the GGUF under a temporary name and
// rename it over out_path only when every tensor was produced, so a failure never replaces
// or truncates an existing file. `fill_failure` is what the tensor fills reported (they
// run inside the write).
#pragma once

#include <string>

#include "core/result.h"
#include "gguf/gguf_writer.h"

namespace tessera {

Status write_gguf_output(const GgufWriter& writer, const std::string& out_path, const Status& fill_failure);

}  // namespace tessera

// Reads a mapped model's tensor data into memory at load, so the first reply does not wait on
// the disk page by page, and so a load can show how far it is (bytes read of the total).
#pragma once

#include <cstdint>

#include "core/progress.h"
#include "model/model.h"

namespace tessera {

// Every tensor's bytes in the file, the total read_weights reports against.
uint64_t tensor_bytes(const Model& model);

// Touches every page of every tensor, in file order, reporting after each step of at most
// a few MiB (and once at the end, done == total).
void read_weights(const Model& model, const ProgressCallback& progress);

}  // namespace tessera

// Which backend evaluates a model: "cpu", "vulkan" (the default Vulkan device, see
// vulkan/device_choice.h) or "vulkan:N" / "vulkan:NAME" (an index or a piece of the
// device name). One place that parses the choice and builds the Evaluator, so the CLI,
// the benchmark and the app accept the same spellings and give the same errors.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "backend/evaluator.h"
#include "core/progress.h"
#include "core/result.h"
#include "model/model.h"

namespace tessera {

enum class BackendKind { Cpu, Vulkan };

struct BackendSpec {
    BackendKind kind = BackendKind::Cpu;
    std::string device;  // Vulkan only: index or name piece; empty for the default device
    // Vulkan only: layers on the GPU, the rest on the CPU (model/offload_plan.h says which);
    // -1: as many as the device's memory holds.
    int64_t gpu_layers = -1;
};

// "cpu", "vulkan", "vulkan:1", "vulkan:llvmpipe" (case-insensitive kind).
Result<BackendSpec> parse_backend(std::string_view text);
// "auto" (-1) or a count of layers from 0 ("999" is every layer).
Result<int64_t> parse_gpu_layers(std::string_view text);

struct BackendOptions {
    int64_t n_ctx = 4096;
    int n_threads = 0;      // CPU: 0 is one per hardware thread
    int64_t n_batch = 0;    // 0: the backend's default
    // Called as the weights are read in (CPU: every page of the mapping, so the first reply
    // does not wait on the disk) or uploaded (Vulkan): bytes done out of the tensors' total.
    // Empty: the CPU backend leaves the mapping to be read on first use.
    ProgressCallback load_progress;
};

struct Backend {
    // Declared first so it is destroyed last: the Vulkan device outlives the evaluator.
    std::shared_ptr<void> owner;
    std::unique_ptr<Evaluator> evaluator;
    std::string description;  // "CPU, 2 threads, avx2 kernels" / "Vulkan: llvmpipe (...)"
};

// Errors are one line a person can act on: no Vulkan device (or a build without Vulkan),
// a device choice that matches nothing (listing the devices), a model that does not fit.
Result<Backend> create_backend(const Model& model, const BackendSpec& spec, const BackendOptions& options);

}  // namespace tessera

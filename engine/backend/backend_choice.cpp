#include "backend/backend_choice.h"

#include <algorithm>
#include <cctype>

#include "backend/cpu/forward.h"
#include "model/read_weights.h"

#if defined(TESSERA_VULKAN)
#include "backend/vulkan/context.h"
#include "backend/vulkan/forward.h"
#endif

namespace tessera {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Result<Backend> create_cpu(const Model& model, const BackendOptions& options) {
    cpu::ForwardOptions o;
    o.n_ctx = options.n_ctx;
    o.n_threads = options.n_threads;
    if (options.n_batch > 0) o.n_batch = options.n_batch;
    auto forward = cpu::CpuForward::create(model, o);
    if (!forward) return forward.error();
    if (options.load_progress) read_weights(model, options.load_progress);
    Backend b;
    const int threads = (*forward)->n_threads();
    b.description = "CPU, " + std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") + cpu::isa_name((*forward)->isa()) + " kernels";
    b.evaluator = std::move(forward.value());
    return b;
}

#if defined(TESSERA_VULKAN)
Result<Backend> create_vulkan(const Model& model, const BackendSpec& spec, const BackendOptions& options) {
    if (auto why = vulkan::vulkan_unavailable()) return Error{"--device vulkan: " + *why + "; use --device cpu"};
    auto context = vulkan::Context::create({.device = spec.device});
    if (!context) return wrap_error("--device vulkan", context.error());
    vulkan::ForwardOptions o;
    o.n_ctx = options.n_ctx;
    if (options.n_batch > 0) o.n_batch = options.n_batch;
    o.upload_progress = options.load_progress;
    if (spec.gpu_layers >= 0) o.gpu_layers = spec.gpu_layers;
    o.cpu_threads = options.n_threads;
    auto forward = vulkan::VulkanForward::create(model, **context, o);
    if (!forward) return wrap_error("--device vulkan", forward.error());
    Backend b;
    const vulkan::DeviceInfo& info = (*context)->device().info();
    const OffloadPlan& plan = (*forward)->plan();
    const int64_t runs = (*forward)->cpu_runs();
    const std::string split = plan.whole() ? "" : "; " + std::to_string(plan.gpu_layers) + " of " + std::to_string(plan.counted_layers) +
                                                      " layers on the GPU, the rest on the CPU (" + std::to_string(runs) +
                                                      (runs == 1 ? " run" : " runs") + " of CPU layers)";
    b.description = "Vulkan: " + info.name + "; " + (*context)->choice().reason + "; " +
                    vulkan::format_bytes((*forward)->device_bytes()) + " on the device" + split;
    b.evaluator = std::move(forward.value());
    b.owner = std::shared_ptr<vulkan::Context>(std::move(context.value()));
    return b;
}
#endif

}  // namespace

Result<BackendSpec> parse_backend(std::string_view text) {
    const std::string t = lower(text);
    if (t == "cpu") return BackendSpec{BackendKind::Cpu, {}};
    if (t == "vulkan") return BackendSpec{BackendKind::Vulkan, {}};
    if (t.starts_with("vulkan:") && t.size() > 7) return BackendSpec{BackendKind::Vulkan, std::string(text.substr(7))};
    return Error{"unknown device '" + std::string(text) + "': use cpu, vulkan, or vulkan:N (an index or part of the name "
                 "from 'tessera-cli devices')"};
}

Result<int64_t> parse_gpu_layers(std::string_view text) {
    if (lower(text) == "auto") return int64_t{-1};
    int64_t n = 0;
    bool digits = !text.empty() && text.size() <= 9;
    for (char c : text) {
        if (c < '0' || c > '9') digits = false;
        else n = n * 10 + (c - '0');
    }
    if (!digits) return Error{"GPU layers '" + std::string(text) + "': use auto or a count of layers (0 for none, 999 for all)"};
    return n;
}

Result<Backend> create_backend(const Model& model, const BackendSpec& spec, const BackendOptions& options) {
    if (spec.kind == BackendKind::Cpu) return create_cpu(model, options);
#if defined(TESSERA_VULKAN)
    return create_vulkan(model, spec, options);
#else
    return Error{"this build has no Vulkan backend (configured with TESSERA_VULKAN=OFF); use --device cpu"};
#endif
}

}  // namespace tessera

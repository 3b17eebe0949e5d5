// tessera-bench: prefill and decode speed, load time and peak memory of one model on the CPU
// or a Vulkan device.
//   tessera-bench -m MODEL [-p 128,512] [-n 32,128] [-r REPEATS] [-t THREADS] [--device D] [--gpu-layers N] [--json]
// Prefill tests (pp) evaluate n_prompt tokens as one batch from an empty context; decode tests
// (tg) generate n_gen tokens one at a time from an empty context, like llama-bench. Each test
// runs once to warm up, then REPEATS times; the table shows the median, and --json prints
// llama-bench's field names (avg_ts, stddev_ts, n_prompt, n_gen) so results compare directly.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend/backend_choice.h"
#include "backend/cpu/forward.h"
#include "memory_bandwidth.h"

namespace {

using namespace tessera;
using clock_type = std::chrono::steady_clock;

struct Options {
    std::string model;
    std::vector<int64_t> prompts{128, 512};
    std::vector<int64_t> gens{32, 128};
    int repeats = 5;
    int threads = 0;
    std::string device = "cpu";
    std::string gpu_layers = "auto";
    bool json = false;
};

struct TestResult {
    int64_t n_prompt = 0, n_gen = 0;
    std::vector<double> samples_ts;  // tokens per second of each repeat
};

double peak_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) * 1024.0;
}

bool parse_list(const char* text, std::vector<int64_t>& out) {
    out.clear();
    std::string s(text);
    size_t start = 0;
    while (start <= s.size()) {
        size_t comma = s.find(',', start);
        if (comma == std::string::npos) comma = s.size();
        char* end = nullptr;
        const long long v = std::strtoll(s.c_str() + start, &end, 10);
        if (end != s.c_str() + comma || v < 0) return false;
        if (v > 0) out.push_back(v);
        start = comma + 1;
    }
    return true;
}

int usage_error(const char* message) {
    std::fprintf(stderr, "error: %s\nusage: tessera-bench -m MODEL [-p 128,512] [-n 32,128] [-r REPEATS] [-t THREADS] [--device cpu|vulkan[:N]] [--gpu-layers auto|N] [--json]\n", message);
    return 2;
}

// Weight bytes one decode step reads: every matrix the block plan uses, and the output
// matrix; no-op blocks read nothing. The embedding contributes one row.
double decode_weight_bytes(const Model& model) {
    double bytes = static_cast<double>(model.output().row_bytes) * static_cast<double>(model.output().rows);
    bytes += static_cast<double>(model.token_embd().row_bytes);
    for (const LayerWeights& w : model.layers())
        for (const Matrix* m : {&w.attn_q, &w.attn_k, &w.attn_v, &w.attn_output, &w.ffn_gate, &w.ffn_up, &w.ffn_down, &w.ffn_linear})
            if (m->present()) bytes += static_cast<double>(m->row_bytes) * static_cast<double>(m->rows);
    return bytes;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double mean(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size()); }

double stddev(const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    const double m = mean(v);
    double s = 0.0;
    for (double x : v) s += (x - m) * (x - m);
    return std::sqrt(s / static_cast<double>(v.size() - 1));
}

// Runs one timed pass; returns tokens per second.
Result<double> run_once(Evaluator& forward, const std::vector<int32_t>& tokens, int64_t n_prompt, int64_t n_gen,
                        std::vector<float>& logits) {
    forward.truncate(0);
    const int64_t last = 0;
    const auto t0 = clock_type::now();
    if (n_prompt > 0) {
        const int64_t row = n_prompt - 1;
        TESSERA_TRY(forward.eval(std::span(tokens.data(), static_cast<size_t>(n_prompt)), std::span(&row, 1), logits.data()));
    }
    for (int64_t i = 0; i < n_gen; ++i)
        TESSERA_TRY(forward.eval(std::span(tokens.data() + i, 1), std::span(&last, 1), logits.data()));
    const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    return static_cast<double>(n_prompt + n_gen) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if ((a == "-m" || a == "--model") && has_value) opt.model = argv[++i];
        else if ((a == "-p" || a == "--n-prompt") && has_value) { if (!parse_list(argv[++i], opt.prompts)) return usage_error("-p takes a list like 128,512"); }
        else if ((a == "-n" || a == "--n-gen") && has_value) { if (!parse_list(argv[++i], opt.gens)) return usage_error("-n takes a list like 32,128"); }
        else if ((a == "-r" || a == "--repetitions") && has_value) opt.repeats = std::max(1, std::atoi(argv[++i]));
        else if ((a == "-t" || a == "--threads") && has_value) opt.threads = std::max(0, std::atoi(argv[++i]));
        else if (a == "--device" && has_value) opt.device = argv[++i];
        else if ((a == "--gpu-layers" || a == "-ngl") && has_value) opt.gpu_layers = argv[++i];
        else if (a == "--json" || (a == "-o" && has_value && std::strcmp(argv[++i], "json") == 0)) opt.json = true;
        else return usage_error(("unknown or incomplete option '" + a + "'").c_str());
    }
    if (opt.model.empty()) return usage_error("-m MODEL is required");

    const auto load_start = clock_type::now();
    auto model = Model::load(opt.model);
    if (!model) {
        std::fprintf(stderr, "error: %s\n", model.error().message.c_str());
        return 1;
    }
    const ModelConfig& c = (*model)->config();
    int64_t max_ctx = 1;
    for (int64_t p : opt.prompts) max_ctx = std::max(max_ctx, p);
    for (int64_t g : opt.gens) max_ctx = std::max(max_ctx, g);
    auto spec = parse_backend(opt.device);
    if (!spec) return usage_error(spec.error().message.c_str());
    auto gpu_layers = parse_gpu_layers(opt.gpu_layers);
    if (!gpu_layers) return usage_error(gpu_layers.error().message.c_str());
    spec->gpu_layers = *gpu_layers;
    BackendOptions bopt;
    bopt.n_ctx = max_ctx;
    bopt.n_threads = opt.threads;
    auto backend = create_backend(**model, *spec, bopt);
    if (!backend) {
        std::fprintf(stderr, "error: %s\n", backend.error().message.c_str());
        return 1;
    }
    Evaluator& forward = *backend->evaluator;
    // CPU details (threads, kernels, exact KV bytes) when the CPU runs the model.
    const auto* cpu_forward = dynamic_cast<const cpu::CpuForward*>(&forward);
    const int n_threads = cpu_forward ? cpu_forward->n_threads() : static_cast<int>(std::thread::hardware_concurrency());
    const double load_ms = std::chrono::duration<double, std::milli>(clock_type::now() - load_start).count();

    std::mt19937 rng(42);
    std::vector<int32_t> tokens(static_cast<size_t>(max_ctx));
    for (auto& t : tokens) t = static_cast<int32_t>(rng() % static_cast<uint32_t>(c.n_vocab));
    std::vector<float> logits(static_cast<size_t>(c.n_vocab));

    std::vector<TestResult> results;
    for (int64_t p : opt.prompts) results.push_back({p, 0, {}});
    for (int64_t g : opt.gens) results.push_back({0, g, {}});
    for (auto& r : results) {
        for (int rep = 0; rep <= opt.repeats; ++rep) {  // pass 0 warms up (page faults, caches)
            auto ts = run_once(forward, tokens, r.n_prompt, r.n_gen, logits);
            if (!ts) {
                std::fprintf(stderr, "error: %s\n", ts.error().message.c_str());
                return 1;
            }
            if (rep > 0) r.samples_ts.push_back(*ts);
        }
    }

    const double file_bytes = static_cast<double>((*model)->file().file_size());
    const double kv_bytes = cpu_forward ? static_cast<double>(cpu_forward->kv_cache_bytes())
                                        : static_cast<double>(c.kv_bytes_per_token()) * static_cast<double>(max_ctx);
    const double rss = peak_rss_bytes();  // before the bandwidth probe allocates its buffer
    const double bandwidth = bench::measure_read_bandwidth(n_threads);
    const double weight_bytes = decode_weight_bytes(**model);
    // A decode test of n tokens from an empty context also reads on average n/2 positions of KV.
    auto decode_bytes = [&](int64_t n_gen) {
        return weight_bytes + static_cast<double>(c.kv_bytes_per_token()) * static_cast<double>(n_gen) / 2.0;
    };
    if (opt.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : results) {
            const double avg = mean(r.samples_ts);
            out.push_back({{"model_filename", opt.model},
                           {"model_type", (*model)->tensor_type_summary()},
                           {"model_size", static_cast<uint64_t>(file_bytes)},
                           {"model_n_params", (*model)->parameter_count()},
                           {"backend", cpu_forward ? "CPU" : "Vulkan"},
                           {"device", backend->description},
                           {"cpu_isa", cpu_forward ? cpu::isa_name(cpu_forward->isa()) : ""},
                           {"n_threads", cpu_forward ? n_threads : 0},
                           {"n_prompt", r.n_prompt},
                           {"n_gen", r.n_gen},
                           {"repetitions", opt.repeats},
                           {"avg_ts", avg},
                           {"stddev_ts", stddev(r.samples_ts)},
                           {"median_ts", median(r.samples_ts)},
                           {"avg_ns", 1e9 * static_cast<double>(r.n_prompt + r.n_gen) / avg},
                           {"samples_ts", r.samples_ts},
                           {"load_ms", load_ms},
                           {"kv_cache_bytes", static_cast<uint64_t>(kv_bytes)},
                           {"peak_rss_bytes", static_cast<uint64_t>(rss)},
                           {"read_bandwidth_bytes_per_s", bandwidth},
                           {"decode_bytes_per_token", r.n_gen > 0 ? decode_bytes(r.n_gen) : 0.0},
                           {"bandwidth_fraction", r.n_gen > 0 ? decode_bytes(r.n_gen) * median(r.samples_ts) / bandwidth : 0.0}});
        }
        std::printf("%s\n", out.dump(2).c_str());
        return 0;
    }
    std::printf("model: %s (%.1f MiB, %s)\n", opt.model.c_str(), file_bytes / 1048576.0, (*model)->tensor_type_summary().c_str());
    std::printf("backend: %s, repeats: %d\n\n", backend->description.c_str(), opt.repeats);
    std::printf("| test   |   tokens/s (median) |   mean +- stddev     | decode GB/s | of bandwidth |\n"
                "|--------|---------------------|----------------------|-------------|--------------|\n");
    for (const auto& r : results) {
        const std::string name = r.n_prompt > 0 ? "pp" + std::to_string(r.n_prompt) : "tg" + std::to_string(r.n_gen);
        const double ts = median(r.samples_ts);
        if (r.n_gen > 0)
            std::printf("| %-6s | %19.2f | %9.2f +- %-8.2f | %11.1f | %11.0f%% |\n", name.c_str(), ts, mean(r.samples_ts),
                        stddev(r.samples_ts), decode_bytes(r.n_gen) * ts / 1e9, 100.0 * decode_bytes(r.n_gen) * ts / bandwidth);
        else
            std::printf("| %-6s | %19.2f | %9.2f +- %-8.2f |             |              |\n", name.c_str(), ts, mean(r.samples_ts),
                        stddev(r.samples_ts));
    }
    std::printf("\nhost memory read bandwidth (%d threads, this run): %.1f GB/s; decode reads %.1f MiB of weights per token,\n"
                "so the decode limit now is %.1f tokens/s\n",
                n_threads, bandwidth / 1e9, weight_bytes / 1048576.0, bandwidth / weight_bytes);
    std::printf("\nload: %.1f ms\npeak RSS: %.1f MiB (file %.1f MiB + KV cache %.1f MiB = %.1f MiB; +10%% allowance %.1f MiB)\n", load_ms,
                rss / 1048576.0, file_bytes / 1048576.0, kv_bytes / 1048576.0, (file_bytes + kv_bytes) / 1048576.0,
                1.1 * (file_bytes + kv_bytes) / 1048576.0);
    return 0;
}

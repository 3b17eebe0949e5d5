// Conversion and quantization throughput on a Hugging Face checkpoint, in GB/s of source
// bytes (make a big one with: tessera-synth ../shared/bench/nas-bench-1b.json DIR
// --hf-tokenizer-from ../shared/fixtures/hf/decilm-tiny).
//
//   tessera-convert-bench HF_FOLDER WORK_FOLDER [--threads N]
// Converts to bf16 and q8_0, then quantizes the bf16 GGUF to q4_k_m; prints seconds and
// GB/s for each. Output files are written to WORK_FOLDER and removed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>
#include <string>

#include "convert/convert.h"
#include "convert/quantize_model.h"

using namespace tessera;
namespace fs = std::filesystem;

namespace {

double seconds_of(const std::function<Status()>& work, Status& status) {
    const auto t0 = std::chrono::steady_clock::now();
    status = work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: tessera-convert-bench HF_FOLDER WORK_FOLDER [--threads N]\n");
        return 2;
    }
    const std::string hf = argv[1], work = argv[2];
    int threads = 0;
    for (int i = 3; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], "--threads") == 0) threads = std::atoi(argv[i + 1]);
    fs::create_directories(work);
    uint64_t source_bytes = 0;
    for (const auto& e : fs::directory_iterator(hf))
        if (e.path().extension() == ".safetensors") source_bytes += e.file_size();
    std::printf("checkpoint %s: %.2f GB of safetensors, %d threads\n", hf.c_str(), source_bytes / 1e9,
                threads > 0 ? threads : static_cast<int>(std::thread::hardware_concurrency()));
    std::printf("%-28s %10s %10s %12s\n", "step", "seconds", "GB/s in", "output GB");

    auto report = [&](const char* step, double s, uint64_t in_bytes, const std::string& out) {
        std::printf("%-28s %10.2f %10.3f %12.2f\n", step, s, in_bytes / 1e9 / s, fs::file_size(out) / 1e9);
        std::fflush(stdout);
    };
    Status status;
    const std::string bf16 = work + "/bench-bf16.gguf", q8 = work + "/bench-q8_0.gguf", q4 = work + "/bench-q4_k_m.gguf";
    ConvertOptions convert;
    convert.n_threads = threads;
    convert.type = TensorType::BF16;
    double s = seconds_of([&] { return convert_hf_checkpoint(hf, bf16, convert); }, status);
    if (!status) return std::fprintf(stderr, "error: %s\n", status.error().message.c_str()), 1;
    report("convert -> bf16", s, source_bytes, bf16);

    convert.type = TensorType::Q8_0;
    s = seconds_of([&] { return convert_hf_checkpoint(hf, q8, convert); }, status);
    if (!status) return std::fprintf(stderr, "error: %s\n", status.error().message.c_str()), 1;
    report("convert -> q8_0", s, source_bytes, q8);

    QuantizeOptions quantize;
    quantize.n_threads = threads;
    quantize.type = TensorType::Q4_K;
    quantize.mix = "q4_k_m";
    const uint64_t bf16_bytes = fs::file_size(bf16);
    s = seconds_of([&] { return quantize_model(bf16, q4, quantize); }, status);
    if (!status) return std::fprintf(stderr, "error: %s\n", status.error().message.c_str()), 1;
    report("quantize bf16 -> q4_k_m", s, bf16_bytes, q4);

    for (const auto& f : {bf16, q8, q4}) fs::remove(f);
    return 0;
}

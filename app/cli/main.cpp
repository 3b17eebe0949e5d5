// tessera-cli: the headless front end of the engine.
#include <cstdio>
#include <cstring>
#include <string>

#include "commands.h"
#include "generation_args.h"

namespace {

void usage(FILE* out) {
    std::fputs(
        "usage: tessera-cli COMMAND [OPTIONS]\n"
        "\n"
        "commands:\n"
        "  run  -m MODEL -p PROMPT [-n N] [-t THREADS] [-c CTX] [--device D [--gpu-layers N]] [sampling]\n"
        "       generate text from PROMPT, streamed as it is produced\n"
        "  chat -m MODEL [--system TEXT] [--reasoning on|off] [--context-policy refuse|drop]\n"
        "       [-n N] [-t THREADS] [-c CTX] [--device D [--gpu-layers N]] [sampling]\n"
        "       an interactive chat in the model's template; a line is a message\n"
        "  info MODEL\n"
        "       architecture, parameters, tensor types, the layer map and KV-cache size\n"
        "  eval -m MODEL --tokens 1,2,3 --logits OUT.f32 [--greedy N] [-t THREADS] [--device D [--gpu-layers N]]\n"
        "       logits of every position (n_tokens x n_vocab float32), then N greedy ids\n"
        "  template (-m MODEL | --template FILE) --messages FILE.json [--add-generation-prompt]\n"
        "           [--bos TEXT] [--eos TEXT]\n"
        "       the prompt a chat template renders, written to stdout byte for byte\n"
        "  tokenize -m MODEL [--special] [--no-bos] TEXT\n"
        "       token ids of TEXT, comma-separated ('-' reads standard input)\n"
        "  convert HF_FOLDER -o OUT.gguf [--type f32|f16|bf16|q8_0|q4_k_m|...] [-t THREADS]\n"
        "       a Hugging Face checkpoint (DeciLM / Nemotron-NAS, Llama) to GGUF\n"
        "  quantize IN.gguf OUT.gguf TYPE [--policy FILE.json] [--imatrix FILE] [-t THREADS]\n"
        "       other tensor types: q8_0, q4_0, ..., q6_k, or the mixes q3_k_m, q4_k_m, q5_k_m;\n"
        "       --imatrix weights the quantization by an importance matrix (ours or llama.cpp's)\n"
        "  imatrix -m MODEL -f CALIBRATION.txt -o OUT.gguf [--chunk N] [--chunks N] [-t THREADS]\n"
        "       an importance matrix: the model's inputs to every matrix over a calibration text\n"
        "  serve -m MODEL [--host ADDR] [--port N] [--token TOKEN] [--allow-origin ORIGIN]...\n"
        "        [-c CTX] [-t THREADS] [--device D [--gpu-layers N]]\n"
        "       an OpenAI-compatible HTTP API (/v1/models, /v1/chat/completions, /v1/completions)\n"
        "       on 127.0.0.1:8080 by default; --port 0 picks a free port; a token is generated\n"
        "       and printed when none is given\n"
        "  devices\n"
        "       the Vulkan devices with their memory, and which one is the default and why\n",
        out);
    std::fputs(tessera::cli::kGenerationOptionsHelp, out);
    std::fputs(tessera::cli::kDeviceOptionHelp, out);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string command = argv[1];
    tessera::cli::Args args(argc, argv, 2);
    if (command == "run") return tessera::cli::run_command(args);
    if (command == "chat") return tessera::cli::chat_command(args);
    if (command == "convert") return tessera::cli::convert_command(args);
    if (command == "quantize") return tessera::cli::quantize_command(args);
    if (command == "imatrix") return tessera::cli::imatrix_command(args);
    if (command == "info") return tessera::cli::info_command(args);
    if (command == "eval") return tessera::cli::eval_command(args);
    if (command == "template") return tessera::cli::template_command(args);
    if (command == "tokenize") return tessera::cli::tokenize_command(args);
    if (command == "serve") return tessera::cli::serve_command(args);
    if (command == "devices") return tessera::cli::devices_command(args);
    std::fprintf(stderr, "error: unknown command '%s' (try tessera-cli --help)\n", command.c_str());
    return 2;
}

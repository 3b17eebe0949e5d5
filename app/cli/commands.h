// tessera-cli subcommands. Each returns the process exit code and prints its own errors.
#pragma once

#include "cli_args.h"

namespace tessera::cli {

int run_command(Args& args);   // run -m MODEL -p PROMPT [-n N] [--temp T] [--seed S] [-t THREADS]
int info_command(Args& args);  // info MODEL
int eval_command(Args& args);  // eval -m MODEL --tokens 1,2,3 --logits OUT.f32 [--greedy N]
// template (-m MODEL | --template FILE) --messages FILE.json [--add-generation-prompt] [--bos T] [--eos T]
int template_command(Args& args);
// tokenize -m MODEL [--special] [--no-bos] TEXT   (TEXT "-" reads standard input)
int tokenize_command(Args& args);
int devices_command(Args& args);  // devices: Vulkan devices, their memory, the default and why

// chat -m MODEL [--system TEXT] [--reasoning on|off] [--context-policy refuse|drop] [sampling]
int chat_command(Args& args);

// convert HF_FOLDER -o OUT.gguf [--type f32|f16|bf16|q8_0|q4_k_m|...] [-t THREADS]
int convert_command(Args& args);

// quantize IN.gguf OUT.gguf TYPE [--policy FILE.json] [--imatrix FILE] [-t THREADS]
int quantize_command(Args& args);

// imatrix -m MODEL -f CALIBRATION.txt -o OUT.gguf [--chunk N] [--chunks N] [-t THREADS]
int imatrix_command(Args& args);

// serve -m MODEL [--host ADDR] [--port N] [--token TOKEN] [--allow-origin ORIGIN]... [-c CTX] [-t THREADS]
int serve_command(Args& args);

// Prints "error: <message>" as one line on stderr and returns 1.
int fail(const Error& error);

}  // namespace tessera::cli

// llama.cpp's per-tensor type choices: the K-quant mixes (q3_k_m, q4_k_m, q5_k_m), the
// fallback for rows that do not fill a block, general.file_type, and type names. Used by
// conversion, quantization and the synthetic model generator alike.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera {

// The type llama.cpp's quantize would give `tensor_name` under `mix` ("q4_k_m", ...), before
// the fallback for rows that are not a multiple of the block size. i_* / n_* count the
// attn_v / ffn_down tensors in file order, as llama.cpp does.
struct MixCounters {
    int n_attn_v = 0, n_ffn_down = 0;
    int i_attn_v = 0, i_ffn_down = 0;
    int n_gqa = 0;  // query heads per KV head of the first layer (llama.cpp's n_gqa()); q2_k uses it
};
Result<TensorType> mix_default_type(const std::string& mix);
TensorType mix_tensor_type(const std::string& mix, const std::string& tensor_name, int64_t row_length,
                           bool tied_output, MixCounters& counters);
// llama.cpp's Q2_K file type is itself a mix (attn_v, attn_output, ffn_down get more bits):
// "q2_k" for a plain Q2_K request, `mix` otherwise.
std::string effective_mix(TensorType type, const std::string& mix);
// The type a weight matrix gets when a model is converted or quantized to `type` / `mix`:
// the mix's choice (q2_k included), else `type` with llama.cpp's rule that output.weight
// stays at 6 bits for any smaller type, then the fallback for rows that do not fill a block.
TensorType tensor_type_for(const std::string& tensor_name, int64_t row_length, TensorType type,
                           const std::string& mix, bool tied_output, MixCounters& counters);
// llama.cpp's fallback when the row length is not a multiple of the type's block size.
TensorType fallback_type(TensorType type, int64_t row_length);
// llama.cpp's general.file_type for a type or mix.
uint32_t file_type_id(TensorType type, const std::string& mix);

// "q4_k_m" -> mix, "q8_0" -> type; an error lists the accepted names.
Status parse_type_name(const std::string& text, TensorType& type, std::string& mix);

}  // namespace tessera

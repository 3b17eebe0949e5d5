// Row-level conversion between f32 and the GGML tensor types.
//
// dequantize_row reproduces llama.cpp's dequantize_row_* (same arithmetic, same element
// order). quantize_row reproduces llama.cpp's *_ref quantizers, which is what llama.cpp's
// quantize tool runs when no importance matrix is given, so a file we write matches one
// llama.cpp writes byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/result.h"
#include "quant/tensor_type.h"

namespace tessera {

// Dequantizes n elements (a multiple of the type's block size) from src into dst.
// Supports every TensorType. The caller guarantees n's divisibility and the buffer sizes;
// the row shape has already been validated by the GGUF reader.
void dequantize_row(TensorType type, const void* src, float* dst, int64_t n);

// True for the types quantize_row can write.
bool can_quantize(TensorType type);

// Quantizes n floats into quantized_size(type, n) bytes at dst. Errors (naming the type)
// when the type cannot be written or n is not a positive multiple of its block size.
Status quantize_row(TensorType type, const float* src, void* dst, int64_t n);

// Importance-weighted quantization, as llama.cpp's quantizer does with an importance matrix:
// src is one row of n values and importance its n per-column weights (mean squared
// activations). The fits minimize importance-weighted error, so the columns that matter on
// real inputs are kept more precisely. Types without a weighted form (float types, Q8_*) and
// a null importance fall back to quantize_row.
Status quantize_row_weighted(TensorType type, const float* src, void* dst, int64_t n, const float* importance);
bool has_weighted_quantizer(TensorType type);

// Bytes of one row of n elements of `type` (n a multiple of the block size).
size_t quantized_size(TensorType type, int64_t n);

}  // namespace tessera

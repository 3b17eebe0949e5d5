// The k-quant ("super-block" of 256) quantizers, after llama.cpp's quantize_row_q*_K_ref and,
// given per-column importance qw (n values, one row), quantize_row_q*_K_impl (internal to
// engine/quant; the public entries are quantize_row / quantize_row_weighted in quantize.h).
#pragma once

#include <cstdint>

#include "quant/tensor_type.h"

namespace tessera::quant_detail {

void quantize_q2_k(const float* x, BlockQ2_K* y, int64_t n, const float* qw = nullptr);
void quantize_q3_k(const float* x, BlockQ3_K* y, int64_t n, const float* qw = nullptr);
void quantize_q4_k(const float* x, BlockQ4_K* y, int64_t n, const float* qw = nullptr);
void quantize_q5_k(const float* x, BlockQ5_K* y, int64_t n, const float* qw = nullptr);
void quantize_q6_k(const float* x, BlockQ6_K* y, int64_t n, const float* qw = nullptr);
void quantize_q8_k(const float* x, BlockQ8_K* y, int64_t n);

}  // namespace tessera::quant_detail

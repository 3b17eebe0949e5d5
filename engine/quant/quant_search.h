// The scale searches behind the k-quants, after llama.cpp's make_qx_quants, make_q3_quants
// and make_qkx2_quants. They are kept operation-for-operation equivalent to the reference
// (same accumulation order, same comparisons) because any difference in a float rounding
// can flip a quant and break byte identity with files llama.cpp writes.
#pragma once

#include <cstdint>

namespace tessera::quant_detail {

// Symmetric quantization of n values to integers in [-nmax, nmax-1], stored +nmax in L.
// Tries 19 scales around -nmax/max and keeps the one with the best weighted least-squares
// fit. Weights: qw (importance-weighted quantization) or, when null, x^2 (what the reference
// quantizers use without an importance matrix). Returns the scale (value = scale * (L - nmax)).
float make_qx_quants(int n, int nmax, const float* x, int8_t* L, const float* qw = nullptr);

// As make_qx_quants for Q3_K: one scale, then up to five passes that move single quants
// when that improves the weighted (x^2) fit. L holds values + nmax.
float make_q3_quants(int n, int nmax, const float* x, int8_t* L);

// Asymmetric quantization to [0, nmax] with a min <= 0: value = scale * L + min.
// Tries nstep+1 scales from (nmax + rmin) to (nmax + rmin + nstep*rdelta) over the range and
// solves weighted least squares for (scale, min) at each. Returns scale, stores -min in
// *neg_min. Laux is scratch of n bytes. use_mad: weight absolute instead of squared error.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* neg_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad);

// Non-negative values (the per-group scales or mins of a super-block) to integers in
// [0, nmax] under one scale, fitted by qw-weighted least squares: the best of nine starting
// scales, then up to five passes that move single values. Returns the scale.
float make_qp_quants(int n, int nmax, const float* x, uint8_t* L, const float* qw);

}  // namespace tessera::quant_detail

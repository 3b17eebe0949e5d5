#version 450
// y[c * M + r] = dot(W row r, x row c): W is M rows of K elements of the TYPE_* weight
// type, x is N rows of K floats. One workgroup per (row, COLS columns); the invocations stride
// over the row's elements (not blocks: a 256-element K-quant block would leave all but one
// idle on small rows) and sum in shared memory. The first, correct version: decode's
// repacked matrix-vector and prefill's tiled kernel replace it per type later.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Weights { uint w[]; };
layout(binding = 1) readonly buffer X { float x[]; };
layout(binding = 2) writeonly buffer Y { float y[]; };
// row0 / y_rows: W may be a slice of a matrix split across buffers (rows row0 .. row0+M of
// y_rows); y keeps the whole matrix's layout.
layout(push_constant) uniform Params { uint M; uint K; uint N; uint row_bytes; uint row0; uint y_rows; } p;

#include "dequant.glsl"

// Columns per workgroup (a specialization constant: 1 for decode, more for prefill): each
// dequantized weight is used for up to COLS rows of x, so a prefill decodes the weights once
// per COLS tokens instead of once per token.
layout(constant_id = 1) const uint COLS = 1;

void main() {
    const uint row = flat_group();
    if (row >= p.M) return;  // uniform across the workgroup: no barrier is skipped by some only
    const uint col0 = gl_WorkGroupID.z * COLS;
    const uint ncols = min(COLS, p.N - col0);
    const uint base = row * p.row_bytes;
    float sum[COLS];
    for (uint c = 0; c < COLS; ++c) sum[c] = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.K; i += WG) {
        const uint blk = i / BLOCK_ELEMS;
        const float wv = dq(base + blk * BLOCK_BYTES, i - blk * BLOCK_ELEMS);
        for (uint c = 0; c < COLS; ++c)
            if (c < ncols) sum[c] += wv * x[(col0 + c) * p.K + i];
    }
    for (uint c = 0; c < COLS; ++c) {
        if (c >= ncols) break;  // ncols is uniform: every invocation reaches the same barriers
        const float s = wg_sum(sum[c]);
        if (gl_LocalInvocationID.x == 0) y[(col0 + c) * p.y_rows + p.row0 + row] = s;
    }
}

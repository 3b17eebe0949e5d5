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
// Rows per workgroup (a power of two dividing WG): short rows leave most invocations idle and
// lavapipe pays per workgroup, so WG / ROWS invocations share each row.
layout(constant_id = 2) const uint ROWS = 1;

void main() {
    if (flat_group() * ROWS >= p.M) return;  // uniform across the workgroup: no barrier is skipped by some only
    const uint LANES = WG / ROWS;
    const uint lane = gl_LocalInvocationID.x % LANES;
    const uint row = flat_group() * ROWS + gl_LocalInvocationID.x / LANES;
    const bool live = row < p.M;  // the last workgroup's extra rows still reach the barriers
    const uint col0 = gl_WorkGroupID.z * COLS;
    const uint ncols = min(COLS, p.N - col0);
    const uint base = row * p.row_bytes;
    float sum[COLS];
    for (uint c = 0; c < COLS; ++c) sum[c] = 0.0;
    for (uint i = lane; live && i < p.K; i += LANES) {
        const uint blk = i / BLOCK_ELEMS;
        const float wv = dq(base + blk * BLOCK_BYTES, i - blk * BLOCK_ELEMS);
        for (uint c = 0; c < COLS; ++c)
            if (c < ncols) sum[c] += wv * x[(col0 + c) * p.K + i];
    }
    for (uint c = 0; c < COLS; ++c) {
        if (c >= ncols) break;  // ncols is uniform: every invocation reaches the same barriers
        const float s = seg_sum(sum[c], LANES);
        if (live && lane == 0) y[(col0 + c) * p.y_rows + p.row0 + row] = s;
    }
}

#version 450
// y[c * M + r] = dot(W row r, x row c): W is M rows of K elements of the TYPE_* weight
// type, x is N rows of K floats. One workgroup per (row, column); the invocations stride
// over the row's elements (not blocks: a 256-element K-quant block would leave all but one
// idle on small rows) and sum in shared memory. The first, correct version: decode's
// repacked matrix-vector and prefill's tiled kernel replace it per type later.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Weights { uint w[]; };
layout(binding = 1) readonly buffer X { float x[]; };
layout(binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint M; uint K; uint N; uint row_bytes; } p;

#include "dequant.glsl"

void main() {
    const uint row = flat_group();
    if (row >= p.M) return;  // uniform across the workgroup: no barrier is skipped by some only
    const uint col = gl_WorkGroupID.z;
    const uint base = row * p.row_bytes;
    const uint xb = col * p.K;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.K; i += WG) {
        const uint blk = i / BLOCK_ELEMS;
        sum += dq(base + blk * BLOCK_BYTES, i - blk * BLOCK_ELEMS) * x[xb + i];
    }
    sum = wg_sum(sum);
    if (gl_LocalInvocationID.x == 0) y[col * p.M + row] = sum;
}

#version 450
// Embedding lookup: y[i * K + e] = dequantized element e of table row ids[i]. One
// invocation per output element; ids were checked against the row count by the host.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Weights { uint w[]; };
layout(binding = 1) readonly buffer Ids { int ids[]; };
layout(binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint K; uint n_ids; uint row_bytes; uint n_rows; } p;

#include "dequant.glsl"

void main() {
    const uint e = flat_invocation();
    const uint i = gl_WorkGroupID.z;
    if (e >= p.K) return;
    const uint id = uint(ids[i]);
    if (id >= p.n_rows) return;  // defensive only: never read outside the table
    const uint b = id * p.row_bytes + (e / BLOCK_ELEMS) * BLOCK_BYTES;
    y[i * p.K + e] = dq(b, e % BLOCK_ELEMS);
}

#version 450
// Embedding lookup: y[i * K + e] = dequantized element e of table row ids[i]. One
// invocation per output element; ids were checked against the row count by the host. The
// table may be one slice (rows row0 .. row0+n_rows) of a table split across buffers: each
// slice writes the ids it holds.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Weights { uint w[]; };
layout(binding = 1) readonly buffer Ids { int ids[]; };
layout(binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint K; uint n_ids; uint row_bytes; uint n_rows; uint row0; } p;

#include "dequant.glsl"

void main() {
    const uint e = flat_invocation();
    const uint i = gl_WorkGroupID.z;
    if (e >= p.K) return;
    const uint id = uint(ids[i]) - p.row0;  // wraps past n_rows below the slice
    if (id >= p.n_rows) return;  // another slice's row (or a bad id): never read outside this one
    const uint b = id * p.row_bytes + (e / BLOCK_ELEMS) * BLOCK_BYTES;
    y[i * p.K + e] = dq(b, e % BLOCK_ELEMS);
}

#version 450
// Appends n rows of K or V (f32, kv_dim each) to an f16 KV cache at position pos. The cache
// is read as 32-bit words holding two f16 values (kv_dim is even: head_dim is).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Src { float src[]; };
layout(binding = 1) writeonly buffer Cache { uint cache[]; };
layout(push_constant) uniform Params { uint kv_dim; uint pos; uint n; } p;

void main() {
    const uint pair = flat_invocation();
    if (pair >= p.n * p.kv_dim / 2) return;
    cache[p.pos * p.kv_dim / 2 + pair] = packHalf2x16(vec2(src[2 * pair], src[2 * pair + 1]));
}

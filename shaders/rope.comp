#version 450
// RoPE on adjacent pairs (2i, 2i+1) of every head, in place. The (cos, sin) table for each
// token's position comes from the host (cpu::rope_cos_sin), so angles match the CPU
// backend exactly and large positions do not meet the GPU's low-precision sin/cos.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) buffer X { float x[]; };                 // [tokens][heads][head_dim]
layout(binding = 1) readonly buffer CosSin { float cs[]; };  // [tokens][head_dim / 2][2]
layout(push_constant) uniform Params { uint n_heads; uint head_dim; uint tokens; } p;

void main() {
    const uint half_dim = p.head_dim / 2;
    const uint pair = flat_invocation();
    if (pair >= p.tokens * p.n_heads * half_dim) return;
    const uint i = pair % half_dim;
    const uint t = pair / (half_dim * p.n_heads);
    const uint at = (pair / half_dim) * p.head_dim + 2 * i;
    const float c = cs[t * p.head_dim + 2 * i], s = cs[t * p.head_dim + 2 * i + 1];
    const float x0 = x[at], x1 = x[at + 1];
    x[at] = x0 * c - x1 * s;
    x[at + 1] = x0 * s + x1 * c;
}

#version 450
// gate[i] = silu(gate[i]) * up[i], in place.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) buffer Gate { float gate[]; };
layout(binding = 1) readonly buffer Up { float up[]; };
layout(push_constant) uniform Params { uint n; } p;

void main() {
    const uint i = flat_invocation();
    if (i >= p.n) return;
    const float g = gate[i];
    gate[i] = g / (1.0 + exp(-g)) * up[i];
}

#version 450
// The residual add: x[i] += y[i], in place.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) buffer X { float x[]; };
layout(binding = 1) readonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint n; } p;

void main() {
    const uint i = flat_invocation();
    if (i >= p.n) return;
    x[i] += y[i];
}

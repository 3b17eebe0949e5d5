#version 450
// y = x / sqrt(mean(x^2) + eps) * weight, one workgroup per row of n.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) readonly buffer Weight { float weight[]; };
layout(binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint n; uint rows; float eps; } p;

void main() {
    const uint row = flat_group();
    if (row >= p.rows) return;
    const uint base = row * p.n;
    float ss = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) ss += x[base + i] * x[base + i];
    ss = wg_sum(ss);
    const float scale = 1.0 / sqrt(ss / float(p.n) + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) y[base + i] = x[base + i] * scale * weight[i];
}

#version 450
// In-place softmax of each row of n (scores already scaled), one workgroup per row.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) buffer X { float x[]; };
layout(push_constant) uniform Params { uint n; uint rows; } p;

void main() {
    const uint row = flat_group();
    if (row >= p.rows) return;
    const uint base = row * p.n;
    float m = -3.402823466e38;
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) m = max(m, x[base + i]);
    m = wg_max(m);
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) {
        const float e = exp(x[base + i] - m);
        x[base + i] = e;
        sum += e;
    }
    const float inv = 1.0 / wg_sum(sum);
    for (uint i = gl_LocalInvocationID.x; i < p.n; i += WG) x[base + i] *= inv;
}

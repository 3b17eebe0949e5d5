#version 450
// The index of each row's largest value (the first of equal ones, as the CPU's greedy
// choice), one workgroup per row: greedy decoding reads back one id instead of the logits.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) writeonly buffer Y { uint y[]; };
layout(push_constant) uniform Params { uint n; uint rows; } p;

shared uint best_index[WG];

void main() {
    const uint row = flat_group();
    if (row >= p.rows) return;
    const uint base = row * p.n;
    const uint t = gl_LocalInvocationID.x;
    // Each invocation scans i = t, t+WG, ...: increasing, so a strict > keeps the first.
    float v = -3.402823466e38;
    uint idx = 0xffffffffu;
    for (uint i = t; i < p.n; i += WG) {
        const float xi = x[base + i];
        if (xi > v || idx == 0xffffffffu) { v = xi; idx = i; }
    }
    red[t] = v;
    best_index[t] = idx;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (t < s) {
            const float o = red[t + s];
            const uint oi = best_index[t + s];
            // Larger wins; on a tie the lower index (an empty lane has the largest index).
            if (o > red[t] || (o == red[t] && oi < best_index[t])) { red[t] = o; best_index[t] = oi; }
        }
        barrier();
    }
    if (t == 0) y[row] = best_index[0];
}

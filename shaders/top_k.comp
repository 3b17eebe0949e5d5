#version 450
// The k largest values of each row as (index, value bits) pairs, largest first; equal values
// in index order, the sampler's order (sampling/candidates.cpp), so top-k sampling reads back
// 2k words instead of the row. One workgroup per row and k rounds: each finds the largest
// value ranked after the previous round's pick (the simple version: k passes over the row).
// A dispatch runs rounds [first, first + count): llvmpipe ends every loop of an invocation
// after 65535 iterations in all, so the host splits k rounds over a long row into several
// dispatches, each resuming from the pick the one before it wrote.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) buffer Y { uint y[]; };
layout(push_constant) uniform Params { uint n; uint rows; uint k; uint first; uint count; } p;

const uint NONE = 0xffffffffu;
shared uint best_index[WG];

// (a, ia) comes before (b, ib): larger value, then lower index.
bool before(float a, uint ia, float b, uint ib) { return a > b || (a == b && ia < ib); }

void main() {
    const uint row = flat_group();
    if (row >= p.rows) return;
    const uint base = row * p.n;
    const uint t = gl_LocalInvocationID.x;
    float last = 0.0;
    uint last_index = NONE;  // none picked yet: every value is a candidate
    if (p.first > 0) {
        last_index = y[2 * (row * p.k + p.first - 1)];
        last = uintBitsToFloat(y[2 * (row * p.k + p.first - 1) + 1]);
    }
    for (uint j = p.first; j < min(p.first + p.count, p.k); ++j) {
        float v = 0.0;
        uint idx = NONE;
        for (uint i = t; i < p.n; i += WG) {
            const float xi = x[base + i];
            if (last_index != NONE && !before(last, last_index, xi, i)) continue;  // picked already
            if (idx == NONE || before(xi, i, v, idx)) { v = xi; idx = i; }
        }
        red[t] = v;
        best_index[t] = idx;
        barrier();
        for (uint s = WG / 2; s > 0; s >>= 1) {
            if (t < s) {
                const uint oi = best_index[t + s];
                if (oi != NONE && (best_index[t] == NONE || before(red[t + s], oi, red[t], best_index[t]))) {
                    red[t] = red[t + s];
                    best_index[t] = oi;
                }
            }
            barrier();
        }
        last = red[0];
        last_index = best_index[0];
        barrier();  // every invocation read the pick before the next round writes red
        if (t == 0) {
            y[2 * (row * p.k + j)] = last_index;
            y[2 * (row * p.k + j) + 1] = floatBitsToUint(last);
        }
    }
}

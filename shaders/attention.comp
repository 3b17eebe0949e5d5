#version 450
// Causal attention over an f16 KV cache, one workgroup per (token, query head): scores
// q.k * scale for keys 0 .. pos+t, softmax, then the weighted sum of V. Q and the weights
// are rounded to f16 before meeting the cache, as the CPU backend does (an f16 attention
// datapath). Scores live in a scratch buffer (n_ctx floats per task), so context length is
// not limited by shared memory. The decode path; long contexts get a split-K variant later.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer Q { float q[]; };          // [tokens][n_head * head_dim]
layout(binding = 1) readonly buffer K { uint kc[]; };          // f16 pairs, [n_ctx][kv_dim]
layout(binding = 2) readonly buffer V { uint vc[]; };
layout(binding = 3) coherent buffer Scores { float sc[]; };    // [tokens * n_head][n_ctx]
layout(binding = 4) writeonly buffer Out { float o[]; };       // [tokens][n_head * head_dim]
layout(push_constant) uniform Params {
    uint head_dim; uint n_head; uint n_head_kv; uint pos; uint n_ctx; uint tokens; float scale;
} p;

float round_f16(float v) { return unpackHalf2x16(packHalf2x16(vec2(v, 0.0))).x; }

void main() {
    const uint task = flat_group();
    if (task >= p.tokens * p.n_head) return;
    const uint t = task / p.n_head, h = task % p.n_head;
    const uint kv_head = h / (p.n_head / p.n_head_kv);
    const uint kv_dim = p.n_head_kv * p.head_dim;
    const uint n_keys = p.pos + t + 1;
    const uint qb = (t * p.n_head + h) * p.head_dim;
    const uint sb = task * p.n_ctx;

    float m = -3.402823466e38;
    for (uint s = gl_LocalInvocationID.x; s < n_keys; s += WG) {
        const uint kb = (s * kv_dim + kv_head * p.head_dim) / 2;
        float d = 0.0;
        for (uint i = 0; i < p.head_dim / 2; ++i) {
            const vec2 k2 = unpackHalf2x16(kc[kb + i]);
            d += k2.x * round_f16(q[qb + 2 * i]) + k2.y * round_f16(q[qb + 2 * i + 1]);
        }
        d *= p.scale;
        sc[sb + s] = d;
        m = max(m, d);
    }
    m = wg_max(m);
    float sum = 0.0;
    for (uint s = gl_LocalInvocationID.x; s < n_keys; s += WG) {
        const float e = exp(sc[sb + s] - m);
        sc[sb + s] = e;
        sum += e;
    }
    const float inv = 1.0 / wg_sum(sum);
    for (uint s = gl_LocalInvocationID.x; s < n_keys; s += WG) sc[sb + s] = round_f16(sc[sb + s] * inv);
    memoryBarrierBuffer();  // every invocation reads every weight below
    barrier();

    for (uint d = gl_LocalInvocationID.x; d < p.head_dim; d += WG) {
        const uint vb = kv_head * p.head_dim + d;
        float acc = 0.0;
        for (uint s = 0; s < n_keys; ++s) acc += sc[sb + s] * unpackHalf2x16(vc[(s * kv_dim + vb) / 2])[d & 1u];
        o[qb + d] = acc;
    }
}

#version 450
// Rounds activations as the CPU backend does before its dot products (llama.cpp's numerics,
// backend/cpu/quantize_act.cpp): to the 8-bit grid of Q8_0 / Q8_1 (blocks of 32, f16 scale,
// round half away from zero) or Q8_K (blocks of 256, f32 scale from the signed max, round
// half to even), or to f16 / bf16. The result is written back as floats (quantize, then
// dequantize), so mul_mat reads it unchanged and the products equal the CPU's up to the
// order of float additions.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(binding = 0) readonly buffer X { float x[]; };
layout(binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Params { uint n; } p;

// f32 -> f16 -> f32, round to nearest even, by integer arithmetic (packHalf2x16's rounding
// is not specified). Magnitudes below 2^-14 round to the f16 subnormal step 2^-24.
float round_f16(float v) {
    if (abs(v) < 6.103515625e-05) return roundEven(v * 16777216.0) / 16777216.0;
    const uint b = floatBitsToUint(v);
    return uintBitsToFloat((b + 0xfffu + ((b >> 13) & 1u)) & 0xffffe000u);
}

#if defined(ACT_F16) || defined(ACT_BF16)
void main() {
    const uint i = flat_invocation();
    if (i >= p.n) return;
    const float v = x[i];
#if defined(ACT_F16)
    y[i] = round_f16(v);
#else
    const uint b = floatBitsToUint(v);
    y[i] = (b & 0x7fffffffu) > 0x7f800000u ? v : uintBitsToFloat((b + 0x7fffu + ((b >> 16) & 1u)) & 0xffff0000u);
#endif
}

#else
#if defined(ACT_Q8_0)
#define BLOCK 32u
#elif defined(ACT_Q8_K)
#define BLOCK 256u
#else
#error "define one ACT_* (see shaders/CMakeLists.txt)"
#endif

void main() {
    const uint base = flat_group() * BLOCK;
    if (base >= p.n) return;  // uniform across the workgroup
    const uint t = gl_LocalInvocationID.x;
    float amax = 0.0, vmax = -3.4e38;
    for (uint j = t; j < BLOCK; j += WG) {
        amax = max(amax, abs(x[base + j]));
        vmax = max(vmax, x[base + j]);
    }
    amax = wg_max(amax);
    vmax = wg_max(vmax);
#if defined(ACT_Q8_0)
    const float d = amax / 127.0;
    const float id = d != 0.0 ? 1.0 / d : 0.0;
    const float dh = round_f16(d);
    for (uint j = t; j < BLOCK; j += WG) {
        const float s = x[base + j] * id;
        y[base + j] = dh * (sign(s) * floor(abs(s) + 0.5));  // roundf
    }
#else
    // The element of largest magnitude, with its sign (a tie between +a and -a takes +a).
    const float mx = vmax >= amax ? amax : -amax;
    const float iscale = amax != 0.0 ? -127.0 / mx : 0.0;
    const float d = amax != 0.0 ? 1.0 / iscale : 0.0;
    for (uint j = t; j < BLOCK; j += WG) y[base + j] = d * min(127.0, roundEven(iscale * x[base + j]));
#endif
}
#endif

// Shared by every compute shader: the workgroup size as a specialization constant (so the
// host picks it per device), a flat workgroup index over a 2D grid (grids wider than the
// 65535-group guarantee wrap into y), and a workgroup-wide sum/max in shared memory that
// works on every device (no subgroup operations needed).
layout(constant_id = 0) const uint WG = 64;  // a power of two; the host checks it
layout(local_size_x_id = 0) in;

shared float red[WG];

uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
uint flat_invocation() { return flat_group() * WG + gl_LocalInvocationID.x; }

// Every invocation of the workgroup must call these (they contain barriers).
// The sum over each aligned run of `lanes` invocations (a power of two dividing WG).
float seg_sum(float v, uint lanes) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = lanes / 2; s > 0; s >>= 1) {
        if ((t & (lanes - 1u)) < s) red[t] += red[t + s];
        barrier();
    }
    const float r = red[t & ~(lanes - 1u)];
    barrier();  // red is reused by the next call
    return r;
}

float wg_sum(float v) { return seg_sum(v, WG); }

float wg_max(float v) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = v;
    barrier();
    for (uint s = WG / 2; s > 0; s >>= 1) {
        if (t < s) red[t] = max(red[t], red[t + s]);
        barrier();
    }
    const float r = red[0];
    barrier();
    return r;
}

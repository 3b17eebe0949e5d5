// Element-wise dequantization of GGUF blocks, byte layouts as in ggml-common.h (and
// engine/quant/tensor_type.h). The including shader declares `uint w[]`, the raw bytes of
// the tensor read as 32-bit words, so blocks need no alignment and no 8/16-bit storage
// feature. One TYPE_* define picks the type; BLOCK_ELEMS / BLOCK_BYTES describe it and
// dq(block_byte_offset, j) returns element j of the block, with the arithmetic of
// engine/quant/dequantize.cpp.

uint w_u8(uint b) { return (w[b >> 2] >> ((b & 3u) * 8u)) & 0xFFu; }
uint w_u16(uint b) { return (w[b >> 2] >> ((b & 2u) * 8u)) & 0xFFFFu; }  // b even
uint w_u32(uint b) { return w_u16(b) | (w_u16(b + 2u) << 16); }          // b even
float w_f16(uint b) { return unpackHalf2x16(w_u16(b)).x; }

#if defined(TYPE_F32)
#define BLOCK_ELEMS 1
#define BLOCK_BYTES 4
float dq(uint b, uint j) { return uintBitsToFloat(w[b >> 2]); }

#elif defined(TYPE_F16)
#define BLOCK_ELEMS 1
#define BLOCK_BYTES 2
float dq(uint b, uint j) { return w_f16(b); }

#elif defined(TYPE_BF16)
#define BLOCK_ELEMS 1
#define BLOCK_BYTES 2
float dq(uint b, uint j) { return uintBitsToFloat(w_u16(b) << 16); }

#elif defined(TYPE_Q8_0)
#define BLOCK_ELEMS 32
#define BLOCK_BYTES 34  // f16 d, int8 qs[32]
float dq(uint b, uint j) { return float(bitfieldExtract(int(w_u8(b + 2u + j)), 0, 8)) * w_f16(b); }

#elif defined(TYPE_Q4_0) || defined(TYPE_Q4_1)
#define BLOCK_ELEMS 32
#if defined(TYPE_Q4_0)
#define BLOCK_BYTES 18  // f16 d, qs[16]: element j in the low nibble, j+16 in the high one
#define QS 2u
#else
#define BLOCK_BYTES 20  // f16 d, f16 m, qs[16]
#define QS 4u
#endif
float dq(uint b, uint j) {
    const uint q = (w_u8(b + QS + (j & 15u)) >> ((j >> 4) * 4u)) & 0xFu;
#if defined(TYPE_Q4_0)
    return float(int(q) - 8) * w_f16(b);
#else
    return float(q) * w_f16(b) + w_f16(b + 2u);
#endif
}

#elif defined(TYPE_Q5_0) || defined(TYPE_Q5_1)
#define BLOCK_ELEMS 32
#if defined(TYPE_Q5_0)
#define BLOCK_BYTES 22  // f16 d, qh[4], qs[16]
#define QH 2u
#else
#define BLOCK_BYTES 24  // f16 d, f16 m, qh[4], qs[16]
#define QH 4u
#endif
float dq(uint b, uint j) {
    // The fifth bit of element j is bit j of the little-endian 32-bit qh.
    const uint low = (w_u8(b + QH + 4u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xFu;
    const uint q = low | (((w_u32(b + QH) >> j) & 1u) << 4);
#if defined(TYPE_Q5_0)
    return float(int(q) - 16) * w_f16(b);
#else
    return float(q) * w_f16(b) + w_f16(b + 2u);
#endif
}

#elif defined(TYPE_Q2_K)
#define BLOCK_ELEMS 256
#define BLOCK_BYTES 84  // scales[16] (4-bit scale low, 4-bit min high), qs[64], f16 d, f16 dmin
float dq(uint b, uint j) {
    // 16 groups of 16 (group j/16 has scale byte j/16); each 32-byte half of qs holds 128
    // values as four 2-bit planes, the two 16-value parts of a plane in bytes l and l+16.
    const uint half_ = j >> 7, r = j & 127u;
    const uint q = (w_u8(b + 16u + 32u * half_ + (r & 31u)) >> ((r >> 5) * 2u)) & 3u;
    const uint sc = w_u8(b + (j >> 4));
    return w_f16(b + 80u) * float(sc & 0xFu) * float(q) - w_f16(b + 82u) * float(sc >> 4);
}

#elif defined(TYPE_Q3_K)
#define BLOCK_ELEMS 256
#define BLOCK_BYTES 110  // hmask[32], qs[64], scales[12], f16 d
float dq(uint b, uint j) {
    // The low 2 bits as in Q2_K; the third bit is in hmask byte (j & 31), bit j/32 (set: no
    // -4 offset); sixteen signed 6-bit scales, 4 low bits and 2 high bits packed apart.
    const uint half_ = j >> 7, r = j & 127u, l = r & 31u, is = j >> 4;
    const uint q = (w_u8(b + 32u + 32u * half_ + l) >> ((r >> 5) * 2u)) & 3u;
    const uint high_bit = (w_u8(b + l) >> (j >> 5)) & 1u;
    const uint s = b + 96u;
    const uint low = is < 8u ? (w_u8(s + is) & 0xFu) : (w_u8(s + is - 8u) >> 4);
    const uint high = (w_u8(s + 8u + (is & 3u)) >> (2u * (is >> 2))) & 3u;
    const int scale = int(low | (high << 4)) - 32;
    return w_f16(b + 108u) * float(scale) * float(int(q) - (high_bit != 0u ? 0 : 4));
}

#elif defined(TYPE_Q4_K) || defined(TYPE_Q5_K)
#define BLOCK_ELEMS 256
#if defined(TYPE_Q4_K)
#define BLOCK_BYTES 144  // f16 d, f16 dmin, scales[12], qs[128]
#define QS 16u
#else
#define BLOCK_BYTES 176  // f16 d, f16 dmin, scales[12], qh[32], qs[128]
#define QS 48u
#endif
float dq(uint b, uint j) {
    // 8 groups of 32 with 6-bit scales and mins (get_scale_min_k4); value = d*sc*q - dmin*m.
    const uint g = j >> 6, hi = (j >> 5) & 1u, l = j & 31u;
    const uint is = 2u * g + hi;
    const uint s = b + 4u;  // scales
    uint sc, m;
    if (is < 4u) {
        sc = w_u8(s + is) & 63u;
        m = w_u8(s + is + 4u) & 63u;
    } else {
        sc = (w_u8(s + is + 4u) & 0xFu) | ((w_u8(s + is - 4u) >> 6) << 4);
        m = (w_u8(s + is + 4u) >> 4) | ((w_u8(s + is) >> 6) << 4);
    }
    uint q = (w_u8(b + QS + 32u * g + l) >> (hi * 4u)) & 0xFu;
#if defined(TYPE_Q5_K)
    q |= ((w_u8(b + 16u + l) >> is) & 1u) << 4;  // the fifth bit: qh byte l, bit 2*g + hi
#endif
    return w_f16(b) * float(sc) * float(q) - w_f16(b + 2u) * float(m);
}

#elif defined(TYPE_Q6_K)
#define BLOCK_ELEMS 256
#define BLOCK_BYTES 210  // ql[128], qh[64], int8 scales[16], f16 d
float dq(uint b, uint j) {
    const uint half_ = j >> 7, k = (j >> 5) & 3u, l = j & 31u;
    const uint ql = (w_u8(b + 64u * half_ + l + (k & 1u) * 32u) >> ((k >> 1) * 4u)) & 0xFu;
    const uint qh = (w_u8(b + 128u + 32u * half_ + l) >> (2u * k)) & 3u;
    const int sc = bitfieldExtract(int(w_u8(b + 192u + 8u * half_ + (l >> 4) + 2u * k)), 0, 8);
    return w_f16(b + 208u) * float(sc) * float(int(ql | (qh << 4)) - 32);
}

#else
#error "define one TYPE_* (see shaders/CMakeLists.txt)"
#endif

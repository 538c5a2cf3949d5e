/* Half-precision numbers: IEEE binary16 ("F16", ggml_fp16_t) and bfloat16
 * ("BF16", the top half of an fp32), to and from fp32.
 *
 * Widening is exact (a NaN comes out quiet, as from F16C's VCVTPH2PS). Narrowing rounds to nearest, ties to even, as the x86
 * F16C instruction VCVTPS2PH with immediate 0 does (ggml's
 * GGML_CPU_FP32_TO_FP16 on x86) and as ggml's GGML_FP32_TO_BF16 does:
 * subnormal results are kept, values too large become infinities, a NaN
 * stays a quiet NaN. */
#ifndef LIB_LLAMA_F16_H
#define LIB_LLAMA_F16_H

#include <stdint.h>

static inline uint32_t f16_float_bits(float f) {
    union { float f; uint32_t u; } v = { f };
    return v.u;
}

static inline float f16_bits_float(uint32_t u) {
    union { uint32_t u; float f; } v = { u };
    return v.f;
}

/* binary16 -> fp32, exact. */
static inline float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
    if (exp == 0x1f)                                   /* inf; NaN quieted, as F16C does */
        return f16_bits_float(sign | 0x7f800000 | man << 13 | (man ? 0x400000 : 0));
    if (exp != 0) return f16_bits_float(sign | (exp + 112) << 23 | man << 13);  /* normal */
    /* zero or subnormal: man * 2^-24, exact in fp32 */
    float v = (float)man * 0x1p-24f;
    return sign ? -v : v;
}

/* The binary16 at p (any alignment, a block's field) as fp32. */
static inline float f16_load(const void *p) {
    uint16_t h;
    __builtin_memcpy(&h, p, 2);
    return f16_to_f32(h);
}

/* fp32 -> binary16, rounded to nearest even (F16C's VCVTPS2PH, imm 0). */
static inline uint16_t f32_to_f16(float f) {
    uint32_t u = f16_float_bits(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffff;
    if (a > 0x7f800000) return (uint16_t)(sign | 0x7e00 | (a >> 13 & 0x3ff));   /* NaN, quieted */
    if (a >= 0x477ff000) return sign | 0x7c00;        /* rounds to 65536 or more: infinity */
    if (a >= 0x38800000) {                            /* normal in binary16 */
        uint32_t r = a - 0x38000000;                  /* rebias the exponent (127 -> 15) */
        r += 0xfff + ((r >> 13) & 1);                 /* ties to even on the 13 dropped bits */
        return (uint16_t)(sign | (r >> 13));
    }
    if (a < 0x33000000) return sign;                  /* below half the least subnormal: 0 */
    /* subnormal result: the 24-bit significand shifted right by 126 - e - 24 + 1 ... */
    uint32_t e = a >> 23, m = (a & 0x7fffff) | 0x800000;
    int shift = (int)(126 - e);                      /* 14 .. 24 */
    uint32_t q = m >> shift, rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (q & 1))) q++;
    return (uint16_t)(sign | q);
}

/* bfloat16 -> fp32, exact. */
static inline float bf16_to_f32(uint16_t h) { return f16_bits_float((uint32_t)h << 16); }

/* fp32 -> bfloat16, rounded to nearest even; a NaN is quieted (ggml's rule). */
static inline uint16_t f32_to_bf16(float f) {
    uint32_t u = f16_float_bits(f);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 64);
    return (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}

#endif

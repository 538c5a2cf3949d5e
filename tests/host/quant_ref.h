/* For host tests of the compute layer: plain references written here from
 * the definitions of ggml's formats and of llama.cpp's x86 activation
 * quantizers, independent of lib/llama's code:
 *   - ref_f16 / ref_bf16: the conversions, through double arithmetic;
 *   - ref_unpack: a block's integer quants, sub-block scales and minimums
 *     and float scales, walked the way ggml's dequantize_row_* walk them
 *     (pointers advancing, shifts and masks stepping), and ref_dequantize
 *     with ggml's float expressions;
 *   - ref_q8_0_x86 / ref_q8_1_x86: quantize_row_q8_0/_1's AVX2 path
 *     transcribed instruction by instruction over 8-lane arrays;
 *     ref_q8_k: quantize_row_q8_K_ref;
 *   - ref_product: matmul.h's order for one row and one vector, from the
 *     unpacked blocks;
 *   - random blocks of every type, with chosen scales. */
#ifndef TESTS_HOST_QUANT_REF_H
#define TESTS_HOST_QUANT_REF_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "lib/llama/tensor.h"

/* ---------------------------------------------------------------- random */

static uint64_t qr_state = 0x9e3779b97f4a7c15ull;
static inline uint32_t qr_rand(void) {
    qr_state ^= qr_state >> 12;
    qr_state ^= qr_state << 25;
    qr_state ^= qr_state >> 27;
    return (uint32_t)((qr_state * 0x2545F4914F6CDD1Dull) >> 32);
}
/* Uniform in [-1, 1). */
static inline float qr_unit(void) { return (float)(qr_rand() >> 8) / 8388608.0f - 1.0f; }

static inline uint32_t qr_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline float qr_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

/* ---------------------------------------------------------------- halves */

static inline float ref_f16_to_f32(uint16_t h) {
    int e = h >> 10 & 31, m = h & 1023;
    double v;
    if (e == 31) return qr_float((uint32_t)(h & 0x8000) << 16 | 0x7f800000u | (uint32_t)m << 13 | (m ? 0x400000u : 0));
    v = e ? ldexp(1024 + m, e - 25) : ldexp(m, -24);
    return (float)(h & 0x8000 ? -v : v);
}

/* Nearest binary16, ties to the even significand; NaN quieted keeping its
 * top payload bits; 65520 and more round to infinity. */
static inline uint16_t ref_f32_to_f16(float f) {
    uint32_t u = qr_bits(f);
    uint16_t sign = (uint16_t)(u >> 16 & 0x8000);
    if (isnan(f)) return (uint16_t)(sign | 0x7e00 | (u >> 13 & 0x3ff));
    double a = fabs((double)f);
    if (a >= 65520.0) return sign | 0x7c00;
    if (a < ldexp(1, -14)) return (uint16_t)(sign | (uint16_t)nearbyint(a * ldexp(1, 24)));
    int e;
    frexp(a, &e);                              /* a = f * 2^e, 0.5 <= f < 1 */
    double q = nearbyint(a / ldexp(1, e - 11)); /* 11 significant bits */
    if (q == 2048.0) { q = 1024.0; e++; }
    return (uint16_t)(sign | (uint16_t)((e + 14) << 10) | (uint16_t)(q - 1024.0));
}

static inline float ref_bf16_to_f32(uint16_t h) { return qr_float((uint32_t)h << 16); }

static inline uint16_t ref_f32_to_bf16(float f) {
    uint32_t u = qr_bits(f);
    if (isnan(f)) return (uint16_t)(u >> 16 | 0x40);
    uint32_t hi = u >> 16, lo = u & 0xffff;
    if (lo > 0x8000 || (lo == 0x8000 && (hi & 1))) hi++;
    return (uint16_t)hi;
}

static inline float ref_half_round(float f) { return ref_f16_to_f32(ref_f32_to_f16(f)); }

/* ---------------------------------------------------------------- blocks */

static inline int ref_block_values(int type) {
    const llama_type_info *t = llama_type_get(type);
    return t ? t->block : 0;
}

static inline int ref_block_bytes(int type) {
    const llama_type_info *t = llama_type_get(type);
    return t ? t->bytes : 0;
}

/* The types of super-blocks with sub-block scales (ggml's float expression
 * (d * sc) * q): the K-quants and IQ4_XS. */
static inline int ref_is_k(int type) {
    return (type >= LLAMA_TYPE_Q2_K && type <= LLAMA_TYPE_Q6_K) || type == LLAMA_TYPE_IQ4_XS;
}

/* ggml's kvalues_iq4nl: the values of IQ4_NL's and IQ4_XS's nibbles. */
static const int ref_iq4_values[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };

typedef struct {
    int n;            /* values: 32 or 256 */
    int q[256];       /* quants, as the format defines them (offsets applied) */
    int sub;          /* values per sub-block (n for the 32-value types) */
    int sc[16], mn[16];
    float d, dmin;    /* K: d and dmin; 32-value types: d and m (0 without) */
    int has_min;
} RefBlock;

static inline uint16_t ref_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Where a block's fp16 fields are (d first, then dmin or m): -1 if none. */
static inline void ref_scale_offsets(int type, int *d, int *m) {
    *m = -1;
    switch (type) {
    case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q5_0: *d = 0; break;
    case LLAMA_TYPE_IQ4_NL: case LLAMA_TYPE_IQ4_XS: *d = 0; break;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q5_1: *d = 0; *m = 2; break;
    case LLAMA_TYPE_Q2_K: *d = 80; *m = 82; break;
    case LLAMA_TYPE_Q3_K: *d = 108; break;
    case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q5_K: *d = 0; *m = 2; break;
    case LLAMA_TYPE_Q6_K: *d = 208; break;
    default: *d = -1;
    }
}

static inline void ref_unpack(int type, const uint8_t *b, RefBlock *r) {
    memset(r, 0, sizeof *r);
    r->n = ref_block_values(type);
    r->sub = r->n;
    r->sc[0] = 1;
    int od, om;
    ref_scale_offsets(type, &od, &om);
    r->d = ref_f16_to_f32(ref_u16(b + od));
    if (om >= 0) { r->dmin = ref_f16_to_f32(ref_u16(b + om)); r->has_min = 1; }
    switch (type) {
    case LLAMA_TYPE_Q8_0:
        for (int j = 0; j < 32; j++) r->q[j] = (int8_t)b[2 + j];
        break;
    case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q4_1: {
        const uint8_t *qs = b + (type == LLAMA_TYPE_Q4_0 ? 2 : 4);
        int off = type == LLAMA_TYPE_Q4_0 ? 8 : 0;
        for (int j = 0; j < 16; j++) {
            r->q[j] = (qs[j] & 0x0F) - off;
            r->q[j + 16] = (qs[j] >> 4) - off;
        }
        break;
    }
    case LLAMA_TYPE_Q5_0: case LLAMA_TYPE_Q5_1: {
        const uint8_t *qhp = b + (type == LLAMA_TYPE_Q5_0 ? 2 : 4), *qs = qhp + 4;
        uint32_t qh = (uint32_t)qhp[0] | (uint32_t)qhp[1] << 8 | (uint32_t)qhp[2] << 16 | (uint32_t)qhp[3] << 24;
        int off = type == LLAMA_TYPE_Q5_0 ? 16 : 0;
        for (int j = 0; j < 16; j++) {
            int h0 = ((qh >> j) << 4) & 0x10, h1 = (qh >> (j + 12)) & 0x10;
            r->q[j] = ((qs[j] & 0x0F) | h0) - off;
            r->q[j + 16] = ((qs[j] >> 4) | h1) - off;
        }
        break;
    }
    case LLAMA_TYPE_Q2_K: {
        const uint8_t *scales = b, *q = b + 16;
        int *y = r->q, is = 0;
        r->sub = 16;
        for (int half = 0; half < 2; half++, q += 32)
            for (int shift = 0; shift < 8; shift += 2)
                for (int k = 0; k < 2; k++, is++) {
                    r->sc[is] = scales[is] & 0xF;
                    r->mn[is] = scales[is] >> 4;
                    for (int l = 0; l < 16; l++) *y++ = (q[l + 16 * k] >> shift) & 3;
                }
        break;
    }
    case LLAMA_TYPE_Q3_K: {
        const uint8_t *hm = b, *q = b + 32, *s = b + 96;
        int *y = r->q, is = 0;
        uint8_t m = 1;
        r->sub = 16;
        /* the 16 scales: low 4 bits from bytes 0-7 (low, then high nibbles),
         * 2 more from bytes 8-11, two bits per scale, scale j at bit 2*(j/4) of byte 8 + j%4 */
        for (int j = 0; j < 16; j++) {
            int lo4 = j < 8 ? s[j] & 15 : s[j - 8] >> 4;
            int hi2 = (s[8 + (j & 3)] >> (2 * (j >> 2))) & 3;
            r->sc[j] = (lo4 | hi2 << 4) - 32;
        }
        for (int half = 0; half < 2; half++, q += 32)
            for (int shift = 0; shift < 8; shift += 2, m <<= 1)
                for (int k = 0; k < 2; k++, is++)
                    for (int l = 0; l < 16; l++)
                        *y++ = ((q[l + 16 * k] >> shift) & 3) - ((hm[l + 16 * k] & m) ? 0 : 4);
        break;
    }
    case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q5_K: {
        const uint8_t *s = b + 4, *ql = b + 16, *qh = type == LLAMA_TYPE_Q5_K ? b + 16 : NULL;
        if (qh) ql = b + 48;
        int *y = r->q;
        uint8_t u1 = 1, u2 = 2;
        r->sub = 32;
        for (int j = 0; j < 8; j++) {
            if (j < 4) { r->sc[j] = s[j] & 63; r->mn[j] = s[j + 4] & 63; }
            else {
                r->sc[j] = (s[j + 4] & 0xF) | ((s[j - 4] >> 6) << 4);
                r->mn[j] = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
            }
        }
        for (int j = 0; j < 256; j += 64, ql += 32, u1 <<= 2, u2 <<= 2) {
            for (int l = 0; l < 32; l++) *y++ = (ql[l] & 0xF) + (qh && (qh[l] & u1) ? 16 : 0);
            for (int l = 0; l < 32; l++) *y++ = (ql[l] >> 4) + (qh && (qh[l] & u2) ? 16 : 0);
        }
        break;
    }
    case LLAMA_TYPE_IQ4_NL: {
        const uint8_t *qs = b + 2;
        for (int j = 0; j < 16; j++) {
            r->q[j] = ref_iq4_values[qs[j] & 0x0F];
            r->q[j + 16] = ref_iq4_values[qs[j] >> 4];
        }
        break;
    }
    case LLAMA_TYPE_IQ4_XS: {
        /* d, scales_h (u16), scales_l[4], qs[128]: sub-block ib's scale is
         * nibble ib % 2 of scales_l[ib / 2] with bits 2ib, 2ib + 1 of scales_h on top, minus 32 */
        uint16_t sh = ref_u16(b + 2);
        const uint8_t *sl = b + 4, *qs = b + 8;
        r->sub = 32;
        for (int ib = 0; ib < 8; ib++, qs += 16) {
            r->sc[ib] = (((sl[ib / 2] >> 4 * (ib % 2)) & 0xf) | (((sh >> 2 * ib) & 3) << 4)) - 32;
            for (int j = 0; j < 16; j++) {
                r->q[32 * ib + j] = ref_iq4_values[qs[j] & 0xf];
                r->q[32 * ib + j + 16] = ref_iq4_values[qs[j] >> 4];
            }
        }
        break;
    }
    case LLAMA_TYPE_Q6_K: {
        const uint8_t *ql = b, *qh = b + 128;
        const int8_t *sc = (const int8_t *)(b + 192);
        int *y = r->q;
        r->sub = 16;
        for (int j = 0; j < 16; j++) r->sc[j] = sc[j];
        for (int n = 0; n < 256; n += 128, y += 128, ql += 64, qh += 32)
            for (int l = 0; l < 32; l++) {
                y[l + 0] = ((ql[l + 0] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                y[l + 32] = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                y[l + 64] = ((ql[l + 0] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                y[l + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
            }
        break;
    }
    }
}

/* ggml's float expression for value j of an unpacked block. */
static inline float ref_value(int type, const RefBlock *r, int j) {
    if (!ref_is_k(type)) {
        float v = (float)r->q[j] * r->d;
        return r->has_min ? v + r->dmin : v;
    }
    int s = j / r->sub;
    float v = (r->d * (float)r->sc[s]) * (float)r->q[j];
    return r->has_min ? v - r->dmin * (float)r->mn[s] : v;
}

/* A row of n values of any weight type (RUNQ8 excepted) to fp32. */
static inline void ref_dequantize(int type, const uint8_t *row, int n, float *out) {
    if (type == LLAMA_TYPE_F32) { memcpy(out, row, (size_t)n * 4); return; }
    if (type == LLAMA_TYPE_F16 || type == LLAMA_TYPE_BF16) {
        for (int j = 0; j < n; j++)
            out[j] = type == LLAMA_TYPE_F16 ? ref_f16_to_f32(ref_u16(row + 2 * j)) : ref_bf16_to_f32(ref_u16(row + 2 * j));
        return;
    }
    int bn = ref_block_values(type), bb = ref_block_bytes(type);
    RefBlock r;
    for (int b = 0; b < n / bn; b++) {
        ref_unpack(type, row + (size_t)b * bb, &r);
        for (int j = 0; j < bn; j++) out[b * bn + j] = ref_value(type, &r, j);
    }
}

/* Random bytes, then the fp16 scales set: mode 0 ordinary scales (1e-3 ..
 * 1e-1, either sign for d), 1 extreme (65504, the least subnormal 2^-24,
 * a small normal, 0, chosen at random), 2 an all-zero block, 3 every quant
 * byte 0x00 or 0xff (the extreme quants: -128/127 for Q8_0, 0/15 nibbles). */
static inline void ref_random_block(int type, uint8_t *b, int mode) {
    int bytes = ref_block_bytes(type);
    if (mode == 2) { memset(b, 0, (size_t)bytes); return; }
    for (int i = 0; i < bytes; i++) b[i] = (uint8_t)qr_rand();
    if (mode == 3) {
        uint8_t fill = qr_rand() & 1 ? 0xff : 0x00;
        for (int i = 0; i < bytes; i++) b[i] = type == LLAMA_TYPE_Q8_0 ? (uint8_t)(qr_rand() & 1 ? 0x80 : 0x7f) : fill;
    }
    int od, om;
    ref_scale_offsets(type, &od, &om);
    for (int k = 0; k < 2; k++) {
        int off = k ? om : od;
        if (off < 0) continue;
        float v;
        if (mode == 1) {
            static const float ext[] = { 65504.0f, 5.9604645e-8f, 6.1035156e-5f, 0.0f, -65504.0f };
            v = ext[qr_rand() % 5];
        } else {
            v = (float)pow(10.0, -1.0 - 2.0 * (qr_unit() + 1.0) / 2.0);
            if (qr_rand() & 1) v = -v;
        }
        uint16_t h = ref_f32_to_f16(v);
        b[off] = (uint8_t)h;
        b[off + 1] = (uint8_t)(h >> 8);
    }
}

/* ---------------------------------------------------------------- activations */

/* MAXPS lane rule: the second operand unless the first is greater. */
static inline float ref_maxps(float a, float b) { return a > b ? a : b; }

/* CVTPS2DQ of an already rounded value: INT_MIN for NaN and out of range. */
static inline int32_t ref_cvtps(float v) {
    if (!(v >= -2147483648.0f && v < 2147483648.0f)) return INT32_MIN;
    return (int32_t)v;
}

static inline int ref_sat(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

/* quantize_row_q8_0's and _q8_1's AVX2 body for one block of 32: four
 * 8-lane registers v0..v3; fills q, the fp16 d, and for Q8_1 the fp16 s. */
static inline void ref_q8_x86(const float *x, int8_t *q, uint16_t *d16, uint16_t *s16) {
    float v[4][8], maxAbs[8], max4[4];
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 8; k++) v[r][k] = x[8 * r + k];
    for (int k = 0; k < 8; k++) maxAbs[k] = qr_float(qr_bits(v[0][k]) & 0x7fffffff);  /* andnot(signBit, v0) */
    for (int r = 1; r < 4; r++)
        for (int k = 0; k < 8; k++) maxAbs[k] = ref_maxps(maxAbs[k], qr_float(qr_bits(v[r][k]) & 0x7fffffff));
    for (int k = 0; k < 4; k++) max4[k] = ref_maxps(maxAbs[4 + k], maxAbs[k]);   /* max(extract hi, lo) */
    float hl[4] = { max4[2], max4[3], max4[2], max4[3] };                     /* movehl */
    for (int k = 0; k < 4; k++) max4[k] = ref_maxps(max4[k], hl[k]);
    float maxScalar = ref_maxps(max4[0], max4[1]);                             /* max_ss with movehdup */
    float d = maxScalar / 127.f;
    *d16 = ref_f32_to_f16(d);
    float id = (maxScalar != 0.0f) ? 127.f / maxScalar : 0.0f;
    int32_t i32[32];
    uint32_t sum = 0;
    for (int r = 0; r < 4; r++)
        for (int k = 0; k < 8; k++) {
            float m = v[r][k] * id;
            i32[8 * r + k] = ref_cvtps(nearbyintf(m));
            sum += (uint32_t)i32[8 * r + k];
        }
    for (int j = 0; j < 32; j++) q[j] = (int8_t)ref_sat(ref_sat(i32[j], -32768, 32767), -128, 127);
    if (s16) *s16 = ref_f32_to_f16(d * (float)(int32_t)sum);
}

/* quantize_row_q8_K_ref for one block of 256. */
static inline void ref_q8_k(const float *x, int8_t *q, float *d, int16_t bsums[16]) {
    float max = 0, amax = 0;
    for (int j = 0; j < 256; ++j) {
        float ax = fabsf(x[j]);
        if (ax > amax) { amax = ax; max = x[j]; }
    }
    memset(bsums, 0, 32);
    if (!amax) { *d = 0; memset(q, 0, 256); return; }
    const float iscale = -127.f / max;
    for (int j = 0; j < 256; ++j) {
        float val = iscale * x[j] + 12582912.f;
        int i;
        memcpy(&i, &val, sizeof(int));
        int v = (i & 0x007fffff) - 0x00400000;
        q[j] = (int8_t)(v < 127 ? v : 127);
    }
    for (int j = 0; j < 16; ++j) {
        int sum = 0;
        for (int ii = 0; ii < 16; ++ii) sum += q[j * 16 + ii];
        bsums[j] = (int16_t)sum;
    }
    *d = 1 / iscale;
}

/* One activation vector as the oracle holds it: the prepared values. */
typedef struct {
    int type;          /* activation type */
    int n;
    float *x;          /* F32/F16/BF16: rounded values */
    int8_t *q;         /* quantized types */
    float *d, *s;      /* per block: d (fp16 value as float for Q8_0/Q8_1), Q8_1's s */
} RefAct;

static inline int ref_act_type(int wtype) {
    switch (wtype) {
    case LLAMA_TYPE_F32: case LLAMA_TYPE_F16: case LLAMA_TYPE_BF16: return wtype;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q5_1: return LLAMA_TYPE_Q8_1;
    case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q5_0: case LLAMA_TYPE_IQ4_NL: return LLAMA_TYPE_Q8_0;
    default: return LLAMA_TYPE_Q8_K;
    }
}

static inline void ref_act_make(RefAct *a, int wtype, const float *x, int n) {
    a->type = ref_act_type(wtype);
    a->n = n;
    a->x = malloc((size_t)n * 4);
    a->q = malloc((size_t)n);
    a->d = malloc((size_t)n / 32 * 4 + 4);
    a->s = malloc((size_t)n / 32 * 4 + 4);
    for (int j = 0; j < n; j++)
        a->x[j] = a->type == LLAMA_TYPE_F16 ? ref_half_round(x[j])
                : a->type == LLAMA_TYPE_BF16 ? ref_bf16_to_f32(ref_f32_to_bf16(x[j])) : x[j];
    if (a->type == LLAMA_TYPE_Q8_0 || a->type == LLAMA_TYPE_Q8_1)
        for (int b = 0; b < n / 32; b++) {
            uint16_t d16, s16;
            ref_q8_x86(x + 32 * b, a->q + 32 * b, &d16, &s16);
            a->d[b] = ref_f16_to_f32(d16);
            a->s[b] = ref_f16_to_f32(s16);
        }
    if (a->type == LLAMA_TYPE_Q8_K)
        for (int b = 0; b < n / 256; b++) {
            int16_t bs[16];
            ref_q8_k(x + 256 * b, a->q + 256 * b, &a->d[b], bs);
        }
}

static inline void ref_act_free(RefAct *a) { free(a->x); free(a->q); free(a->d); free(a->s); }

/* ---------------------------------------------------------------- products */

static inline float ref_tree8(const float l[8]) {
    return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

/* Row `row` (n values of wtype) . the prepared vector, in matmul.h's order. */
static inline float ref_product(int wtype, const uint8_t *row, int n, const RefAct *a) {
    if (wtype == LLAMA_TYPE_F32 || wtype == LLAMA_TYPE_F16 || wtype == LLAMA_TYPE_BF16) {
        float l[16] = { 0 }, w;
        for (int j = 0; j < n; j++) {
            if (wtype == LLAMA_TYPE_F32) memcpy(&w, row + 4 * j, 4);
            else w = wtype == LLAMA_TYPE_F16 ? ref_f16_to_f32(ref_u16(row + 2 * j)) : ref_bf16_to_f32(ref_u16(row + 2 * j));
            l[j % 16] += w * a->x[j];
        }
        for (int k = 0; k < 8; k++) l[k] += l[k + 8];
        return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
    }
    int bn = ref_block_values(wtype), bb = ref_block_bytes(wtype);
    float l[8] = { 0 };
    RefBlock r;
    for (int b = 0; b < n / bn; b++) {
        ref_unpack(wtype, row + (size_t)b * bb, &r);
        const int8_t *x = a->q + b * bn;
        int32_t isum = 0, msum = 0;
        for (int s = 0; s < bn / r.sub; s++) {
            int32_t pq = 0, px = 0;
            for (int j = s * r.sub; j < (s + 1) * r.sub; j++) { pq += r.q[j] * x[j]; px += x[j]; }
            isum += r.sc[s] * pq;
            msum += r.mn[s] * px;
        }
        float p;
        if (!ref_is_k(wtype)) {
            p = (float)isum * (r.d * a->d[b]);
            if (r.has_min) p = p + r.dmin * a->s[b];
        } else {
            p = (a->d[b] * r.d) * (float)isum;
            if (r.has_min) p = p - (a->d[b] * r.dmin) * (float)msum;
        }
        l[b % 8] += p;
    }
    return ref_tree8(l);
}

/* ---------------------------------------------------------------- kernels' layout */

/* The tensor the kernels take for `raw` (ggml's layout, which the
 * references here read): for the blocks of 4 and 5 bits a copy put in the
 * kernels' layout by llama_tensor_prepare, for the other types raw
 * itself. Free it with ref_kernel_free(&t, raw.data). */
static inline llama_tensor ref_kernel_tensor(llama_tensor raw) {
    if (llama_type_split(raw.type) < 0) return raw;
    size_t n = (size_t)raw.rows * raw.row_bytes;
    void *copy = malloc(n ? n : 1);
    memcpy(copy, raw.data, n);
    llama_tensor_prepare(&raw, copy);
    raw.data = copy;
    return raw;
}
static inline void ref_kernel_free(llama_tensor *t, const void *raw_data) {
    if (t->data != raw_data) free((void *)t->data);
}

#endif

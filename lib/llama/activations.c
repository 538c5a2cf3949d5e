/* Preparing activations for products (see activations.h): the other
 * operand of every matrix product, converted the way llama.cpp's x86 CPU
 * backend converts it, so that our integer sums are its integer sums.
 *
 * Q8_0 and Q8_1 (ggml-cpu/arch/x86/quants.c, quantize_row_q8_0/_1, the
 * AVX2 path that AVX-512 builds use too): per block of 32, amax = max |x|
 * taken as that code's MAXPS tree takes it (lane k of 8 over x[k], x[k+8],
 * x[k+16], x[k+24], then lanes k and k+4, k and k+2, 0 and 1); d = amax /
 * 127 (stored as fp16); id = 127 / amax (0 when amax is 0); q = x * id
 * rounded to nearest, ties to even (ROUNDPS then CVTPS2DQ: a NaN or an
 * out-of-range value gives INT_MIN), saturated to int8 by PACKSSDW and
 * PACKSSWB. Q8_1 adds s = fp16(d * sum(q)) with d before its rounding.
 *
 * Q8_K (ggml-quants.c, quantize_row_q8_K_ref, which the x86 backend calls):
 * per block of 256, max = the first value of largest |x|; all zero when
 * that is 0; iscale = -127 / max; q = min(127, nearest_int(iscale * x)),
 * nearest_int adding 1.5 * 2^23 (ties to even); d = 1 / iscale; bsums =
 * sums of 16.
 *
 * F16 and BF16: each value rounded to nearest even (ggml_cpu_fp32_to_fp16's
 * VCVTPS2PH; GGML_FP32_TO_BF16). F32: copied. RUNQ8: runq.c's quantize
 * (matmul.c's quantize), groups of gcd(n, group size). */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/activations.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/libc.h"

int act_type_of(int weight_type) {
    switch (weight_type) {
    case LLAMA_TYPE_F32: return LLAMA_TYPE_F32;
    case LLAMA_TYPE_F16: return LLAMA_TYPE_F16;
    case LLAMA_TYPE_BF16: return LLAMA_TYPE_BF16;
    case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q5_0: return LLAMA_TYPE_Q8_0;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q5_1: return LLAMA_TYPE_Q8_1;
    case LLAMA_TYPE_Q2_K: case LLAMA_TYPE_Q3_K: case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q5_K:
    case LLAMA_TYPE_Q6_K: return LLAMA_TYPE_Q8_K;
    case LLAMA_TYPE_RUNQ8: return LLAMA_TYPE_RUNQ8;
    default: return -1;
    }
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

ActLayout act_layout(const llama_tensor *w) {
    ActLayout L = { act_type_of(w->type), w->cols, 1, 0, 0, 0, 0 };
    size_t n = (size_t)w->cols;
    switch (L.type) {
    case LLAMA_TYPE_Q8_0:
    case LLAMA_TYPE_Q8_1:
        L.g = 32;
        L.d = align64(n);
        L.sum = L.d + align64(n / 32 * 4);
        L.s = L.sum + align64(n / 32 * 4);
        L.bytes = L.type == LLAMA_TYPE_Q8_1 ? L.s + align64(n / 32 * 4) : L.s;
        break;
    case LLAMA_TYPE_Q8_K:
        L.g = 256;
        L.d = align64(n);
        L.sum = L.d + align64(n / 256 * 4);
        L.s = L.sum + align64(n / 16 * 2);
        L.bytes = L.s + align64(n / 32 * 2);
        break;
    case LLAMA_TYPE_RUNQ8:
        L.g = gcd_int(w->cols, w->group_size);
        L.d = align64(n);
        L.sum = L.d + align64(n / (size_t)L.g * 4);
        L.bytes = L.sum + align64(n / (size_t)L.g * 4);
        break;
    default:                                  /* F32, F16, BF16 */
        L.bytes = align64(n * 4);
        break;
    }
    return L;
}

/* MAXPS's rule: the second operand unless the first is greater (so a NaN
 * in either place gives the second). */
static inline float maxps(float a, float b) { return a > b ? a : b; }

/* CVTPS2DQ under the default rounding mode: nearest, ties to even; NaN and
 * values outside int32 give INT32_MIN. */
static inline int32_t cvtps(float v) { return _mm_cvtsi128_si32(_mm_cvtps_epi32(_mm_set_ss(v))); }

/* PACKSSDW then PACKSSWB: saturated to int8. */
static inline int8_t sat8(int32_t i) { return (int8_t)(i < -128 ? -128 : i > 127 ? 127 : i); }

/* One block of 32 as quantize_row_q8_0/_1 do it: fills q, *d16 (the fp16
 * d as fp32) and *sum (of q); returns Q8_1's s, fp16(d * the int32 sum of
 * the values before saturation, wrapping as PADDD does) as fp32. */
static float q8_block(const float *x, int8_t *q, float *d16, int32_t *sum) {
    float lane[8];
    for (int k = 0; k < 8; k++) {
        float m = __builtin_fabsf(x[k]);
        for (int r = 1; r < 4; r++) m = maxps(m, __builtin_fabsf(x[k + 8 * r]));
        lane[k] = m;
    }
    for (int k = 0; k < 4; k++) lane[k] = maxps(lane[k + 4], lane[k]);
    for (int k = 0; k < 2; k++) lane[k] = maxps(lane[k], lane[k + 2]);
    float amax = maxps(lane[0], lane[1]);
    float d = amax / 127.0f;
    float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    int32_t s = 0;
    uint32_t wide = 0;
    for (int j = 0; j < 32; j++) {
        int32_t i = cvtps(x[j] * id);
        wide += (uint32_t)i;
        q[j] = sat8(i);
        s += q[j];
    }
    *d16 = f16_to_f32(f32_to_f16(d));
    *sum = s;
    return f16_to_f32(f32_to_f16(d * (float)(int32_t)wide));
}

/* ggml's nearest_int: ties to even through the float addition (|v| < 2^22). */
static inline int nearest_int(float v) {
    float t = v + 12582912.0f;
    return (int)(f16_float_bits(t) & 0x007fffff) - 0x00400000;
}

static void q8_k_block(const float *x, int8_t *q, float *d, int16_t *bsums, int16_t *sums32) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 256; j++) {
        float a = __builtin_fabsf(x[j]);
        if (a > amax) {
            amax = a;
            max = x[j];
        }
    }
    if (amax == 0.0f) {
        *d = 0.0f;
        memset(q, 0, 256);
        memset(bsums, 0, 16 * sizeof *bsums);
        memset(sums32, 0, 8 * sizeof *sums32);
        return;
    }
    float iscale = -127.0f / max;
    for (int j = 0; j < 256; j++) {
        int v = nearest_int(iscale * x[j]);
        q[j] = (int8_t)(v < 127 ? v : 127);
    }
    for (int j = 0; j < 16; j++) {
        int s = 0;
        for (int k = 0; k < 16; k++) s += q[16 * j + k];
        bsums[j] = (int16_t)s;
    }
    for (int j = 0; j < 8; j++) sums32[j] = (int16_t)(bsums[2 * j] + bsums[2 * j + 1]);
    *d = 1.0f / iscale;
}

void act_quantize(const ActLayout *L, const float *x, void *v) {
    unsigned char *base = v;
    int n = L->n;
    float *xf = v;
    int8_t *q = v;
    switch (L->type) {
    case LLAMA_TYPE_F32:
        memcpy(xf, x, (size_t)n * sizeof *xf);
        break;
    case LLAMA_TYPE_F16:
        for (int i = 0; i < n; i++) xf[i] = f16_to_f32(f32_to_f16(x[i]));
        break;
    case LLAMA_TYPE_BF16:
        for (int i = 0; i < n; i++) xf[i] = bf16_to_f32(f32_to_bf16(x[i]));
        break;
    case LLAMA_TYPE_Q8_0:
    case LLAMA_TYPE_Q8_1: {
        float *d = (float *)(void *)(base + L->d), *s = (float *)(void *)(base + L->s);
        int32_t *sum = (int32_t *)(void *)(base + L->sum);
        for (int b = 0; b < n / 32; b++) {
            float s1 = q8_block(x + 32 * b, q + 32 * b, &d[b], &sum[b]);
            if (L->type == LLAMA_TYPE_Q8_1) s[b] = s1;
        }
        break;
    }
    case LLAMA_TYPE_Q8_K: {
        float *d = (float *)(void *)(base + L->d);
        int16_t *bsums = (int16_t *)(void *)(base + L->sum), *sums32 = (int16_t *)(void *)(base + L->s);
        for (int b = 0; b < n / 256; b++)
            q8_k_block(x + 256 * b, q + 256 * b, &d[b], bsums + 16 * b, sums32 + 8 * b);
        break;
    }
    case LLAMA_TYPE_RUNQ8: {
        QuantVec qv = { q, (float *)(void *)(base + L->d), n, L->g, (int32_t *)(void *)(base + L->sum) };
        quantize(&qv, x);
        break;
    }
    }
}

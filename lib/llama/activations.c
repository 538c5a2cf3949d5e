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
    case LLAMA_TYPE_Q8_0: case LLAMA_TYPE_Q4_0: case LLAMA_TYPE_Q4_0_SPLIT: case LLAMA_TYPE_Q5_0:
    case LLAMA_TYPE_Q5_0_SPLIT: case LLAMA_TYPE_IQ4_NL: case LLAMA_TYPE_IQ4_NL_SPLIT: return LLAMA_TYPE_Q8_0;
    case LLAMA_TYPE_Q4_1: case LLAMA_TYPE_Q4_1_SPLIT: case LLAMA_TYPE_Q5_1: case LLAMA_TYPE_Q5_1_SPLIT:
        return LLAMA_TYPE_Q8_1;
    case LLAMA_TYPE_Q2_K: case LLAMA_TYPE_Q3_K: case LLAMA_TYPE_Q4_K: case LLAMA_TYPE_Q4_K_SPLIT: case LLAMA_TYPE_Q5_K:
    case LLAMA_TYPE_Q5_K_SPLIT:
    case LLAMA_TYPE_Q6_K: case LLAMA_TYPE_IQ4_XS: return LLAMA_TYPE_Q8_K;
    case LLAMA_TYPE_RUNQ8: return LLAMA_TYPE_RUNQ8;
    default: return -1;
    }
}

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

ActLayout act_layout(const llama_tensor *w) {
    ActLayout L = { act_type_of(w->type), w->cols, 1, 0, 0, 0, 0, 0, 0, 0 };
    size_t n = (size_t)w->cols;
    switch (L.type) {
    case LLAMA_TYPE_Q8_0:
    case LLAMA_TYPE_Q8_1:
        L.g = 32;
        L.d = align64(n);
        L.sum = L.d + align64(n / 32 * 4);
        L.s = L.sum + align64(n / 32 * 4);
        L.quads = L.type == LLAMA_TYPE_Q8_1 ? L.s + align64(n / 32 * 4) : L.s;
        L.bytes = L.quads + align64(n - n % 128);
        break;
    case LLAMA_TYPE_Q8_K:
        L.g = 256;
        L.d = align64(n);
        L.sum = L.d + align64(n / 256 * 4);
        L.s = L.sum + align64(n / 16 * 2);
        L.k4 = L.s + align64(n / 32 * 2);
        L.bytes = L.k4 + align64(n);
        break;
    case LLAMA_TYPE_RUNQ8:
        L.g = gcd_int(w->cols, w->group_size);
        L.d = align64(n);
        L.sum = L.d + align64(n / (size_t)L.g * 4);
        L.bytes = L.sum + align64(n / (size_t)L.g * 4);
        break;
    case LLAMA_TYPE_F16:
    case LLAMA_TYPE_BF16:
        L.half = align64(n * 4);
        L.bytes = L.half + align64(n * 2);
        break;
    default:                                  /* F32 */
        L.bytes = align64(n * 4);
        break;
    }
    return L;
}

/* One block of 32 as quantize_row_q8_0/_1 do it: fills q, *d16 (the fp16
 * d as fp32) and *sum (of q); returns (want_s: Q8_1) s, fp16(d * the int32 sum of
 * the values before saturation, wrapping as PADDD does) as fp32. */
static float q8_block(const float *x, int8_t *q, float *d16, int32_t *sum, int want_s) {
    /* the 8 lanes of the AVX2 code as two SSE registers: lanes 0-3 over
     * x[0..3], x[8..11], x[16..19], x[24..27]; lanes 4-7 over the rest */
    const __m128 absmask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    __m128 v[8];
    for (int i = 0; i < 8; i++) v[i] = _mm_loadu_ps(x + 4 * i);
    __m128 lo = _mm_and_ps(v[0], absmask), hi = _mm_and_ps(v[1], absmask);
    for (int r = 1; r < 4; r++) {
        lo = _mm_max_ps(lo, _mm_and_ps(v[2 * r], absmask));
        hi = _mm_max_ps(hi, _mm_and_ps(v[2 * r + 1], absmask));
    }
    __m128 m4 = _mm_max_ps(hi, lo);
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_shuffle_ps(m4, m4, 1));
    float amax = _mm_cvtss_f32(m4);
    float d = amax / 127.0f;
    float id = amax != 0.0f ? 127.0f / amax : 0.0f;
    __m128 idv = _mm_set1_ps(id);
    __m128i i32[8], wide = _mm_setzero_si128();
    for (int i = 0; i < 8; i++) {
        i32[i] = _mm_cvtps_epi32(_mm_mul_ps(v[i], idv));   /* CVTPS2DQ: nearest even; INT_MIN */
        wide = _mm_add_epi32(wide, i32[i]);
    }
    __m128i q0 = _mm_packs_epi16(_mm_packs_epi32(i32[0], i32[1]), _mm_packs_epi32(i32[2], i32[3]));
    __m128i q1 = _mm_packs_epi16(_mm_packs_epi32(i32[4], i32[5]), _mm_packs_epi32(i32[6], i32[7]));
    _mm_storeu_si128((__m128i *)(void *)q, q0);
    _mm_storeu_si128((__m128i *)(void *)(q + 16), q1);
    /* the sum of the saturated bytes: sign-extended to int16, pairs added */
    const __m128i ones = _mm_set1_epi16(1);
    __m128i s16 = _mm_add_epi32(
        _mm_add_epi32(_mm_madd_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(q0, q0), 8), ones),
                      _mm_madd_epi16(_mm_srai_epi16(_mm_unpackhi_epi8(q0, q0), 8), ones)),
        _mm_add_epi32(_mm_madd_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(q1, q1), 8), ones),
                      _mm_madd_epi16(_mm_srai_epi16(_mm_unpackhi_epi8(q1, q1), 8), ones)));
    s16 = _mm_add_epi32(s16, _mm_shuffle_epi32(s16, 0x4e));
    s16 = _mm_add_epi32(s16, _mm_shuffle_epi32(s16, 0xb1));
    wide = _mm_add_epi32(wide, _mm_shuffle_epi32(wide, 0x4e));
    wide = _mm_add_epi32(wide, _mm_shuffle_epi32(wide, 0xb1));
    *d16 = f16_to_f32(f32_to_f16(d));
    *sum = _mm_cvtsi128_si32(s16);
    return want_s ? f16_to_f32(f32_to_f16(d * (float)_mm_cvtsi128_si32(wide))) : 0.0f;
}

/* One block of 256 as quantize_row_q8_K_ref does it, four values at a
 * time: the largest |x| (MAXPS with the new value first, so a NaN is
 * passed over as the reference's "ax > amax" does), the first value with
 * it, then ggml's nearest_int (the float addition of 1.5 * 2^23 rounds to
 * nearest even) and MIN(127, .), never below -127 here. */
static void q8_k_block(const float *x, int8_t *q, float *d, int16_t *bsums, int16_t *sums32) {
    const __m128 absmask = _mm_castsi128_ps(_mm_set1_epi32(0x7fffffff));
    __m128 m = _mm_setzero_ps();
    for (int j = 0; j < 256; j += 4) m = _mm_max_ps(_mm_and_ps(_mm_loadu_ps(x + j), absmask), m);
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_shuffle_ps(m, m, 1));
    float amax = _mm_cvtss_f32(m);
    if (amax == 0.0f) {
        *d = 0.0f;
        memset(q, 0, 256);
        memset(bsums, 0, 16 * sizeof *bsums);
        memset(sums32, 0, 8 * sizeof *sums32);
        return;
    }
    __m128 am = _mm_set1_ps(amax);
    int first = 0;
    for (int j = 0; j < 256; j += 4) {
        int hit = _mm_movemask_ps(_mm_cmpeq_ps(_mm_and_ps(_mm_loadu_ps(x + j), absmask), am));
        if (hit) {
            first = j + __builtin_ctz((unsigned)hit);
            break;
        }
    }
    float iscale = -127.0f / x[first];
    const __m128 is = _mm_set1_ps(iscale), magic = _mm_set1_ps(12582912.0f);
    const __m128i mant = _mm_set1_epi32(0x007fffff), bias = _mm_set1_epi32(0x00400000);
    const __m128i top = _mm_set1_epi16(127), ones = _mm_set1_epi16(1);
    for (int j = 0; j < 256; j += 16) {
        __m128i i16[2];
        for (int h = 0; h < 2; h++) {
            __m128i a = _mm_sub_epi32(_mm_and_si128(_mm_castps_si128(_mm_add_ps(_mm_mul_ps(is, _mm_loadu_ps(x + j + 8 * h)), magic)), mant), bias);
            __m128i b = _mm_sub_epi32(_mm_and_si128(_mm_castps_si128(_mm_add_ps(_mm_mul_ps(is, _mm_loadu_ps(x + j + 8 * h + 4)), magic)), mant), bias);
            i16[h] = _mm_min_epi16(_mm_packs_epi32(a, b), top);
        }
        _mm_storeu_si128((__m128i *)(void *)(q + j), _mm_packs_epi16(i16[0], i16[1]));
        __m128i s4 = _mm_add_epi32(_mm_madd_epi16(i16[0], ones), _mm_madd_epi16(i16[1], ones));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4e));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xb1));
        bsums[j / 16] = (int16_t)_mm_cvtsi128_si32(s4);
    }
    for (int j = 0; j < 8; j++) sums32[j] = (int16_t)(bsums[2 * j] + bsums[2 * j + 1]);
    *d = 1.0f / iscale;
}

/* Four 32-bit lanes picked from a where mask is set, else from b. */
static inline __m128i pick(__m128i mask, __m128i a, __m128i b) {
    return _mm_or_si128(_mm_and_si128(mask, a), _mm_andnot_si128(mask, b));
}

/* x[0..3] rounded to binary16 as f32_to_f16 rounds them, into h, and back
 * to fp32 as f16_to_f32 widens them, into xf: SSE2, four at a time, since
 * every F16 product's input goes through here (scalar, TinyLlama's seven
 * products a layer took 1% of a one-core token). Subnormal results are
 * |x| * 2^24 (exact) rounded to an integer by CVTPS2DQ, nearest even as
 * MXCSR is left. */
static void f16_round4(const float *x, uint16_t *h, float *xf) {
    const __m128i one = _mm_set1_epi32(1);
    __m128i u = _mm_castps_si128(_mm_loadu_ps(x));
    __m128i a = _mm_and_si128(u, _mm_set1_epi32(0x7fffffff));
    __m128i sign = _mm_and_si128(_mm_srli_epi32(u, 16), _mm_set1_epi32(0x8000));
    /* normal: the exponent rebiased, ties to even on the 13 dropped bits */
    __m128i r = _mm_sub_epi32(a, _mm_set1_epi32(0x38000000));
    r = _mm_add_epi32(r, _mm_add_epi32(_mm_set1_epi32(0xfff), _mm_and_si128(_mm_srli_epi32(r, 13), one)));
    __m128i m = _mm_srli_epi32(r, 13);
    __m128i sub = _mm_cvtps_epi32(_mm_mul_ps(_mm_castsi128_ps(a), _mm_set1_ps(0x1p24f)));
    m = pick(_mm_cmplt_epi32(a, _mm_set1_epi32(0x38800000)), sub, m);
    m = pick(_mm_cmpgt_epi32(a, _mm_set1_epi32(0x477fefff)), _mm_set1_epi32(0x7c00), m);
    __m128i nan = _mm_or_si128(_mm_set1_epi32(0x7e00), _mm_and_si128(_mm_srli_epi32(a, 13), _mm_set1_epi32(0x3ff)));
    m = pick(_mm_cmpgt_epi32(a, _mm_set1_epi32(0x7f800000)), nan, m);
    /* back: normal by rebiasing, subnormal as m * 2^-24, infinity and NaN
     * (quiet already) by the exponent's bits */
    __m128i e = _mm_srli_epi32(m, 10);
    __m128i w = _mm_add_epi32(_mm_slli_epi32(m, 13), _mm_set1_epi32(112 << 23));
    __m128i tiny = _mm_castps_si128(_mm_mul_ps(_mm_cvtepi32_ps(m), _mm_set1_ps(0x1p-24f)));
    w = pick(_mm_cmpeq_epi32(e, _mm_setzero_si128()), tiny, w);
    __m128i special = _mm_or_si128(_mm_set1_epi32(0x7f800000), _mm_slli_epi32(_mm_and_si128(m, _mm_set1_epi32(0x3ff)), 13));
    w = pick(_mm_cmpeq_epi32(e, _mm_set1_epi32(0x1f)), special, w);
    _mm_storeu_ps(xf, _mm_castsi128_ps(_mm_or_si128(w, _mm_slli_epi32(sign, 16))));
    /* 16-bit halves: PACKSSDW saturates, so offset by 2^15 and back */
    __m128i bias = _mm_set1_epi32(0x8000);
    __m128i p = _mm_packs_epi32(_mm_sub_epi32(_mm_or_si128(m, sign), bias), _mm_setzero_si128());
    _mm_storel_epi64((__m128i *)(void *)h, _mm_xor_si128(p, _mm_set1_epi16((short)0x8000)));
}

/* The same for bfloat16 (f32_to_bf16, bf16_to_f32). */
static void bf16_round4(const float *x, uint16_t *h, float *xf) {
    __m128i u = _mm_castps_si128(_mm_loadu_ps(x));
    __m128i a = _mm_and_si128(u, _mm_set1_epi32(0x7fffffff));
    __m128i r = _mm_add_epi32(u, _mm_add_epi32(_mm_set1_epi32(0x7fff), _mm_and_si128(_mm_srli_epi32(u, 16), _mm_set1_epi32(1))));
    __m128i m = _mm_srli_epi32(r, 16);
    m = pick(_mm_cmpgt_epi32(a, _mm_set1_epi32(0x7f800000)), _mm_or_si128(_mm_srli_epi32(u, 16), _mm_set1_epi32(64)), m);
    _mm_storeu_ps(xf, _mm_castsi128_ps(_mm_slli_epi32(m, 16)));
    __m128i bias = _mm_set1_epi32(0x8000);
    __m128i p = _mm_packs_epi32(_mm_sub_epi32(m, bias), _mm_setzero_si128());
    _mm_storel_epi64((__m128i *)(void *)h, _mm_xor_si128(p, _mm_set1_epi16((short)0x8000)));
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
    case LLAMA_TYPE_BF16: {
        uint16_t *half = (uint16_t *)(void *)(base + L->half);
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            if (L->type == LLAMA_TYPE_F16) f16_round4(x + i, half + i, xf + i);
            else bf16_round4(x + i, half + i, xf + i);
        }
        for (; i < n; i++) {
            half[i] = L->type == LLAMA_TYPE_F16 ? f32_to_f16(x[i]) : f32_to_bf16(x[i]);
            xf[i] = L->type == LLAMA_TYPE_F16 ? f16_to_f32(half[i]) : bf16_to_f32(half[i]);
        }
        break;
    }
    case LLAMA_TYPE_Q8_0:
    case LLAMA_TYPE_Q8_1: {
        float *d = (float *)(void *)(base + L->d), *s = (float *)(void *)(base + L->s);
        int32_t *sum = (int32_t *)(void *)(base + L->sum);
        for (int b = 0; b < n / 32; b++) {
            float s1 = q8_block(x + 32 * b, q + 32 * b, &d[b], &sum[b], L->type == LLAMA_TYPE_Q8_1);
            if (L->type == LLAMA_TYPE_Q8_1) s[b] = s1;
        }
        int8_t *quads = (int8_t *)(base + L->quads);
        for (int i = 0; i + 128 <= n; i += 128)
            for (int k = 0; k < 4; k++) {            /* block k's halves */
                memcpy(quads + i + 16 * k, q + i + 32 * k, 16);
                memcpy(quads + i + 64 + 16 * k, q + i + 32 * k + 16, 16);
            }
        break;
    }
    case LLAMA_TYPE_Q8_K: {
        float *d = (float *)(void *)(base + L->d);
        int16_t *bsums = (int16_t *)(void *)(base + L->sum), *sums32 = (int16_t *)(void *)(base + L->s);
        int8_t *k4 = (int8_t *)(base + L->k4);
        for (int b = 0; b < n / 256; b++) {
            q8_k_block(x + 256 * b, q + 256 * b, &d[b], bsums + 16 * b, sums32 + 8 * b);
            for (int c = 0; c < 4; c++)
                for (int h = 0; h < 2; h++)
                    for (int j = 0; j < 8; j++)
                        memcpy(k4 + 256 * b + act_k4_at(c, h) + 4 * j,
                               q + 256 * b + 32 * j + 8 * c + 4 * h, 4);
        }
        break;
    }
    case LLAMA_TYPE_RUNQ8: {
        QuantVec qv = { q, (float *)(void *)(base + L->d), n, L->g, (int32_t *)(void *)(base + L->sum) };
        quantize(&qv, x);
        break;
    }
    }
}

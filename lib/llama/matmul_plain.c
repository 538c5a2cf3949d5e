/* The tensor products in plain C: the definition of each weight type's
 * summation order (matmul.h), written to be read, and the kernel of every
 * level for the types and shapes that have no SIMD kernel of their own.
 * The SIMD kernels must give exactly these bits. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"

/* The 8 lanes of matmul.h: lane k adds the p of blocks k, k+8, ... from
 * +0, then l[k] += l[k+4], l[k] += l[k+2], l[0] + l[1]. */
typedef struct { float l[8]; } Lanes;

static inline void lanes_add(Lanes *a, int b, float p) { a->l[b % 8] += p; }

static inline float lanes_sum(Lanes *a) {
    for (int k = 0; k < 4; k++) a->l[k] += a->l[k + 4];
    for (int k = 0; k < 2; k++) a->l[k] += a->l[k + 2];
    return a->l[0] + a->l[1];
}

/* One vector of prepared activations (activations.h). */
typedef ActView Act;

static const void *row_at(const llama_tensor *w, int i) {
    return (const unsigned char *)w->data + (size_t)i * w->row_bytes;
}

/* ---------------------------------------------------------------- F16, BF16 */

/* dot16 of the widened weights and x (the rounded activations). */
static float dot16_half(const uint16_t *w, const float *x, int n, int bf16) {
    float l[16] = { 0 };
    for (int j = 0; j < n; j++) {
        float wj = bf16 ? bf16_to_f32(w[j]) : f16_to_f32(w[j]);
        l[j % 16] += wj * x[j];
    }
    for (int k = 0; k < 8; k++) l[k] += l[k + 8];
    for (int k = 0; k < 4; k++) l[k] += l[k + 4];
    for (int k = 0; k < 2; k++) l[k] += l[k + 2];
    return l[0] + l[1];
}

static void half_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                      size_t ldy, int r0, int r1, int bf16) {
    for (int t = 0; t < m; t++) {
        const float *x = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes);
        for (int i = r0; i < r1; i++)
            y[(size_t)t * ldy + (size_t)i] = dot16_half(row_at(w, i), x, w->cols, bf16);
    }
}

static void f16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                     size_t ldy, int r0, int r1) {
    half_rows(w, L, act, m, y, ldy, r0, r1, 0);
}

static void bf16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                      size_t ldy, int r0, int r1) {
    half_rows(w, L, act, m, y, ldy, r0, r1, 1);
}

/* ---------------------------------------------------------------- blocks of 32 */

/* Quant j of a 32-value block as the format defines it. */
static inline int q4_nib(const uint8_t *qs, int j) { return j < 16 ? qs[j] & 0xf : qs[j - 16] >> 4; }

/* One kernel for the six 32-value types: isum per block, p, lanes. */
static void blocks32_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m,
                          float *y, size_t ldy, int r0, int r1) {
    int nb = w->cols / 32, type = w->type;
    for (int t = 0; t < m; t++) {
        Act a = act_view(L, act, t);
        for (int i = r0; i < r1; i++) {
            const unsigned char *row = row_at(w, i);
            Lanes acc = { { 0 } };
            for (int b = 0; b < nb; b++) {
                const int8_t *x = a.q + 32 * b;
                int32_t isum = 0;
                float p, dw, mw = 0.0f;
                switch (type) {
                case LLAMA_TYPE_Q8_0: {
                    const block_q8_0 *B = (const block_q8_0 *)(const void *)row + b;
                    for (int j = 0; j < 32; j++) isum += B->qs[j] * x[j];
                    dw = f16_to_f32(B->d);
                    break;
                }
                case LLAMA_TYPE_IQ4_NL_SPLIT: {
                    const uint8_t *qs = BLOCK32_FIELD(block_iq4_nl, qs, row, nb, b);
                    for (int j = 0; j < 32; j++) isum += iq4_values[q4_nib(qs, j)] * x[j];
                    dw = f16_load(BLOCK32_FIELD(block_iq4_nl, d, row, nb, b));
                    break;
                }
                case LLAMA_TYPE_Q4_0_SPLIT: {
                    const uint8_t *qs = BLOCK32_FIELD(block_q4_0, qs, row, nb, b);
                    for (int j = 0; j < 32; j++) isum += (q4_nib(qs, j) - 8) * x[j];
                    dw = f16_load(BLOCK32_FIELD(block_q4_0, d, row, nb, b));
                    break;
                }
                case LLAMA_TYPE_Q5_0_SPLIT: {
                    const uint8_t *qs = BLOCK32_FIELD(block_q5_0, qs, row, nb, b);
                    uint32_t qh = BLOCK32_QH(block_q5_0, row, nb, b);
                    for (int j = 0; j < 32; j++) isum += ((q4_nib(qs, j) | q5_fifth(qh, j)) - 16) * x[j];
                    dw = f16_load(BLOCK32_FIELD(block_q5_0, d, row, nb, b));
                    break;
                }
                case LLAMA_TYPE_Q4_1_SPLIT: {
                    const uint8_t *qs = BLOCK32_FIELD(block_q4_1, qs, row, nb, b);
                    for (int j = 0; j < 32; j++) isum += q4_nib(qs, j) * x[j];
                    dw = f16_load(BLOCK32_FIELD(block_q4_1, d, row, nb, b));
                    mw = f16_load(BLOCK32_FIELD(block_q4_1, m, row, nb, b));
                    break;
                }
                default: {                              /* Q5_1 */
                    const uint8_t *qs = BLOCK32_FIELD(block_q5_1, qs, row, nb, b);
                    uint32_t qh = BLOCK32_QH(block_q5_1, row, nb, b);
                    for (int j = 0; j < 32; j++) isum += (q4_nib(qs, j) | q5_fifth(qh, j)) * x[j];
                    dw = f16_load(BLOCK32_FIELD(block_q5_1, d, row, nb, b));
                    mw = f16_load(BLOCK32_FIELD(block_q5_1, m, row, nb, b));
                    break;
                }
                }
                p = (float)isum * (dw * a.d[b]);
                if (type == LLAMA_TYPE_Q4_1_SPLIT || type == LLAMA_TYPE_Q5_1_SPLIT) p = p + mw * a.s[b];
                lanes_add(&acc, b, p);
            }
            y[(size_t)t * ldy + (size_t)i] = lanes_sum(&acc);
        }
    }
}

/* ---------------------------------------------------------------- super-blocks of 256 */

/* One super-block's isum and msum (matmul.h), by type. x: its 256 q_x;
 * bsums, sums32: its sums of 16 and of 32 q_x. */
static void q2_k_sums(const block_q2_K *B, const int8_t *x, const int16_t *bsums, int32_t *isum,
                      int32_t *msum) {
    int32_t is = 0, ms = 0;
    for (int sub = 0; sub < 16; sub++) {
        int h = sub / 8, s = sub % 8 / 2, k = sub % 2, sp = 0;
        for (int l = 0; l < 16; l++)
            sp += ((B->qs[32 * h + 16 * k + l] >> (2 * s)) & 3) * x[128 * h + 32 * s + 16 * k + l];
        is += (B->scales[sub] & 0xf) * sp;
        ms += (B->scales[sub] >> 4) * bsums[sub];
    }
    *isum = is;
    *msum = ms;
}

static int32_t q3_k_sum(const block_q3_K *B, const int8_t *x) {
    int8_t sc[16];
    k3_scales(B->scales, sc);
    int32_t is = 0;
    for (int sub = 0; sub < 16; sub++) {
        int h = sub / 8, s = sub % 8 / 2, k = sub % 2, sp = 0;
        for (int l = 0; l < 16; l++) {
            int q = (B->qs[32 * h + 16 * k + l] >> (2 * s)) & 3;
            if (!(B->hmask[16 * k + l] >> (4 * h + s) & 1)) q -= 4;
            sp += q * x[128 * h + 32 * s + 16 * k + l];
        }
        is += sc[sub] * sp;
    }
    return is;
}

/* Q4_K and Q5_K (split, blocks.h: the quants at qs, Q5_K's fifth bits
 * at qh, NULL for Q4_K). */
static void q45_k_sums(const uint8_t *scales, const uint8_t *qs, const uint8_t *qh, const int8_t *x,
                       const int16_t *sums32, int32_t *isum, int32_t *msum) {
    uint8_t sc[8], mn[8];
    k4_scales(scales, sc, mn);
    int32_t is = 0, ms = 0;
    for (int sub = 0; sub < 8; sub++) {
        int sp = 0;
        for (int l = 0; l < 32; l++) {
            int v = 32 * sub + l;
            sp += k4_quant(qs, qh, v) * x[v];
        }
        is += sc[sub] * sp;
        ms += mn[sub] * sums32[sub];
    }
    *isum = is;
    *msum = ms;
}

static int32_t q6_k_sum(const block_q6_K *B, const int8_t *x) {
    int32_t is = 0;
    for (int sub = 0; sub < 16; sub++) {
        int sp = 0;
        for (int l16 = 0; l16 < 16; l16++) {
            int v = 16 * sub + l16, h = v / 128, s = v / 32 % 4, l = v % 32;
            int lo = B->ql[64 * h + 32 * (s % 2) + l];
            int q = ((s < 2 ? lo & 0xf : lo >> 4) | ((B->qh[32 * h + l] >> (2 * s)) & 3) << 4) - 32;
            sp += q * x[v];
        }
        is += B->scales[sub] * sp;
    }
    return is;
}

static int32_t iq4_xs_sum(const block_iq4_xs *B, const int8_t *x) {
    int32_t is = 0;
    for (int sub = 0; sub < 8; sub++) {
        int sp = 0;
        for (int l = 0; l < 32; l++) sp += iq4_values[q4_nib(B->qs + 16 * sub, l)] * x[32 * sub + l];
        is += (iq4xs_scale(B, sub) - 32) * sp;
    }
    return is;
}

static void kquant_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m,
                        float *y, size_t ldy, int r0, int r1) {
    int nb = w->cols / 256, type = w->type;
    for (int t = 0; t < m; t++) {
        Act a = act_view(L, act, t);
        for (int i = r0; i < r1; i++) {
            const unsigned char *row = row_at(w, i);
            Lanes acc = { { 0 } };
            for (int b = 0; b < nb; b++) {
                const int8_t *x = a.q + 256 * b;
                int32_t isum = 0, msum = 0;
                uint16_t d16, dmin16 = 0;
                switch (type) {
                case LLAMA_TYPE_Q2_K: {
                    const block_q2_K *B = (const block_q2_K *)(const void *)row + b;
                    q2_k_sums(B, x, a.bsums + 16 * b, &isum, &msum);
                    d16 = B->d;
                    dmin16 = B->dmin;
                    break;
                }
                case LLAMA_TYPE_Q3_K: {
                    const block_q3_K *B = (const block_q3_K *)(const void *)row + b;
                    isum = q3_k_sum(B, x);
                    d16 = B->d;
                    break;
                }
                case LLAMA_TYPE_Q4_K_SPLIT:
                case LLAMA_TYPE_Q5_K_SPLIT: {
                    size_t S = type == LLAMA_TYPE_Q4_K_SPLIT ? sizeof(block_q4_K) : sizeof(block_q5_K);
                    const block_q4_K *B = (const block_q4_K *)(const void *)(row + k4_head_at(S, b));  /* the head */
                    q45_k_sums(B->scales, row + k4_qs_at(S, nb, b), k4_qh_in(row, S, nb, b), x, a.sums32 + 8 * b,
                               &isum, &msum);
                    d16 = B->d;
                    dmin16 = B->dmin;
                    break;
                }
                case LLAMA_TYPE_IQ4_XS: {
                    const block_iq4_xs *B = (const block_iq4_xs *)(const void *)row + b;
                    isum = iq4_xs_sum(B, x);
                    d16 = B->d;
                    break;
                }
                default: {                              /* Q6_K */
                    const block_q6_K *B = (const block_q6_K *)(const void *)row + b;
                    isum = q6_k_sum(B, x);
                    d16 = B->d;
                    break;
                }
                }
                float dd = a.d[b] * f16_to_f32(d16), p = dd * (float)isum;
                if (type == LLAMA_TYPE_Q2_K || type == LLAMA_TYPE_Q4_K_SPLIT || type == LLAMA_TYPE_Q5_K_SPLIT) {
                    float dm = a.d[b] * f16_to_f32(dmin16);
                    p = p - dm * (float)msum;
                }
                lanes_add(&acc, b, p);
            }
            y[(size_t)t * ldy + (size_t)i] = lanes_sum(&acc);
        }
    }
}

const matmul_tensor_fn matmul_plain[MATMUL_KINDS] = {
    [MATMUL_F16] = f16_rows,       [MATMUL_BF16] = bf16_rows,
    [MATMUL_Q8_0] = blocks32_rows, [MATMUL_Q4_0] = blocks32_rows, [MATMUL_Q4_1] = blocks32_rows,
    [MATMUL_Q5_0] = blocks32_rows, [MATMUL_Q5_1] = blocks32_rows,
    [MATMUL_Q2_K] = kquant_rows,   [MATMUL_Q3_K] = kquant_rows,   [MATMUL_Q4_K] = kquant_rows,
    [MATMUL_Q5_K] = kquant_rows,   [MATMUL_Q6_K] = kquant_rows,
    [MATMUL_IQ4_NL] = blocks32_rows, [MATMUL_IQ4_XS] = kquant_rows,
};

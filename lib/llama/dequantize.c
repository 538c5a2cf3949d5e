/* One row of a weight tensor as fp32 (matmul.h's matmul_dequantize_row):
 * the token embedding lookup (ggml's get_rows) and the tests' reference.
 *
 * Every value is ggml's (ggml-quants.c, dequantize_row_*), float operation
 * for float operation: Q4_0 (q - 8) * d; Q4_1 q * d + m; Q5_0 (q - 16) * d;
 * Q5_1 q * d + m; Q8_0 q * d; Q2_K (d * sc) * q - dmin * mn; Q3_K
 * (d * sc) * q; Q4_K and Q5_K (d * sc) * q - dmin * mn; Q6_K (d * sc) * q
 * (sc the sub-block's integer scale, mn its integer minimum); IQ4_NL and
 * IQ4_XS below. RUNQ8:
 * runq.c's q * scale of the value's group. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/libc.h"

static void q8_0(const block_q8_0 *b, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32) {
        float d = f16_to_f32(b[i].d);
        for (int j = 0; j < 32; j++) y[j] = (float)b[i].qs[j] * d;
    }
}

/* The blocks of 4 and 5 bits as the kernels keep them (blocks.h's split
 * rows), block i's fields: */
#define D_OF(BT) f16_load(BLOCK32_FIELD(BT, d, row, nb, i))
#define M_OF(BT) f16_load(BLOCK32_FIELD(BT, m, row, nb, i))

static void q4_0(const void *row, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32) {
        float d = D_OF(block_q4_0);
        const uint8_t *qs = BLOCK32_FIELD(block_q4_0, qs, row, nb, i);
        for (int j = 0; j < 16; j++) {
            y[j] = (float)((qs[j] & 0xf) - 8) * d;
            y[j + 16] = (float)((qs[j] >> 4) - 8) * d;
        }
    }
}

static void q4_1(const void *row, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32) {
        float d = D_OF(block_q4_1), m = M_OF(block_q4_1);
        const uint8_t *qs = BLOCK32_FIELD(block_q4_1, qs, row, nb, i);
        for (int j = 0; j < 16; j++) {
            y[j] = (float)(qs[j] & 0xf) * d + m;
            y[j + 16] = (float)(qs[j] >> 4) * d + m;
        }
    }
}

static void q5_0(const void *row, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32) {
        float d = D_OF(block_q5_0);
        const uint8_t *qs = BLOCK32_FIELD(block_q5_0, qs, row, nb, i);
        uint32_t qh = BLOCK32_QH(block_q5_0, row, nb, i);
        for (int j = 0; j < 16; j++) {
            y[j] = (float)(((qs[j] & 0xf) | q5_fifth(qh, j)) - 16) * d;
            y[j + 16] = (float)(((qs[j] >> 4) | q5_fifth(qh, j + 16)) - 16) * d;
        }
    }
}

static void q5_1(const void *row, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32) {
        float d = D_OF(block_q5_1), m = M_OF(block_q5_1);
        const uint8_t *qs = BLOCK32_FIELD(block_q5_1, qs, row, nb, i);
        uint32_t qh = BLOCK32_QH(block_q5_1, row, nb, i);
        for (int j = 0; j < 16; j++) {
            y[j] = (float)((qs[j] & 0xf) | q5_fifth(qh, j)) * d + m;
            y[j + 16] = (float)((qs[j] >> 4) | q5_fifth(qh, j + 16)) * d + m;
        }
    }
}

/* Q2_K: value 128*h + 32*s + 16*k + l (h < 2, s < 4 its shift, k < 2, l <
 * 16) is bits 2s..2s+1 of qs[32*h + 16*k + l], in sub-block 8*h + 2*s + k. */
static void q2_k(const block_q2_K *b, float *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d = f16_to_f32(b[i].d), dmin = f16_to_f32(b[i].dmin);
        for (int v = 0; v < 256; v++, y++) {
            int h = v / 128, s = v / 32 % 4, k = v / 16 % 2, l = v % 16;
            int sub = 8 * h + 2 * s + k, q = (b[i].qs[32 * h + 16 * k + l] >> (2 * s)) & 3;
            float dl = d * (float)(b[i].scales[sub] & 0xf), ml = dmin * (float)(b[i].scales[sub] >> 4);
            *y = dl * (float)q - ml;
        }
    }
}

/* Q3_K: as Q2_K for the two low bits; minus 4 unless bit 4*h + s of
 * hmask[16*k + l] is set. */
static void q3_k(const block_q3_K *b, float *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d = f16_to_f32(b[i].d);
        int8_t sc[16];
        k3_scales(b[i].scales, sc);
        for (int v = 0; v < 256; v++, y++) {
            int h = v / 128, s = v / 32 % 4, k = v / 16 % 2, l = v % 16;
            int q = (b[i].qs[32 * h + 16 * k + l] >> (2 * s)) & 3;
            if (!(b[i].hmask[16 * k + l] >> (4 * h + s) & 1)) q -= 4;
            *y = (d * (float)sc[8 * h + 2 * s + k]) * (float)q;
        }
    }
}

/* Q4_K's and Q5_K's split rows (blocks.h; S: the block's bytes): each
 * block's head, fifth bits and quants where k4_head_at, k4_qh_in and
 * k4_qs_at put them, value v where k4_quant reads it, in sub-block
 * v / 32. */
static void q45_k(const unsigned char *row, float *y, int nb, size_t S) {
    for (int i = 0; i < nb; i++) {
        const block_q4_K *h = (const block_q4_K *)(const void *)(row + k4_head_at(S, i));   /* d, dmin, scales */
        const uint8_t *qs = row + k4_qs_at(S, nb, i), *qh = k4_qh_in(row, S, nb, i);
        float d = f16_load(&h->d), dmin = f16_load(&h->dmin);
        uint8_t sc[8], mn[8];
        k4_scales(h->scales, sc, mn);
        for (int v = 0; v < 256; v++, y++) {
            int q = k4_quant(qs, qh, v);
            *y = (d * (float)sc[v / 32]) * (float)q - dmin * (float)mn[v / 32];
        }
    }
}

/* Q6_K: value 128*h + 32*s + l (s < 4): low nibble (s even) or high nibble
 * (s odd) of ql[64*h + 32*(s%2) + l], bits 2s..2s+1 of qh[32*h + l] on top;
 * minus 32; sub-block v / 16. */
static void q6_k(const block_q6_K *b, float *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d = f16_to_f32(b[i].d);
        for (int v = 0; v < 256; v++, y++) {
            int h = v / 128, s = v / 32 % 4, l = v % 32;
            int lo = b[i].ql[64 * h + 32 * (s % 2) + l];
            int q = ((s < 2 ? lo & 0xf : lo >> 4) | ((b[i].qh[32 * h + l] >> (2 * s)) & 3) << 4) - 32;
            *y = (d * (float)b[i].scales[v / 16]) * (float)q;
        }
    }
}

/* IQ4_NL: d * value; IQ4_XS: (d * (ls - 32)) * value, as ggml's
 * dequantize_row_iq4_nl/_xs. 32 values of either from their 16 bytes of
 * nibbles at qs, times scale. */
static void iq4_values_times(const uint8_t *qs, float scale, float *y) {
    for (int j = 0; j < 16; j++) {
        y[j] = scale * (float)iq4_values[qs[j] & 0xf];
        y[j + 16] = scale * (float)iq4_values[qs[j] >> 4];
    }
}

static void iq4_nl(const void *row, float *y, int nb) {
    for (int i = 0; i < nb; i++, y += 32)
        iq4_values_times(BLOCK32_FIELD(block_iq4_nl, qs, row, nb, i), D_OF(block_iq4_nl), y);
}

static void iq4_xs(const block_iq4_xs *b, float *y, int nb) {
    for (int i = 0; i < nb; i++) {
        float d = f16_to_f32(b[i].d);
        for (int sub = 0; sub < 8; sub++, y += 32)
            iq4_values_times(b[i].qs + 16 * sub, d * (float)(iq4xs_scale(&b[i], sub) - 32), y);
    }
}

void matmul_dequantize_row(const llama_tensor *w, int r, float *out) {
    const unsigned char *row = (const unsigned char *)w->data + (size_t)r * w->row_bytes;
    int n = w->cols;
    switch (w->type) {
    case LLAMA_TYPE_F32: memcpy(out, row, (size_t)n * sizeof *out); break;
    case LLAMA_TYPE_F16:
        for (int i = 0; i < n; i++) {
            uint16_t h;
            __builtin_memcpy(&h, row + 2 * i, 2);
            out[i] = f16_to_f32(h);
        }
        break;
    case LLAMA_TYPE_BF16:
        for (int i = 0; i < n; i++) {
            uint16_t h;
            __builtin_memcpy(&h, row + 2 * i, 2);
            out[i] = bf16_to_f32(h);
        }
        break;
    case LLAMA_TYPE_Q8_0: q8_0((const block_q8_0 *)(const void *)row, out, n / 32); break;
    case LLAMA_TYPE_Q4_0_SPLIT: q4_0(row, out, n / 32); break;
    case LLAMA_TYPE_Q4_1_SPLIT: q4_1(row, out, n / 32); break;
    case LLAMA_TYPE_Q5_0_SPLIT: q5_0(row, out, n / 32); break;
    case LLAMA_TYPE_Q5_1_SPLIT: q5_1(row, out, n / 32); break;
    case LLAMA_TYPE_Q2_K: q2_k((const block_q2_K *)(const void *)row, out, n / 256); break;
    case LLAMA_TYPE_Q3_K: q3_k((const block_q3_K *)(const void *)row, out, n / 256); break;
    case LLAMA_TYPE_Q4_K_SPLIT: q45_k(row, out, n / 256, sizeof(block_q4_K)); break;
    case LLAMA_TYPE_Q5_K_SPLIT: q45_k(row, out, n / 256, sizeof(block_q5_K)); break;
    case LLAMA_TYPE_Q6_K: q6_k((const block_q6_K *)(const void *)row, out, n / 256); break;
    case LLAMA_TYPE_IQ4_NL_SPLIT: iq4_nl(row, out, n / 32); break;
    case LLAMA_TYPE_IQ4_XS: iq4_xs((const block_iq4_xs *)(const void *)row, out, n / 256); break;
    case LLAMA_TYPE_RUNQ8: {
        const int8_t *q = (const int8_t *)w->data;
        size_t base = (size_t)r * (size_t)n, gs = (size_t)w->group_size;
        for (int i = 0; i < n; i++) out[i] = (float)q[base + i] * w->scales[(base + i) / gs];
        break;
    }
    default: memset(out, 0, (size_t)n * sizeof *out); break;
    }
}

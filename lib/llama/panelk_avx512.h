/* Panels of 16 rows of the K-quants for the AVX-512 batched kernels,
 * VNNI's (batch_avx512.c) and AMX's (batch_amx.c, Q4_K, Q5_K, Q6_K): the
 * quants unsigned and in value order, dword v of super-block b of row r in
 * lane r of q[b][v] (VPDPBUSD's operand with rows in lanes, and 16 of them
 * an AMX B tile of 64 values), the sub-blocks' scales as int32 lanes. */
#ifndef LIB_LLAMA_PANELK_AVX512_H
#define LIB_LLAMA_PANELK_AVX512_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/panel32_avx512.h"
#include "lib/llama/simd.h"

#define PANELK_TARGET PANEL32_TARGET
#define PANELK_INLINE PANEL32_TARGET static inline __attribute__((always_inline))

/* A panel of 16 rows by up to PANEL_SUPER super-blocks. Quants unsigned,
 * in value order, dword v of super-block b in q[b][v], lane = row. */
#define PANEL_SUPER 8

typedef struct {
    __m512i q[PANEL_SUPER][64];
    __m512i sc[PANEL_SUPER][16];    /* sub-block scales (int32); Q4_K: 8 of them */
    __m512i pair[PANEL_SUPER][8];   /* int16 pairs: Q4_K minimums (4), Q6_K scales (8) */
    __m512 d[PANEL_SUPER], dmin[PANEL_SUPER];
} PanelK;

/* The 16 rows' fp16 fields at byte `off` of super-block b (zero past the matrix). */
PANELK_INLINE __m512 pack_half16(const unsigned char *base, size_t stride, int rows, size_t off) {
    uint16_t h[16];
    for (int j = 0; j < 16; j++) {
        h[j] = 0;
        if (j < rows) __builtin_memcpy(&h[j], base + (size_t)j * stride + off, 2);
    }
    return pack_d(h);
}

/* Q4_K's and Q5_K's scales and minimums of 16 rows (the 12 bytes at
 * `scales` of row j, j < rows) into P->sc[i][0..7] (int32 per row) and
 * P->pair[i][0..3] (the minimums in int16 pairs); their d and dmin (the
 * first four bytes of the block at `block`) into P->d[i], P->dmin[i]. The
 * 6-bit fields come out of 32-bit words (blocks.h's k4_scales), the bytes
 * of the 16 rows go to lanes through 64-bit lanes and VPMOVQD. */
PANELK_INLINE void pack_k4_scales(PanelK *P, int i, const unsigned char *scales, const unsigned char *block,
                                         size_t stride, int rows) {
    uint64_t sc[16], mn[16];
    uint32_t dd[16];
    for (int j = 0; j < 16; j++) {
        sc[j] = mn[j] = 0;
        dd[j] = 0;
        if (j >= rows) continue;
        uint32_t u0, u1, u2;
        __builtin_memcpy(&u0, scales + (size_t)j * stride, 4);
        __builtin_memcpy(&u1, scales + (size_t)j * stride + 4, 4);
        __builtin_memcpy(&u2, scales + (size_t)j * stride + 8, 4);
        __builtin_memcpy(&dd[j], block + (size_t)j * stride, 4);
        uint32_t sc_hi = (u2 & 0x0f0f0f0f) | ((u0 >> 6) & 0x03030303) << 4;
        uint32_t mn_hi = ((u2 >> 4) & 0x0f0f0f0f) | ((u1 >> 6) & 0x03030303) << 4;
        sc[j] = (uint64_t)sc_hi << 32 | (u0 & 0x3f3f3f3f);
        mn[j] = (uint64_t)mn_hi << 32 | (u1 & 0x3f3f3f3f);
    }
    __m512i s0 = _mm512_loadu_si512((const void *)sc), s1 = _mm512_loadu_si512((const void *)(sc + 8));
    __m512i m0 = _mm512_loadu_si512((const void *)mn), m1 = _mm512_loadu_si512((const void *)(mn + 8));
    const __m512i byte = _mm512_set1_epi64(0xff);
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) {
        __m256i a = _mm512_cvtepi64_epi32(_mm512_and_si512(_mm512_srli_epi64(s0, 8 * k), byte));
        __m256i b = _mm512_cvtepi64_epi32(_mm512_and_si512(_mm512_srli_epi64(s1, 8 * k), byte));
        P->sc[i][k] = _mm512_inserti64x4(_mm512_castsi256_si512(a), b, 1);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {         /* bytes 2k, 2k+1 -> int16 halves of a dword */
        __m512i t0 = _mm512_srli_epi64(m0, 16 * k), t1 = _mm512_srli_epi64(m1, 16 * k);
        const __m512i hi8 = _mm512_set1_epi64(0xff00);
        t0 = _mm512_or_si512(_mm512_and_si512(t0, byte), _mm512_slli_epi64(_mm512_and_si512(t0, hi8), 8));
        t1 = _mm512_or_si512(_mm512_and_si512(t1, byte), _mm512_slli_epi64(_mm512_and_si512(t1, hi8), 8));
        P->pair[i][k] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(t0)),
                                           _mm512_cvtepi64_epi32(t1), 1);
    }
    __m512i d32 = _mm512_loadu_si512((const void *)dd);
    P->d[i] = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(d32));
    P->dmin[i] = _mm512_cvtph_ps(_mm512_cvtepi32_epi16(_mm512_srli_epi32(d32, 16)));
}

/* The 16 rows' 32 bytes at byte `off` of their block (zero past `rows`),
 * transposed: out[k], lane r = dword k of row r. */
PANELK_INLINE void rows_bytes32(const unsigned char *blocks, size_t stride, int rows, size_t off, __m512i out[8]) {
    __m256i r[16];
#pragma GCC unroll 16
    for (int j = 0; j < 16; j++)
        r[j] = j < rows ? _mm256_loadu_si256((const __m256i *)(const void *)(blocks + (size_t)j * stride + off))
                        : _mm256_setzero_si256();
    transpose16x8(r, out);
}

/* Q4_K's and Q5_K's split rows (blocks.h; S: the block's bytes; rows of
 * stride bytes): the raw quant bytes transposed, then split into nibbles
 * (the byte operations do not care which lane a dword sits in). Dword j
 * of quants c holds values 32j + 8c .. +3 (low nibbles) and the four
 * after them (high); Q5_K's fifth bits of each, bits 2c and 2c + 1 of
 * dword j of its fifth bits, as 16. */
PANELK_INLINE void pack_q45_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb,
                              const size_t S) {
    const __m512i m4 = _mm512_set1_epi8(0x0f), one = _mm512_set1_epi8(1);
    const int row_nb = (int)(stride / S);
    for (int i = 0; i < nb; i++) {
        size_t head = k4_head_at(S, b0 + i), qs = k4_qs_at(S, row_nb, b0 + i);
        __m512i qh[8];
        if (S == sizeof(block_q5_K)) rows_bytes32(base, stride, rows, k4_qh_at(row_nb, b0 + i), qh);
        for (int c = 0; c < 4; c++) {
            __m512i t[8];
            rows_bytes32(base, stride, rows, qs + 32 * (size_t)c, t);
            for (int j = 0; j < 8; j++) {
                __m512i lo = _mm512_and_si512(t[j], m4), hi = _mm512_and_si512(_mm512_srli_epi16(t[j], 4), m4);
                if (S == sizeof(block_q5_K)) {
                    lo = _mm512_or_si512(lo, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh[j], 2 * c), one), 4));
                    hi = _mm512_or_si512(hi, _mm512_slli_epi16(_mm512_and_si512(_mm512_srli_epi16(qh[j], 2 * c + 1), one), 4));
                }
                P->q[i][8 * j + 2 * c] = lo;
                P->q[i][8 * j + 2 * c + 1] = hi;
            }
        }
        pack_k4_scales(P, i, base + head + offsetof(block_q4_K, scales), base + head, stride, rows);
    }
}
PANELK_TARGET static inline void pack_q4_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0,
                                          int nb) {
    pack_q45_k(P, base, stride, rows, b0, nb, sizeof(block_q4_K));
}
PANELK_TARGET static inline void pack_q5_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0,
                                          int nb) {
    pack_q45_k(P, base, stride, rows, b0, nb, sizeof(block_q5_K));
}

PANELK_TARGET static inline void pack_q6_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0,
                                          int nb) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    for (int i = 0; i < nb; i++) {
        const unsigned char *B0 = (const unsigned char *)((const block_q6_K *)(const void *)base + b0 + i);
        for (int h = 0; h < 2; h++) {           /* values 128h .. 128h + 127: the raw bytes transposed, then combined */
            __m512i ql0[8], ql1[8], qh[8];
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, ql) + 64 * (size_t)h, ql0);
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, ql) + 64 * (size_t)h + 32, ql1);
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, qh) + 32 * (size_t)h, qh);
            for (int k = 0; k < 8; k++) {
                __m512i *q = &P->q[i][32 * h];
                q[k] = _mm512_or_si512(_mm512_and_si512(ql0[k], m4),
                                       _mm512_slli_epi16(_mm512_and_si512(qh[k], _mm512_set1_epi8(0x03)), 4));
                q[8 + k] = _mm512_or_si512(_mm512_and_si512(ql1[k], m4),
                                           _mm512_slli_epi16(_mm512_and_si512(qh[k], _mm512_set1_epi8(0x0c)), 2));
                q[16 + k] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql0[k], 4), m4),
                                            _mm512_and_si512(qh[k], _mm512_set1_epi8(0x30)));
                q[24 + k] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql1[k], 4), m4),
                                            _mm512_srli_epi16(_mm512_and_si512(qh[k], _mm512_set1_epi8((char)0xc0)), 2));
            }
        }
        int32_t *sc = (int32_t *)(void *)P->sc[i];
        uint32_t *pr = (uint32_t *)(void *)P->pair[i];
        for (int j = 0; j < 16; j++) {
            const int8_t *s8 =
                j < rows ? ((const block_q6_K *)(const void *)(base + (size_t)j * stride) + b0 + i)->scales : NULL;
            for (int k = 0; k < 16; k++) sc[16 * k + j] = s8 ? s8[k] : 0;
            for (int k = 0; k < 8; k++)
                pr[16 * k + j] = s8 ? (uint32_t)(uint16_t)s8[2 * k] | (uint32_t)(uint16_t)s8[2 * k + 1] << 16 : 0;
        }
        P->d[i] = pack_half16(base, stride, rows, (size_t)(b0 + i) * sizeof(block_q6_K) + 208);
    }
}

#endif

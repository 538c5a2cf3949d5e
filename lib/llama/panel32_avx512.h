/* Panels of 16 rows of a blocks-of-32 weight type (Q8_0, Q4_0, Q5_0,
 * Q4_1, Q5_1) for the AVX-512 batched kernels, VNNI's (batch_avx512.c)
 * and AMX's (batch_amx.c), and what else those two share (the chunk of
 * vectors, the lane vectors' tree). In a panel, dword k of block b of row
 * r is in lane r of one 64-byte vector, which is both VPDPBUSD's operand
 * with rows in lanes and the B tile of AMX's TDPB*D (a row of the tile per
 * dword k, a column per row of the weights). Each kernel wants the quants
 * in its own range, so the packers add a bias to every quant byte: VNNI
 * multiplies unsigned weights (Q8_0 + 128), AMX signed ones (Q4_0 - 8,
 * Q5_0 - 16). */
#ifndef LIB_LLAMA_PANEL32_AVX512_H
#define LIB_LLAMA_PANEL32_AVX512_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/simd.h"

#define PANEL32_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/* Bytes of activations a pass keeps in the L2 cache: all the rows go by
 * for one chunk of vectors before the next chunk (the weights are read
 * and packed once per chunk, the activations once per call). */
#define X_CHUNK_BYTES (384 * 1024)

/* Vectors whose lane vectors wait on the stack while a long row's pieces
 * go by (rows of more than one piece only). */
#define SPILL_VECTORS 48

/* The tree of matmul.h over the eight lane vectors of 16 rows. */
PANEL32_TARGET static inline __attribute__((always_inline)) __m512 tree8(const __m512 l[8]) {
    __m512 a0 = _mm512_add_ps(l[0], l[4]), a1 = _mm512_add_ps(l[1], l[5]);
    __m512 a2 = _mm512_add_ps(l[2], l[6]), a3 = _mm512_add_ps(l[3], l[7]);
    return _mm512_add_ps(_mm512_add_ps(a0, a2), _mm512_add_ps(a1, a3));
}

/* The packed panel: 16 rows by up to PANEL_BLOCKS blocks (4096 values). */
#define PANEL_BLOCKS 128

typedef struct {
    __m512i q[PANEL_BLOCKS][8];     /* dword k of block b, lane = row */
    __m512 d[PANEL_BLOCKS];         /* the rows' d_w of block b */
    __m512 m[PANEL_BLOCKS];         /* Q4_1, Q5_1: the rows' m_w */
} Panel32;

/* out[k], lane r = dword k of rows[r] (16 rows of 8 dwords): each pair of
 * rows j, j + 8 in one register, then an 8 x 8 transpose in both halves at
 * once (unpack dwords, unpack qwords, permute 128-bit pieces). */
PANEL32_TARGET static inline __attribute__((always_inline)) void transpose16x8(const __m256i rows[16],
                                                                               __m512i out[8]) {
    __m512i z[8], t[8], u[8];
    for (int j = 0; j < 8; j++) z[j] = _mm512_inserti64x4(_mm512_castsi256_si512(rows[j]), rows[j + 8], 1);
    for (int j = 0; j < 8; j += 2) {
        t[j] = _mm512_unpacklo_epi32(z[j], z[j + 1]);      /* a0 b0 a1 b1 | a4 b4 a5 b5 | ... */
        t[j + 1] = _mm512_unpackhi_epi32(z[j], z[j + 1]);  /* a2 b2 a3 b3 | a6 b6 a7 b7 | ... */
    }
    for (int j = 0; j < 8; j += 4) {
        u[j] = _mm512_unpacklo_epi64(t[j], t[j + 2]);      /* a0 b0 c0 d0 | a4 b4 c4 d4 | ... */
        u[j + 1] = _mm512_unpackhi_epi64(t[j], t[j + 2]);  /* a1 b1 c1 d1 | a5 ... */
        u[j + 2] = _mm512_unpacklo_epi64(t[j + 1], t[j + 3]);  /* a2 ... | a6 ... */
        u[j + 3] = _mm512_unpackhi_epi64(t[j + 1], t[j + 3]);  /* a3 ... | a7 ... */
    }
    /* u[k] (rows a-d) and u[4 + k] (rows e-h), 128-bit pieces: dword k, dword 4 + k, the same for rows 8-15 */
    const __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13), hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    for (int k = 0; k < 4; k++) {
        out[k] = _mm512_permutex2var_epi64(u[k], lo, u[4 + k]);
        out[4 + k] = _mm512_permutex2var_epi64(u[k], hi, u[4 + k]);
    }
}

/* The d of 16 rows' blocks as fp32 (zero past the matrix). */
PANEL32_TARGET static inline __attribute__((always_inline)) __m512 pack_d(const uint16_t h[16]) {
    return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)h));
}

/* The 32 quants (value order) of a Q5 block: nibbles, and 16 where the
 * block's qh word has the value's bit. */
PANEL32_TARGET static inline __attribute__((always_inline)) __m256i q5_quants(const uint8_t qs[16], uint32_t qh) {
    __m128i q = _mm_loadu_si128((const __m128i *)(const void *)qs);
    __m256i n = _mm256_and_si256(_mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1),
                                 _mm256_set1_epi8(0x0f));
    return _mm256_or_si256(n, _mm256_and_si256(_mm256_movm_epi8((__mmask32)qh), _mm256_set1_epi8(0x10)));
}

/* The 32 nibbles (value order) of a Q4 block. */
PANEL32_TARGET static inline __attribute__((always_inline)) __m256i q4_quants(const uint8_t qs[16]) {
    __m128i q = _mm_loadu_si128((const __m128i *)(const void *)qs);
    return _mm256_and_si256(_mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1),
                            _mm256_set1_epi8(0x0f));
}

/* Packers: blocks [b0, b0 + nb) of the panel's `rows` rows (the others
 * zero), row r at base + r * stride (stride: the tensor's row_bytes, rows
 * of nbr blocks), each quant plus `bias` (mod 256); Q4_1 and Q5_1 also
 * their m (HAS_M, the field MF). QUANTS(BT, R, b): block b's quants in
 * row R; its fields where blocks.h's BLOCK32_FIELD_AT says. */
#define PANEL32_PACK(FN, BT, QUANTS, HAS_M, MF)                                                      \
    PANEL32_TARGET static void FN(Panel32 *P, const unsigned char *base, size_t stride, int rows, int b0, \
                                  int nb, int8_t bias) {                                             \
        __attribute__((unused)) const int nbr = (int)(stride / sizeof(BT));                          \
        for (int i = 0; i < nb; i++) {                                                               \
            __m256i r[16];                                                                           \
            uint16_t h[16], hm[16];                                                                  \
            for (int j = 0; j < 16; j++) {                                                           \
                const unsigned char *R = base + (size_t)j * stride;                                  \
                r[j] = j < rows ? _mm256_add_epi8(QUANTS(BT, R, b0 + i), _mm256_set1_epi8(bias)) : _mm256_setzero_si256(); \
                h[j] = hm[j] = 0;                                                                    \
                if (j < rows) __builtin_memcpy(&h[j], BLOCK32_FIELD(BT, d, R, nbr, b0 + i), 2);      \
                if (HAS_M && j < rows) __builtin_memcpy(&hm[j], BLOCK32_FIELD(BT, MF, R, nbr, b0 + i), 2); \
            }                                                                                        \
            transpose16x8(r, P->q[i]);                                                               \
            P->d[i] = pack_d(h);                                                                     \
            if (HAS_M) P->m[i] = pack_d(hm);                                                         \
        }                                                                                            \
    }
#define PANEL32_Q8_0(BT, R, b) _mm256_loadu_si256((const __m256i *)(const void *)BLOCK32_FIELD(BT, qs, R, nbr, b))
#define PANEL32_Q4(BT, R, b) q4_quants(BLOCK32_FIELD(BT, qs, R, nbr, b))
#define PANEL32_Q5(BT, R, b) q5_quants(BLOCK32_FIELD(BT, qs, R, nbr, b), BLOCK32_QH(BT, R, nbr, b))
PANEL32_PACK(pack_q8_0, block_q8_0, PANEL32_Q8_0, 0, d)
PANEL32_PACK(pack_q4_0, block_q4_0, PANEL32_Q4, 0, d)
PANEL32_PACK(pack_q5_0, block_q5_0, PANEL32_Q5, 0, d)
PANEL32_PACK(pack_q4_1, block_q4_1, PANEL32_Q4, 1, m)
PANEL32_PACK(pack_q5_1, block_q5_1, PANEL32_Q5, 1, m)

#endif

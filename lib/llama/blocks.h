/* ggml's block formats for quantized weights (ggml-common.h), as C
 * structs, and the unpacking of the K-quants' packed sub-block scales.
 *
 * A row of a quantized tensor is a run of blocks, each holding its
 * values' integers (quants) and the fp16 scale(s) that turn them into
 * numbers. "_0" types: x = d * q; "_1" types: x = d * q + m. Q8_0, Q4_0,
 * Q4_1, Q5_0, Q5_1: blocks of 32 values. The K-quants: super-blocks of 256
 * values in sub-blocks of 16 or 32, each sub-block with its own small
 * integer scale (and minimum) relative to the super-block's fp16 d (and
 * dmin). Within a block, value j of the row is stored as ggml stores it:
 * the low nibbles of 16 (Q4_0) or 32 (Q4_K) bytes are the first half of
 * the group, the high nibbles the second half; see dequantize.c. */
#ifndef LIB_LLAMA_BLOCKS_H
#define LIB_LLAMA_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

#define QK 32          /* values per block of the 32-value types */
#define QK_K 256       /* values per K-quant super-block */

typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;
typedef struct { uint16_t d; uint8_t qs[16]; } block_q4_0;
typedef struct { uint16_t d, m; uint8_t qs[16]; } block_q4_1;
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } block_q5_0;
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } block_q5_1;

/* 16 sub-blocks of 16: scales[j] = 4-bit scale (low) and 4-bit min (high). */
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d, dmin; } block_q2_K;
/* 16 sub-blocks of 16, 6-bit scales (biased by 32) packed in 12 bytes; quant
 * = 2 low bits from qs, minus 4 unless the bit in hmask is set. */
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } block_q3_K;
/* 8 sub-blocks of 32, 6-bit scales and mins packed in 12 bytes. */
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } block_q4_K;
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } block_q5_K;
/* 16 sub-blocks of 16, int8 scales; quant = 4 low bits (ql) | 2 high bits (qh) << 4, minus 32. */
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } block_q6_K;

/* Q4_0 as the kernels read it (LLAMA_TYPE_Q4_0_SPLIT, made from ggml's
 * rows of block_q4_0 in place by llama_tensor_prepare): each run of 32
 * blocks of a row (the row's last run: the blocks left) holds, in the
 * bytes its blocks took, their fp16 d side by side, then their 16 bytes of
 * qs side by side. So four blocks' qs come in one 64-byte load that
 * crosses no 32-byte boundary where the row starts on one (ggml's 18-byte
 * blocks need a permute to gather them, and most loads cross lines), and
 * eight blocks' d in one load. kbench, Zen 4, one core, AVX-512 VNNI,
 * from DRAM: 24-25 -> 30 GB/s (2048 and 5632 columns; from L2 35 -> 44).
 * Runs of 8 blocks (d, qs in 144 bytes, the loads at 16-byte offsets) did
 * no better than ggml's layout from DRAM (25). */
#define Q4_0_RUN 32
/* The first byte of block b's run, from the row's start. */
static inline size_t q4_0_run_start(int b) { return (size_t)(b / Q4_0_RUN) * (Q4_0_RUN * 18); }
/* The blocks in block b's run, of a row of nb. */
static inline int q4_0_run_blocks(int b, int nb) {
    int first = b / Q4_0_RUN * Q4_0_RUN;
    return nb - first < Q4_0_RUN ? nb - first : Q4_0_RUN;
}
/* Where block b's d and its qs lie, from the start of a row of nb blocks. */
static inline size_t q4_0_split_d_at(int b) { return q4_0_run_start(b) + 2 * (size_t)(b % Q4_0_RUN); }
static inline size_t q4_0_split_qs_at(int nb, int b) {
    return q4_0_run_start(b) + 2 * (size_t)q4_0_run_blocks(b, nb) + 16 * (size_t)(b % Q4_0_RUN);
}
/* The same as pointers, in the row at `row`. */
static inline const uint16_t *q4_0_split_d(const void *row, int b) {
    return (const uint16_t *)(const void *)((const unsigned char *)row + q4_0_split_d_at(b));
}
static inline const uint8_t *q4_0_split_qs(const void *row, int nb, int b) {
    return (const unsigned char *)row + q4_0_split_qs_at(nb, b);
}

/* For code written once for the blocks of 32 (BT their struct): block b
 * of a row R of nb, where its d lies from the row's start, and its qs.
 * Rows of block_q4_0 that reach the kernels are always split (only
 * LLAMA_TYPE_Q4_0_SPLIT has a kernel); the others are ggml's. */
#define BLOCK32_IN(BT, R, b) ((const BT *)(const void *)(R) + (b))
#define BLOCK32_SPLIT(BT) __builtin_types_compatible_p(BT, block_q4_0)
#define BLOCK32_D_AT(BT, b) (BLOCK32_SPLIT(BT) ? q4_0_split_d_at(b) : (size_t)(b) * sizeof(BT))
#define BLOCK32_QS(BT, R, nb, b) \
    (BLOCK32_SPLIT(BT) ? q4_0_split_qs(R, nb, b) : (const uint8_t *)BLOCK32_IN(BT, R, b)->qs + 0)

_Static_assert(sizeof(block_q8_0) == 34, "block_q8_0");
_Static_assert(sizeof(block_q4_0) == 18, "block_q4_0");
_Static_assert(sizeof(block_q4_1) == 20, "block_q4_1");
_Static_assert(sizeof(block_q5_0) == 22, "block_q5_0");
_Static_assert(sizeof(block_q5_1) == 24, "block_q5_1");
_Static_assert(sizeof(block_q2_K) == 84, "block_q2_K");
_Static_assert(sizeof(block_q3_K) == 110, "block_q3_K");
_Static_assert(sizeof(block_q4_K) == 144, "block_q4_K");
_Static_assert(sizeof(block_q5_K) == 176, "block_q5_K");
_Static_assert(sizeof(block_q6_K) == 210, "block_q6_K");

/* Q4_K and Q5_K: the 6-bit scale sc[j] and min mn[j] of sub-block j < 8.
 * Bytes 0-3: scales 0-3 (low 6 bits), bytes 4-7: mins 0-3 (low 6 bits);
 * bytes 8-11: scales 4-7 (low nibble) and mins 4-7 (high nibble), whose
 * top 2 bits are the top bits of bytes 0-3 (scales) and 4-7 (mins). */
static inline void k4_scales(const uint8_t s[12], uint8_t sc[8], uint8_t mn[8]) {
    for (int j = 0; j < 4; j++) {
        sc[j] = s[j] & 63;
        mn[j] = s[j + 4] & 63;
        sc[j + 4] = (uint8_t)((s[j + 8] & 0xf) | (s[j] >> 6) << 4);
        mn[j + 4] = (uint8_t)((s[j + 8] >> 4) | (s[j + 4] >> 6) << 4);
    }
}

/* Q3_K: the 16 6-bit scales, minus 32. Scale j: the low nibble of byte j
 * (j < 8) or the high nibble of byte j - 8 (j >= 8), and bits 2*(j%4)..+1
 * of byte 8 + j/4 on top. */
static inline void k3_scales(const uint8_t s[12], int8_t sc[16]) {
    for (int j = 0; j < 16; j++) {
        int low = j < 8 ? s[j] & 0xf : s[j - 8] >> 4;
        int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
        sc[j] = (int8_t)((low | high << 4) - 32);
    }
}

#endif

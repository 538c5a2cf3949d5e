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

/* IQ4_NL and IQ4_XS: each 4-bit quant is an index into iq4_values, a
 * fixed non-linear table (ggml's kvalues_iq4nl), nibbles as Q4_0's (the
 * low ones values 0-15 of a 32-value block, the high ones 16-31).
 * IQ4_NL: x = d * iq4_values[q], a block of 32. IQ4_XS: 8 sub-blocks of
 * 32 (sub-block j's nibbles in qs[16j .. 16j + 15]), x = d * (ls_j - 32) *
 * iq4_values[q], ls_j 6 bits (iq4xs_scale). IQ4_NL's blocks are Q4_0's
 * and are split as Q4_0's are (below); IQ4_XS stays in ggml's layout.
 * llama.cpp writes IQ4_NL where a row's length is no multiple of 256
 * (Q2_K and Q3_K fall back to it: SmolLM's 576 and 960 columns). */
typedef struct { uint16_t d; uint8_t qs[16]; } block_iq4_nl;
typedef struct { uint16_t d, scales_h; uint8_t scales_l[4]; uint8_t qs[128]; } block_iq4_xs;
__attribute__((unused)) static const int8_t iq4_values[16] = { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 };
/* IQ4_XS: sub-block j's 6-bit scale: the low four bits from scales_l
 * (nibble j % 2 of byte j / 2), the top two bits 2j and 2j + 1 of scales_h. */
static inline int iq4xs_scale(const block_iq4_xs *B, int j) {
    return ((B->scales_l[j / 2] >> (4 * (j % 2))) & 0xf) | ((B->scales_h >> (2 * j)) & 3) << 4;
}

/* The blocks of 4 and 5 bits (Q4_0, Q4_1, Q5_0, Q5_1, and IQ4_NL's, whose
 * fields are Q4_0's) as the kernels read them (LLAMA_TYPE_*_SPLIT, made from ggml's rows in place by
 * llama_tensor_prepare): each run of 32 blocks of a row (the row's last
 * run: the blocks left) holds, in the bytes its blocks took, each field
 * of its blocks side by side, in the blocks' order of fields: the n fp16
 * d, the n m (Q4_1, Q5_1), the n 4-byte qh (Q5_0, Q5_1; in the order below), the n 16-byte qs.
 * So four blocks' qs come in one 64-byte load that crosses no 32-byte
 * boundary where the row starts on one, and eight blocks' d, m or qh in
 * one load (ggml's blocks of 18 to 24 bytes need permutes to gather them,
 * and most loads cross lines). kbench, Zen 4, one core, AVX-512 VNNI:
 * Q4_0 from DRAM 24-25 -> 30 GB/s (2048 and 5632 columns), from L2 35 ->
 * 44; runs of 8 blocks (d, qs in 144 bytes, the loads at 16-byte offsets)
 * did no better than ggml's layout from DRAM (25). Q8_0 stays as ggml
 * has it (its kernels read it at the roofline).
 *
 * Q5_0's and Q5_1's qh field of a run holds, for each four blocks 4g ..
 * 4g+3 of it (the run's last: the m left), first the low halves of their
 * ggml qh words (bits 0-15: the fifth bits of values 0-15, the low
 * nibbles), two bytes each in block order, then their high halves
 * (values 16-31). So eight bytes are the fifth bits of a 64-byte load of
 * four blocks' qs, bit for byte: the low nibbles' mask in one KMOVQ from
 * memory, the high nibbles' in another, where ggml's words took a
 * broadcast, two VPSHUFB and two VPTESTMB. kbench, Zen 4, one core, 2048
 * columns, 512-bit VNNI, against the words in turn: from DRAM (rows bare)
 * Q5_0 26.2-27.4 -> 28.5-31.7 GB/s, Q5_1 22.6-24.1 -> 24.2-26.8; from L2
 * 29-29.7 -> 36.8-37.6 and 31 -> 37.6-39.2. bench's TinyLlama (Q6_K
 * classifier), one core: Q5_0 35.5-36.1 -> 37.5-38.5 tok/s, Q5_1 29.8-
 * 30.7 -> 32.7-33.4. */
#define BLOCK32_RUN 32
/* The first byte of block b's run, from the row's start (blocks of S bytes). */
static inline size_t run32_start(int b, int S) { return (size_t)(b / BLOCK32_RUN) * BLOCK32_RUN * (size_t)S; }
/* The blocks in block b's run, of a row of nb. */
static inline int run32_blocks(int b, int nb) {
    int first = b / BLOCK32_RUN * BLOCK32_RUN;
    return nb - first < BLOCK32_RUN ? nb - first : BLOCK32_RUN;
}
/* Where the field at byte `off` (`size` bytes) of ggml's block b lies in
 * a split row of nb blocks of S bytes, from the row's start. */
static inline size_t split_field_at(int S, int off, int size, int nb, int b) {
    return run32_start(b, S) + (size_t)run32_blocks(b, nb) * (size_t)off + (size_t)(b % BLOCK32_RUN) * (size_t)size;
}

/* Where block k of a run of n keeps the low half (high 0) or the high
 * half of its qh word (Q5_0, Q5_1), from the start of the run's qh field:
 * its four's low halves first, then their high ones (m of them: four,
 * or the run's last few). */
static inline size_t q5_half_at(int n, int k, int high) {
    int four = k & ~3, m = n - four < 4 ? n - four : 4;
    return 4 * (size_t)four + 2 * (size_t)(k & 3) + 2 * (size_t)(high ? m : 0);
}

/* The fifth bits of block b (a ggml qh word: bit j for value j) of a
 * split Q5_0 or Q5_1 row of nb blocks of S bytes at row, their qh at
 * byte qh_off of ggml's block. */
static inline uint32_t q5_fifth_word(const uint8_t *row, int S, int qh_off, int nb, int b) {
    const uint8_t *field = row + split_field_at(S, qh_off, 4, nb, b & -BLOCK32_RUN);   /* the run's qh */
    int n = run32_blocks(b, nb), k = b % BLOCK32_RUN;
    uint16_t l, h;     /* little-endian, as ggml's words */
    __builtin_memcpy(&l, field + q5_half_at(n, k, 0), 2);
    __builtin_memcpy(&h, field + q5_half_at(n, k, 1), 2);
    return (uint32_t)l | (uint32_t)h << 16;
}

/* The fifth bit of value j (0..31) of a Q5 block with qh word qh, as 16 or 0. */
static inline int q5_fifth(uint32_t qh, int j) { return (int)(qh >> j & 1) << 4; }

/* For code written once for the blocks of 32 (BT their struct): where
 * field F of block b of a row of nb lies from the row's start, and its
 * bytes in row R. Rows of the 4- and 5-bit blocks that reach the kernels
 * are always split (only the _SPLIT types have kernels); Q8_0's are
 * ggml's. */
#define BLOCK32_SPLIT(BT) (!__builtin_types_compatible_p(BT, block_q8_0))
#define BLOCK32_FIELD_AT(BT, F, nb, b)                                                              \
    (BLOCK32_SPLIT(BT) ? split_field_at((int)sizeof(BT), (int)offsetof(BT, F), (int)sizeof(((BT *)0)->F), nb, b) \
                       : (size_t)(b) * sizeof(BT) + offsetof(BT, F))
#define BLOCK32_FIELD(BT, F, R, nb, b) ((const uint8_t *)(const void *)(R) + BLOCK32_FIELD_AT(BT, F, nb, b))
/* Block b's fifth bits (Q5_0, Q5_1) as a ggml qh word; its four blocks'
 * qh bytes (b a multiple of 4) start at BLOCK32_FIELD(BT, qh, R, nb, b). */
#define BLOCK32_QH(BT, R, nb, b) \
    q5_fifth_word((const uint8_t *)(const void *)(R), (int)sizeof(BT), (int)offsetof(BT, qh), nb, b)

/* Q4_K and Q5_K as the kernels read them (LLAMA_TYPE_Q4_K_SPLIT and
 * LLAMA_TYPE_Q5_K_SPLIT, made from ggml's rows in place by
 * llama_tensor_prepare). Each pair of super-blocks of a row (2k, 2k + 1;
 * a row's last one alone when nb is odd, at ggml's places) holds their
 * 16-byte heads (d, dmin, the 12 bytes of scales) side by side, then
 * Q5_K's two blocks' 32 bytes of fifth bits, then their 128 bytes of
 * quants: in a row that starts on a 32-byte boundary, every block's
 * quants do (a pair is 288 or 352 bytes). Within a block's quants, byte
 * 32c + 4j + i (c < 4, j < 8, i < 4) holds value 32j + 8c + i in its low
 * nibble and value 32j + 8c + 4 + i in its high nibble: each 32-bit lane
 * j of a 32-byte load holds sub-block j's values, so one VPDPBUSD lane
 * sums one sub-block and a row's scales multiply those sums whole
 * (ggml's order, two sub-blocks a load, needs each sum packed and weighted
 * apart). Q5_K's fifth bits in the same places: bit 2c of byte 4j + i is
 * the fifth bit of the low nibble of byte 32c + 4j + i, bit 2c + 1 that
 * of its high nibble, so one word shift and an AND put a load's on bit 4
 * (ggml keeps the fifth bit of value v in bit v / 32 of byte v % 32).
 * The activations come in the matching order (activations.h's k4).
 * kbench, Zen 4, one core, 2048 columns, against ggml's layout in turn,
 * GB/s from DRAM and from L2, Q4_K: 256-bit VNNI 24.7-26.2 and 30-31 ->
 * 28.8-29.2 and 38-40; 512-bit 23.8-25.2 and 25-26 -> 27.5-29 and 37-39;
 * AVX2 19.7-22.1 and 24-26 -> 24.4-25.7 and 31-32, then 27.2-27.6 and
 * 34-36 with quant_body.h's int16 sums (the quants' order without the
 * aligned pairs gave 27 from DRAM at 256 bits). */
#define K4_HEAD 16
#define K4_SCALES_IN_HEAD 4    /* the 12 bytes of scales: after d and dmin */
#define K5_QH 32               /* Q5_K's bytes of fifth bits */
/* For blocks of S bytes (sizeof block_q4_K or block_q5_K): where the
 * quants (and Q5_K's fifth bits) of a pair's first or second block lie
 * from the pair's start (paired: 0 for a row's lone last block), and
 * where block b's head, quants and fifth bits lie from the start of a row
 * of nb (a head's place does not depend on nb: a lone block is an even
 * one). */
static inline size_t k4_pair_qs_at(size_t S, int paired, int second) {
    size_t qh = S - sizeof(block_q4_K);     /* 0, or Q5_K's K5_QH */
    return paired ? 2 * (K4_HEAD + qh) + 128 * (size_t)second : K4_HEAD + qh;
}
static inline size_t k4_pair_qh_at(int paired, int second) {
    return paired ? 2 * K4_HEAD + K5_QH * (size_t)second : K4_HEAD;
}
static inline size_t k4_head_at(size_t S, int b) { return (size_t)(b & ~1) * S + K4_HEAD * (size_t)(b & 1); }
static inline size_t k4_qs_at(size_t S, int nb, int b) { return (size_t)(b & ~1) * S + k4_pair_qs_at(S, (b | 1) < nb, b & 1); }
static inline size_t k4_qh_at(int nb, int b) {
    return (size_t)(b & ~1) * sizeof(block_q5_K) + k4_pair_qh_at((b | 1) < nb, b & 1);
}
/* Block b's fifth bits in a split row of nb blocks of S bytes at row:
 * NULL for Q4_K, which has none. */
static inline const uint8_t *k4_qh_in(const uint8_t *row, size_t S, int nb, int b) {
    return S == sizeof(block_q5_K) ? row + k4_qh_at(nb, b) : NULL;
}
/* Value v (< 256) of a block whose quants are at qs (and Q5_K's fifth
 * bits at qh; NULL: none): the low nibble of byte 32 (v % 32 / 8) +
 * 4 (v / 32) + v % 4, or its high one when v % 8 >= 4, plus 16 when
 * bit 2 (v % 32 / 8) + (v % 8 >= 4) of qh[4 (v / 32) + v % 4] is set. */
static inline int k4_quant(const uint8_t *qs, const uint8_t *qh, int v) {
    int q = qs[32 * (v % 32 / 8) + 4 * (v / 32) + v % 4] >> (4 * (v % 8 >= 4)) & 0xf;
    return qh ? q + ((qh[4 * (v / 32) + v % 4] >> (2 * (v % 32 / 8) + (v % 8 >= 4)) & 1) << 4) : q;
}

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
_Static_assert(sizeof(block_iq4_nl) == 18, "block_iq4_nl");
_Static_assert(sizeof(block_iq4_xs) == 136, "block_iq4_xs");

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

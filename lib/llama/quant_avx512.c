/* AVX-512 kernels for ggml's block types (matmul.h's tensor kernels).
 * Every result is matmul_plain.c's, bit for bit.
 *
 * With VNNI (AVX-512 F, BW, VL, VNNI): quant_body.h's kernels with
 * VPDPBUSD (unsigned by signed bytes, four products into each int32 lane)
 * and VPDPWSSD (int16 pairs times int16 scales, added in). Signed weights
 * (Q8_0) are made unsigned, w XOR 0x80 = w + 128, and 128 times the
 * block's sum of x (from the prepared activations) is taken away. The
 * whole groups of every type, and the K-quants' last super-blocks, go
 * through the 512-bit kernels below (64 values a register: on Zen 5,
 * where 512-bit operations run at full width, the 256-bit ones could not
 * keep up with the memory); the last blocks of 32 of a row through
 * quant_body.h's.
 * Without VNNI (AVX-512F, with AVX2): the same kernels with AVX2's byte
 * products (quant_avx2.c's way).
 *
 * Both: the fp16 scales widened by VCVTPH2PS, and F16 rows as dot16 with
 * the 16 lanes in one register (VCVTPH2PS from memory, multiply, add). */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#define INLINE __attribute__((always_inline)) inline

/* ---------------------------------------------------------------- with VNNI */

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define NAME(x) vnni_##x

TARGET static INLINE __m256 vnni_halves8(__m128i h) { return _mm256_maskz_cvtph_ps(0xff, h); }
#define VNNI_DPBUSD _mm256_dpbusd_epi32
#define VNNI_DPWSSD _mm256_dpwssd_epi32
#include "lib/llama/quant_body.h"

/* Q8_0 with two blocks in each 512-bit register: half the instructions
 * of quant_body.h's per block. */

/* e0..e3 hold blocks 2k (lanes 0-7) and 2k+1 (lanes 8-15): the eight block
 * sums, in order. */
TARGET static INLINE __m256i hsum_pairs(__m512i e0, __m512i e1, __m512i e2, __m512i e3) {
    __m512i f01 = _mm512_add_epi32(_mm512_shuffle_i32x4(e0, e1, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_i32x4(e0, e1, _MM_SHUFFLE(3, 1, 3, 1)));
    __m512i f23 = _mm512_add_epi32(_mm512_shuffle_i32x4(e2, e3, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_i32x4(e2, e3, _MM_SHUFFLE(3, 1, 3, 1)));
    /* each 128-bit block: four lanes of one block; f01 blocks 0-3, f23 blocks 4-7 */
    __m512i t = _mm512_add_epi32(_mm512_unpacklo_epi32(f01, f23), _mm512_unpackhi_epi32(f01, f23));
    t = _mm512_add_epi32(t, _mm512_shuffle_epi32(t, _MM_PERM_BADC));
    /* 128-bit block i: lane 0 = block i, lane 1 = block 4 + i */
    __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castsi512_si256(_mm512_permutexvar_epi32(idx, t));
}

#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define LOAD512(p) _mm512_loadu_si512((const void *)(p))

/* Blocks w[0], w[1] of Q8_0: their qs side by side, made unsigned. Built
 * from two broadcast loads and a blend: no shuffle, which would compete
 * with hsum_pairs for port 5. */
TARGET static INLINE __m512i q8_0_pair(const block_q8_0 *w) {
    __m512i z = _mm512_mask_blend_epi64(0xf0, _mm512_broadcast_i64x4(LOAD256(w[0].qs)),
                                        _mm512_broadcast_i64x4(LOAD256(w[1].qs)));
    return _mm512_xor_si512(z, _mm512_set1_epi8((char)0x80));
}

/* The blocks of 4 and 5 bits (Q4_0, Q4_1, Q5_0, Q5_1) in split rows
 * (blocks.h): four blocks' qs in one 64-byte load (in the order of the
 * activations' quads), eight blocks' d, m or qh in one load each, where
 * ggml's blocks of 18 to 24 bytes took three loads a group and permutes
 * (VPERMT2W) to gather them. The arithmetic after the loads is the one
 * the ggml blocks had (and quant_body.h's): the same bits. kbench, Zen 4,
 * one core: Q4_0 from DRAM 24-25 -> 30-31 GB/s (2048 columns), from L2 35
 * -> 43-45; bench's TinyLlama Q4_0, one core, old and new in turn twice,
 * 44.4 / 48.0 and 46.8 / 50.2 tok/s. A type's fields: S bytes a block,
 * QH the offset of its qh (-1: none), M of its m (-1: none), SHIFT the
 * log2 of its quants' offset (-1: none). */
#define SPLIT_AT(BT, F) (int)offsetof(BT, F)
#define SPLIT_Q4_0 (int)sizeof(block_q4_0), -1, -1, 3
#define SPLIT_Q4_1 (int)sizeof(block_q4_1), -1, SPLIT_AT(block_q4_1, m), -1
#define SPLIT_Q5_0 (int)sizeof(block_q5_0), SPLIT_AT(block_q5_0, qh), -1, 4
#define SPLIT_Q5_1 (int)sizeof(block_q5_1), SPLIT_AT(block_q5_1, qh), SPLIT_AT(block_q5_1, m), -1

/* Field bytes of block b of a split row w of nb blocks of S bytes. */
#define SPLIT_FIELD(w, S, off, size) ((const uint8_t *)(const void *)(w) + split_field_at((S), (off), (size), nb, b))

/* VPDPBUSD's sums of four blocks (v: their qs; with fifth bits, in
 * masks h0, h1) with their quads of x: block k in lanes 4k .. 4k+3, each
 * lane eight products. */
TARGET static INLINE __m512i quad_dot(__m512i v, const int fifth, __mmask64 h0, __mmask64 h1, const int8_t *quads) {
    const __m512i m4 = _mm512_set1_epi8(0x0f), sixteen = _mm512_set1_epi8(0x10);
    __m512i lo = _mm512_and_si512(v, m4), hi = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
    if (fifth) {
        lo = _mm512_mask_add_epi8(lo, h0, lo, sixteen);
        hi = _mm512_mask_add_epi8(hi, h1, hi, sixteen);
    }
    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, LOAD512(quads)), hi,
                               LOAD512(quads + 64));
}

/* The fifth bits of four blocks of Q5_0 or Q5_1 (their 16 bytes of qh,
 * in blocks.h's halves) as masks for quad_dot's low nibbles (values 0-15)
 * and high (16-31): the first eight bytes and the last, as they are. */
TARGET static INLINE void quad_fifth_bits(const uint8_t *qh, __mmask64 *lo, __mmask64 *hi) {
    uint64_t l, h;     /* memcpy: qh is 2-byte aligned at most */
    __builtin_memcpy(&l, qh, 8);
    __builtin_memcpy(&h, qh + 8, 8);
    *lo = _cvtu64_mask64(l);
    *hi = _cvtu64_mask64(h);
}

/* quad_dot's two registers of eight blocks (blocks 0-3, 4-7): their qs
 * side by side from qs, their qh from qh (NULL: none). */
TARGET static INLINE void split_dots(const uint8_t *qs, const uint8_t *qh, const int8_t *quads, __m512i e[2]) {
#pragma GCC unroll 2
    for (int k = 0; k < 2; k++) {
        __mmask64 h0 = 0, h1 = 0;
        if (qh) quad_fifth_bits(qh + 16 * k, &h0, &h1);
        e[k] = quad_dot(LOAD512(qs + 64 * k), qh != NULL, h0, h1, quads + 128 * k);
    }
}

/* The first step of reducing quad_dot's a (blocks 0-3) and b (4-7): pairs
 * of lanes added, in int16 on the way (VPACKSSDW, VPMADDWD with ones);
 * 128-bit lane j: a's block j (two halves), then b's block j (two). */
TARGET static INLINE __m512i quad_pair_sums(__m512i a, __m512i b) {
    return _mm512_madd_epi16(_mm512_packs_epi32(a, b), _mm512_set1_epi16(1));
}

/* quad_dot's sums of blocks 0-3 (a) and 4-7 (b): the eight block sums, in
 * order. The lanes (eight products of quants below 32 and |x| <= 127,
 * as ggml's Q8_0 and Q8_1 make x)
 * are below 2^15 in magnitude: VPACKSSDW and VPMADDWD with ones cannot
 * saturate. Three shuffles, where two blocks a register took five. */
TARGET static INLINE __m256i hsum_quads(__m512i a, __m512i b) {
    __m512i t = quad_pair_sums(a, b);
    t = _mm512_add_epi32(t, _mm512_shuffle_epi32(t, _MM_PERM_CDAB));
    const __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 2, 6, 10, 14, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castsi512_si256(_mm512_permutexvar_epi32(idx, t));
}

/* The d of eight whole Q8_0 blocks from w, picked out of the blocks' own
 * bytes by VPERMT2W (four 64-byte loads and two permutes instead of eight
 * scalar loads and their packing). */
TARGET static INLINE __m256 q8_0_d8(const block_q8_0 *w) {
    /* words 0, 17, 34, 51 of the first 128 bytes; 68, 85, 102, 119 = 4, 21, 38, 55 of the next */
    const __m512i idx = _mm512_setr_epi32(17 << 16 | 0, 51 << 16 | 34, 21 << 16 | 4, 55 << 16 | 38,
                                          0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    const char *p = (const char *)w;
    __m512i lo = _mm512_permutex2var_epi16(LOAD512(p), idx, LOAD512(p + 64));
    __m512i hi = _mm512_permutex2var_epi16(LOAD512(p + 128), idx, LOAD512(p + 192));
    __m512i h = _mm512_mask_blend_epi16(0xf0, lo, hi);
    return _mm256_maskz_cvtph_ps(0xff, _mm512_castsi512_si128(h));
}

/* Eight whole blocks b .. b+7: their p (the tail goes through quant_body.h's).
 * HSUM: the eight block sums from the four registers (hsum_pairs);
 * CORR(v): the block totals v corrected for the quants' offset. */
#define PAIRS8(W, PAIR, D8, HSUM, CORR)                                                            \
    ({                                                                                           \
        __m512i e_[4];                                                                           \
        _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)                                      \
            e_[k] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), PAIR(W + b + 2 * k), LOAD512(a->q + 32 * (b + 2 * k))); \
        __m256i isum_ = CORR(HSUM(e_[0], e_[1], e_[2], e_[3]));                                   \
        __m256 dd_ = _mm256_mul_ps(D8(W + b), _mm256_loadu_ps(a->d + b));                      \
        _mm256_mul_ps(_mm256_cvtepi32_ps(isum_), dd_);                                           \
    })
/* minus 2^s times the blocks' sums of x: Q8_0 made unsigned (w + 128),
 * Q4_0 (q - 8), Q5_0 (q - 16) */
#define MINUS_SUMS(v, s) _mm256_sub_epi32((v), _mm256_slli_epi32(LOAD256(a->sum + b), (s)))
#define CORR_Q8_0(v) MINUS_SUMS(v, 7)

/* Eight whole blocks from b of a split row w of nb: their p. */
TARGET static INLINE __m256 split8(const void *w, const int S, const int QH, const int M, const int SHIFT,
                                   const vnni_Act *a, int b, int nb) {
    __m512i e[2];
    split_dots(SPLIT_FIELD(w, S, S - 16, 16), QH >= 0 ? SPLIT_FIELD(w, S, QH, 4) : NULL, a->quads + 32 * b, e);
    __m256i isum = hsum_quads(e[0], e[1]);
    if (SHIFT >= 0) isum = MINUS_SUMS(isum, SHIFT);
    __m256 dd = _mm256_mul_ps(vnni_halves8(_mm_loadu_si128((const __m128i *)(const void *)SPLIT_FIELD(w, S, 0, 2))),
                              _mm256_loadu_ps(a->d + b));
    __m256 p = _mm256_mul_ps(_mm256_cvtepi32_ps(isum), dd);
    if (M >= 0) {
        __m256 m = vnni_halves8(_mm_loadu_si128((const __m128i *)(const void *)SPLIT_FIELD(w, S, M, 2)));
        p = _mm256_add_ps(p, _mm256_mul_ps(m, _mm256_loadu_ps(a->s + b)));
    }
    return p;
}

/* Two rows' groups at once (split8's blocks; QUADS_ROW4's pairs of rows):
 * the block sums of both rows reduced together, into one register in
 * "pair order", lane 4j + s holding block j (s even) or 4 + j (s odd) of
 * the pair's row s / 2: the order the sums come out in without
 * hsum_quads' final permute. The activations' values per block are put
 * in that order once a group for both pairs (QuadsShared), and the two
 * rows' d (and m) by one VPERMW. Each lane does what split8 does for its
 * row and block, so every result keeps its bits. Per pair of rows this
 * takes the eight block sums in six or seven operations where two rows
 * apart took ten: kbench, Zen 4, one core, three alternations (ggml's
 * blocks then), from L2 Q4_0 31.6 -> 34.7 GB/s, Q4_1 31.8 -> 33.1, Q5_0
 * 23.9 -> 25.3, Q5_1 25.0 -> 25.2; bench's TinyLlama Q4_0, one core, 44.9
 * -> 46.2 tok/s. */
#define PAIR_ORDER _mm512_setr_epi32(0, 4, 0, 4, 1, 5, 1, 5, 2, 6, 2, 6, 3, 7, 3, 7)
typedef struct {
    __m512 d, s;        /* x's d, and s (types with a minimum), in pair order */
    __m512i corr;       /* 2^shift times the sums of x (types with an offset), in pair order */
} QuadsShared;

TARGET static INLINE QuadsShared quads_shared(const vnni_Act *a, int b, const int has_min, const int shift) {
    QuadsShared q;
    q.d = _mm512_permutexvar_ps(PAIR_ORDER, _mm512_castps256_ps512(_mm256_loadu_ps(a->d + b)));
    q.s = has_min ? _mm512_permutexvar_ps(PAIR_ORDER, _mm512_castps256_ps512(_mm256_loadu_ps(a->s + b)))
                  : _mm512_setzero_ps();
    q.corr = _mm512_setzero_si512();
    if (shift >= 0) {
        __m512i sums = _mm512_permutexvar_epi32(PAIR_ORDER, _mm512_castsi256_si512(LOAD256(a->sum + b)));
        q.corr = _mm512_slli_epi32(sums, (unsigned)shift);
    }
    return q;
}

/* The eight fp16 at `at` in split rows w0 and w1 (a field of eight
 * blocks), in pair order, as floats: words 0-7 w0's, 8-15 w1's, permuted. */
TARGET static INLINE __m512 pair_field(const void *w0, const void *w1, size_t at) {
    __m256i h = _mm256_inserti128_si256(
        _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)((const uint8_t *)w0 + at))),
        _mm_loadu_si128((const __m128i *)(const void *)((const uint8_t *)w1 + at)), 1);
    h = _mm256_permutexvar_epi16(_mm256_setr_epi16(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15), h);
    return _mm512_cvtph_ps(h);
}

/* The groups at block b of split rows w0 and w1: their p in pair order.
 * Q4 quants: a lane's sum of 16 products (15 * 127 * 16) fits int16, so
 * the second step packs again; Q5's do not, and are added by two
 * shuffles. */
TARGET static INLINE __m512 split_pair(const void *w0, const void *w1, const int S, const int QH, const int M,
                                       const int SHIFT, const vnni_Act *a, int b, int nb, const QuadsShared *q) {
    const int8_t *quads = a->quads + 32 * b;
    /* the fields' places: the same in both rows */
    size_t qs = split_field_at(S, S - 16, 16, nb, b), qh = QH >= 0 ? split_field_at(S, QH, 4, nb, b) : 0;
    const uint8_t *r0 = w0, *r1 = w1;
    __m512i e0[2], e1[2];
    split_dots(r0 + qs, QH >= 0 ? r0 + qh : NULL, quads, e0);
    split_dots(r1 + qs, QH >= 0 ? r1 + qh : NULL, quads, e1);
    __m512i t0 = quad_pair_sums(e0[0], e0[1]), t1 = quad_pair_sums(e1[0], e1[1]);
    __m512i isum;
    if (QH < 0) {
        isum = quad_pair_sums(t0, t1);
    } else {
        __m512 f0 = _mm512_castsi512_ps(t0), f1 = _mm512_castsi512_ps(t1);
        isum = _mm512_add_epi32(_mm512_castps_si512(_mm512_shuffle_ps(f0, f1, _MM_SHUFFLE(2, 0, 2, 0))),
                                _mm512_castps_si512(_mm512_shuffle_ps(f0, f1, _MM_SHUFFLE(3, 1, 3, 1))));
    }
    if (SHIFT >= 0) isum = _mm512_sub_epi32(isum, q->corr);
    __m512 dd = _mm512_mul_ps(pair_field(w0, w1, split_field_at(S, 0, 2, nb, b)), q->d);
    __m512 p = _mm512_mul_ps(_mm512_cvtepi32_ps(isum), dd);
    if (M >= 0) p = _mm512_add_ps(p, _mm512_mul_ps(pair_field(w0, w1, split_field_at(S, M, 2, nb, b)), q->s));
    return p;
}

/* Row `row` (0 or 1) of a pair's register, in block order. */
TARGET static INLINE __m256 pair_row(__m512 v, const int row) {
    const __m512i order = row ? _mm512_setr_epi32(2, 6, 10, 14, 3, 7, 11, 15, 0, 0, 0, 0, 0, 0, 0, 0)
                              : _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castps512_ps256(_mm512_permutexvar_ps(order, v));
}

/* T_row4 for these types (ROW_FNS_FOUR's, its rows as two pairs): the
 * whole groups by PAIR(first row, second row) (split_pair's p; a, b, nb
 * and q, the QuadsShared, in scope), each row's last blocks by its T_tail. */
#define QUADS_ROW4(T, BT, HAS_MIN, SHIFT, PAIR)                                                            \
    TARGET static INLINE void vnni_##T##_row4(const BT *w, size_t stride, const vnni_Act *a, int nb, float *y,  \
                                              size_t ystride, int ahead) {                                  \
        const BT *r[4];                                                                                 \
        _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)                                           \
            r[k] = (const BT *)(const void *)((const unsigned char *)w + k * stride);                  \
        __m512 acc[2] = { _mm512_setzero_ps(), _mm512_setzero_ps() };                                  \
        int b = 0;                                                                                      \
        for (; b + 8 <= nb; b += 8) {                                                                   \
            QuadsShared q = quads_shared(a, b, (HAS_MIN), (SHIFT));                                     \
            _Pragma("GCC unroll 2") for (int p = 0; p < 2; p++) {                                       \
                PREFETCH_BLOCKS(r[2 * p] + b, 8, ahead);                                                \
                PREFETCH_BLOCKS(r[2 * p + 1] + b, 8, ahead);                                            \
                acc[p] = _mm512_add_ps(acc[p], PAIR(r[2 * p], r[2 * p + 1]));                           \
            }                                                                                           \
        }                                                                                               \
        for (int k = 0; k < 4; k++)                                                                     \
            y[k * ystride] = vnni_##T##_tail(r[k], a, b, nb, pair_row(acc[k / 2], k % 2), ahead);       \
    }

/* Whole groups by split8 or as pairs (Q8_0: PAIRS8), a row's last blocks
 * as quant_body.h's (its ROW_FNS and ROWS: the rows read as matmul_read
 * says). */
TARGET static INLINE __m256 vnni_q8_0p_8(const block_q8_0 *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return R ? PAIRS8(w, q8_0_pair, q8_0_d8, hsum_pairs, CORR_Q8_0) : vnni_q8_0_8(w, a, b, r, 0, nb);
}
TARGET static INLINE __m256 vnni_q4_0p_8(const block_q4_0 *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return R ? split8(w, SPLIT_Q4_0, a, b, nb) : vnni_q4_0_8(w, a, b, r, 0, nb);
}
TARGET static INLINE __m256 vnni_q5_0p_8(const block_q5_0 *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return R ? split8(w, SPLIT_Q5_0, a, b, nb) : vnni_q5_0_8(w, a, b, r, 0, nb);
}
TARGET static INLINE __m256 vnni_q4_1p_8(const block_q4_1 *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return R ? split8(w, SPLIT_Q4_1, a, b, nb) : vnni_q4_1_8(w, a, b, r, 0, nb);
}
TARGET static INLINE __m256 vnni_q5_1p_8(const block_q5_1 *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return R ? split8(w, SPLIT_Q5_1, a, b, nb) : vnni_q5_1_8(w, a, b, r, 0, nb);
}

ROW_FNS(q8_0p, block_q8_0, 4, vnni_q8_0_1)
ROW_FNS_ONE(q4_0p, block_q4_0, 4, vnni_q4_0_1)
ROW_FNS_ONE(q5_0p, block_q5_0, 1, NO_ONE)
ROW_FNS_ONE(q4_1p, block_q4_1, 1, NO_ONE)
ROW_FNS_ONE(q5_1p, block_q5_1, 1, NO_ONE)
#define PAIR_OF(w0, w1, FIELDS) split_pair(w0, w1, FIELDS, a, b, nb, &q)
#define PAIR_Q4_0(w0, w1) PAIR_OF(w0, w1, SPLIT_Q4_0)
#define PAIR_Q5_0(w0, w1) PAIR_OF(w0, w1, SPLIT_Q5_0)
#define PAIR_Q4_1(w0, w1) PAIR_OF(w0, w1, SPLIT_Q4_1)
#define PAIR_Q5_1(w0, w1) PAIR_OF(w0, w1, SPLIT_Q5_1)
QUADS_ROW4(q4_0p, block_q4_0, 0, 3, PAIR_Q4_0)
QUADS_ROW4(q5_0p, block_q5_0, 0, 4, PAIR_Q5_0)
QUADS_ROW4(q4_1p, block_q4_1, 1, -1, PAIR_Q4_1)
QUADS_ROW4(q5_1p, block_q5_1, 1, -1, PAIR_Q5_1)
ROWS(q8_0_rows512, q8_0p, block_q8_0, 32, MATMUL_Q8_0)
ROWS(q4_0_rows512, q4_0p, block_q4_0, 32, MATMUL_Q4_0)
ROWS(q5_0_rows512, q5_0p, block_q5_0, 32, MATMUL_Q5_0)
ROWS(q4_1_rows512, q4_1p, block_q4_1, 32, MATMUL_Q4_1)
ROWS(q5_1_rows512, q5_1p, block_q5_1, 32, MATMUL_Q5_1)

/* The K-quants with 64 values in each 512-bit register. The int32 sums
 * are exact, so they may be formed in any order: each super-block's isum
 * (and msum) is quant_body.h's, and so is every p. */

/* 128-bit lane k of a register: x put there (insert_lane), or copied to
 * all four (lane_to_all). A switch, so that the immediate is a constant
 * however the loops around are compiled (sanitizer builds at -O1, clang,
 * do not unroll them). */
TARGET static INLINE __m512i insert_lane(__m512i v, __m128i x, int k) {
    switch (k) {
    case 0: return _mm512_inserti32x4(v, x, 0);
    case 1: return _mm512_inserti32x4(v, x, 1);
    case 2: return _mm512_inserti32x4(v, x, 2);
    default: return _mm512_inserti32x4(v, x, 3);
    }
}
TARGET static INLINE __m512i lane_to_all(__m512i v, int k) {
    switch (k) {
    case 0: return _mm512_shuffle_i32x4(v, v, 0x00);
    case 1: return _mm512_shuffle_i32x4(v, v, 0x55);
    case 2: return _mm512_shuffle_i32x4(v, v, 0xaa);
    default: return _mm512_shuffle_i32x4(v, v, 0xff);
    }
}

/* For a group of r super-blocks (r up to 8), S bytes each from `first`:
 * the first 16 bytes of super-blocks 4h .. 4h+3 in 128-bit lanes 0-3
 * (those past the r all zero, nothing read), how many of the four are
 * present, and the group's d of x (missing lanes 0). */
TARGET static INLINE __m512i heads4(const unsigned char *first, const int S, int h, int r) {
    __m512i v = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++)
        if (4 * h + k < r) v = insert_lane(v, _mm_loadu_si128((const __m128i *)(const void *)(first + (4 * h + k) * S)), k);
    return v;
}
static INLINE int present4(int h, int r) { return r - 4 * h < 0 ? 0 : r - 4 * h > 4 ? 4 : r - 4 * h; }
TARGET static INLINE __m256 group_dx(const vnni_Act *a, int b, int r) {
    return _mm256_maskz_loadu_ps((__mmask8)((1u << r) - 1), a->d + b);
}

/* The sums of acc[k]'s 16 lanes, k = 0..7, in order. */
TARGET static INLINE __m256i hsum16x8(const __m512i acc[8]) {
    __m512i u[4];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++)   /* each 128-bit lane: 2i, 2i + 1, 2i, 2i + 1 */
        u[i] = _mm512_add_epi32(_mm512_unpacklo_epi32(acc[2 * i], acc[2 * i + 1]),
                                _mm512_unpackhi_epi32(acc[2 * i], acc[2 * i + 1]));
    /* each 128-bit lane: 0, 1, 2, 3 (v0) and 4, 5, 6, 7 (v1) */
    __m512i v0 = _mm512_add_epi32(_mm512_unpacklo_epi64(u[0], u[1]), _mm512_unpackhi_epi64(u[0], u[1]));
    __m512i v1 = _mm512_add_epi32(_mm512_unpacklo_epi64(u[2], u[3]), _mm512_unpackhi_epi64(u[2], u[3]));
    /* 128-bit lanes: v0's 0 + 1, 2 + 3, v1's 0 + 1, 2 + 3 */
    __m512i t = _mm512_add_epi32(_mm512_shuffle_i32x4(v0, v1, _MM_SHUFFLE(2, 0, 2, 0)),
                                 _mm512_shuffle_i32x4(v0, v1, _MM_SHUFFLE(3, 1, 3, 1)));
    t = _mm512_add_epi32(_mm512_shuffle_i32x4(t, t, _MM_SHUFFLE(3, 1, 2, 0)),
                         _mm512_shuffle_i32x4(t, t, _MM_SHUFFLE(2, 0, 3, 1)));
    return _mm512_castsi512_si256(t);
}

/* The sums of the four lanes of each 128-bit lane of m[0] (super-blocks
 * 0-3) and m[1] (4-7), in order. */
TARGET static INLINE __m256i hsum4x8(const __m512i m[2]) {
    __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi32(m[0], m[1]), _mm512_unpackhi_epi32(m[0], m[1]));
    u = _mm512_add_epi32(u, _mm512_shuffle_epi32(u, _MM_PERM_BADC));
    const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castsi512_si256(_mm512_permutexvar_epi32(order, u));
}

/* Split Q4_K (blocks.h): super-block B's quants (qs) with x in the k4
 * order, sc8: its eight scales in bytes 0-7. quant_body.h's q4_ks_isum
 * with 64-byte loads, sub-block j in lanes j and j + 8. */
TARGET static INLINE __m512i q4_ks_isum512(const uint8_t *qs, const int8_t *x, __m128i sc8) {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int t = 0; t < 2; t++) {
        __m512i q = LOAD512(qs + 64 * t);
        lo = _mm512_dpbusd_epi32(lo, _mm512_and_si512(q, m4), LOAD512(x + act_k4_at(2 * t, 0)));
        hi = _mm512_dpbusd_epi32(hi, _mm512_andnot_si512(m4, q), LOAD512(x + act_k4_at(2 * t, 1)));
    }
    __m512i sums = _mm512_add_epi32(lo, _mm512_srai_epi32(hi, 4));
    return _mm512_mullo_epi32(sums, _mm512_cvtepu8_epi32(_mm_unpacklo_epi64(sc8, sc8)));
}

/* Split Q5_K: quant_body.h's q5_ks_isum with 64-byte loads (quants c =
 * 2t, 2t + 1 in the two halves), the fifth bits broadcast to both halves
 * and moved to bit 4 by one variable word shift each (shifts and logic:
 * VPTESTMB and a masked add took more, on the Zen 5 for ggml's Q5_K). */
TARGET static INLINE __m512i q5_ks_isum512(const uint8_t *qs, const uint8_t *qhp, const int8_t *x, __m128i sc8) {
    const __m512i m4 = _mm512_set1_epi8(0x0f), b4 = _mm512_set1_epi8(0x10);
    const __m512i qh = _mm512_broadcast_i64x4(LOAD256(qhp));
    /* bit 2c (low nibbles) and 2c + 1 (high) to bit 4: up 4, 2 and 3, 1 for c = 0, 1; down 0, 2 and 1, 3 for 2, 3 */
    const __m512i up_lo = _mm512_mask_blend_epi64(0xf0, _mm512_set1_epi16(4), _mm512_set1_epi16(2));
    const __m512i up_hi = _mm512_mask_blend_epi64(0xf0, _mm512_set1_epi16(3), _mm512_set1_epi16(1));
    const __m512i down_lo = _mm512_maskz_mov_epi64(0xf0, _mm512_set1_epi16(2));
    const __m512i down_hi = _mm512_mask_blend_epi64(0xf0, _mm512_set1_epi16(1), _mm512_set1_epi16(3));
    __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int t = 0; t < 2; t++) {
        __m512i q = LOAD512(qs + 64 * t);
        __m512i l5 = t ? _mm512_srlv_epi16(qh, down_lo) : _mm512_sllv_epi16(qh, up_lo);
        __m512i h5 = t ? _mm512_srlv_epi16(qh, down_hi) : _mm512_sllv_epi16(qh, up_hi);
        /* bits 0-3 from the nibbles, bit 4 from the fifth bits (0xca: m4 ? a : b) */
        __m512i vl = _mm512_ternarylogic_epi32(m4, q, _mm512_and_si512(l5, b4), 0xca);
        __m512i vh = _mm512_ternarylogic_epi32(m4, _mm512_srli_epi16(q, 4), _mm512_and_si512(h5, b4), 0xca);
        acc = _mm512_dpbusd_epi32(acc, vl, LOAD512(x + act_k4_at(2 * t, 0)));
        acc = _mm512_dpbusd_epi32(acc, vh, LOAD512(x + act_k4_at(2 * t, 1)));
    }
    return _mm512_mullo_epi32(acc, _mm512_cvtepu8_epi32(_mm_unpacklo_epi64(sc8, sc8)));
}

/* Split Q4_K or Q5_K (BT) super-blocks b .. b+r-1 of a row (b even):
 * their p, as quant_body.h's Q45_KS_8 with the isum sums in 512 bits
 * (ISUM: a pair's first or second block's). A macro rather than one
 * function with the block's size as an argument: compiled that way, the
 * Q4_K kernels read 8-10% slower from DRAM (kbench, Zen 4, 27 against 29.5
 * GB/s), the same from L2. */
#define Q45_KS_GROUP512(FN, BT, ISUM)                                                                    \
    TARGET static INLINE __m256 FN(const BT *w, const vnni_Act *a, int b, int r) {                       \
        const unsigned char *row = (const unsigned char *)w;                                            \
        __m512i acc[8];                                                                                 \
        __m256i ms[4], heads[4];                                                                        \
        _Pragma("GCC unroll 4") for (int i = 0; i < 4; i++) {                                           \
            int k = 2 * i, two = k + 1 < r;                                                             \
            acc[k] = acc[k + 1] = _mm512_setzero_si512();                                               \
            ms[i] = heads[i] = _mm256_setzero_si256();                                                  \
            if (k >= r) continue;                                                                       \
            const unsigned char *pair = row + (size_t)(b + k) * sizeof(BT);                             \
            __m256i raw = _mm256_maskz_loadu_epi32(two ? 0xff : 0x0f, pair);                            \
            __m256i sx = _mm256_maskz_loadu_epi32(two ? 0xff : 0x0f, a->sums32 + 8 * (b + k));          \
            heads[i] = raw;                                                                             \
            __m256i scmn = vnni_k4_scales32(raw, K4_SCALES_IN_HEAD);                                    \
            ms[i] = _mm256_madd_epi16(_mm256_unpackhi_epi8(scmn, _mm256_setzero_si256()), sx);          \
            const int8_t *x = a->k4 + 256 * (b + k);                                                    \
            OPAQUE_PTR(x);                                                                              \
            acc[k] = ISUM(pair, two, 0, x, _mm256_castsi256_si128(scmn));                               \
            if (two) acc[k + 1] = ISUM(pair, 1, 1, x + 256, _mm256_extracti128_si256(scmn, 1));         \
        }                                                                                               \
        __m256 isum = _mm256_cvtepi32_ps(hsum16x8(acc)), msum = _mm256_cvtepi32_ps(vnni_hsum4x8(ms)), dw, dmw; \
        vnni_q4_ks_dm8(heads, &dw, &dmw);                                                               \
        __m256 dx = group_dx(a, b, r);                                                                  \
        __m256 dd = _mm256_mul_ps(dx, dw), dm = _mm256_mul_ps(dx, dmw);                                 \
        return _mm256_sub_ps(_mm256_mul_ps(dd, isum), _mm256_mul_ps(dm, msum));                         \
    }
#define Q4_KS_ISUM512(pair, paired, second, x, sc8) \
    q4_ks_isum512((pair) + k4_pair_qs_at(sizeof(block_q4_K), paired, second), x, sc8)
#define Q5_KS_ISUM512(pair, paired, second, x, sc8)                                                      \
    q5_ks_isum512((pair) + k4_pair_qs_at(sizeof(block_q5_K), paired, second), (pair) + k4_pair_qh_at(paired, second), \
                  x, sc8)
Q45_KS_GROUP512(q4_ks_group512, block_q4_K, Q4_KS_ISUM512)
Q45_KS_GROUP512(q5_ks_group512, block_q5_K, Q5_KS_ISUM512)

/* Q2_K's and Q3_K's 2-bit fields of values 64t .. 64t+63 in bits 0-1 of
 * each byte (the bits above them not cleared): qs[32 (t / 2) ..]
 * broadcast to both halves, fields 2s and 2s + 2 (s = 2 (t % 2)) shifted
 * down by one variable word shift. Each 128-bit lane is one sub-block of
 * 16 (4t + lane). */
TARGET static INLINE __m512i k16_fields(const uint8_t qs[64], int t) {
    const __m512i shift = t % 2 ? _mm512_mask_blend_epi64(0xf0, _mm512_set1_epi16(4), _mm512_set1_epi16(6))
                                : _mm512_maskz_mov_epi64(0xf0, _mm512_set1_epi16(2));
    return _mm512_srlv_epi16(_mm512_broadcast_i64x4(LOAD256(qs + 32 * (t / 2))), shift);
}

/* The int16 scales sc[0..15] (in the low half of sc) as the VPDPWSSD
 * pattern for VPACKSSDW's pairs of sub-blocks first + L and first + 4 + L
 * in 128-bit lane L: four copies of each, by VPERMW. */
TARGET static INLINE __m512i k16_scale_pairs(__m512i sc, int first) {
    const __m512i idx = _mm512_setr_epi64(
        0x0000000000000000ll, 0x0004000400040004ll, 0x0001000100010001ll, 0x0005000500050005ll,
        0x0002000200020002ll, 0x0006000600060006ll, 0x0003000300030003ll, 0x0007000700070007ll);
    return _mm512_permutexvar_epi16(_mm512_add_epi16(idx, _mm512_set1_epi16((short)first)), sc);
}

/* Q6_K super-block B: per half h, ql's 64 bytes are the low four bits of
 * values 128h .. 128h+63 (low nibbles) and 128h+64 .. +127 (high), qh's
 * 32 bytes (broadcast) their top two, moved into place by one variable
 * shift each. Sub-blocks of 16: VPDPBUSD's lanes 4i .. 4i+3 of the low
 * values are sub-block 8h + i, of the high 8h + 4 + i; packed, 128-bit
 * lane i of the int16 pairs holds 8h+i then 8h+4+i, whose scales VPERMW
 * puts in the same places. */
TARGET static INLINE __m512i q6_k_isum512(const block_q6_K *B, const int8_t *x, __m512i sc, const int first) {
    const __m512i m4 = _mm512_set1_epi8(0x0f), m30 = _mm512_set1_epi8(0x30);
    /* word shifts, low half then high half: bits 0-1 and 2-3 up to 4-5,
     * bits 4-5 and 6-7 down to 4-5 */
    const __m512i up = _mm512_mask_blend_epi64(0xf0, _mm512_set1_epi16(4), _mm512_set1_epi16(2));
    const __m512i down = _mm512_maskz_mov_epi64(0xf0, _mm512_set1_epi16(2));
    __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
        __m512i ql = LOAD512(B->ql + 64 * h), qh = _mm512_broadcast_i64x4(LOAD256(B->qh + 32 * h));
        __m512i lo = _mm512_ternarylogic_epi32(ql, m4, _mm512_and_si512(_mm512_sllv_epi16(qh, up), m30), 0xea);
        __m512i hi = _mm512_ternarylogic_epi32(_mm512_srli_epi16(ql, 4), m4,
                                               _mm512_and_si512(_mm512_srlv_epi16(qh, down), m30), 0xea);
        __m512i plo = _mm512_dpbusd_epi32(_mm512_setzero_si512(), lo, LOAD512(x + 128 * h));
        __m512i phi = _mm512_dpbusd_epi32(_mm512_setzero_si512(), hi, LOAD512(x + 128 * h + 64));
        acc = _mm512_dpwssd_epi32(acc, _mm512_packs_epi32(plo, phi), k16_scale_pairs(sc, first + 8 * h));
    }
    return acc;
}

/* Q2_K super-block B: values 64t .. 64t+63 from k16_fields, each 128-bit
 * lane of them one sub-block of 16 (4t + lane). Their scales are folded
 * in: VPSHUFB looks each value q up in a table of sc * q (below 46), in
 * the lane's own 16 bytes, slot t of four (the index q + 4t), and one
 * VPDPBUSD per 64 values adds the scaled products: isum's partial sums
 * (16 lanes) with no packing. */
TARGET static INLINE __m512i q2_k_isum512(const block_q2_K *B, const int8_t *x, __m512i s) {
    /* the tables: in lane L, slot t (bytes 4t .. 4t+3) holds sc[4t + L] times 0, 1, 2, 3; from
     * int16 copies of the scale times 256 (bytes 0, sc) and 770 (2 sc, 3 sc); s: the 16 scales
     * (0..15) in every 128-bit lane */
    const __m512i idx = _mm512_setr_epi32(
        0xff00ff00, 0xff04ff04, 0xff08ff08, 0xff0cff0c, 0xff01ff01, 0xff05ff05, 0xff09ff09, 0xff0dff0d,
        (int)0xff02ff02, (int)0xff06ff06, (int)0xff0aff0a, (int)0xff0eff0e, (int)0xff03ff03, (int)0xff07ff07,
        (int)0xff0bff0b, (int)0xff0fff0f);
    __m512i table = _mm512_mullo_epi16(_mm512_shuffle_epi8(s, idx), _mm512_set1_epi32(770 << 16 | 256));
    __m512i acc = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int t = 0; t < 4; t++) {
        /* (q & 3) | 4t: the value and its slot */
        __m512i q = _mm512_ternarylogic_epi32(k16_fields(B->qs, t), _mm512_set1_epi8(3),
                                              _mm512_set1_epi8((char)(4 * t)), 0xea);
        acc = _mm512_dpbusd_epi32(acc, _mm512_shuffle_epi8(table, q), LOAD512(x + 64 * t));
    }
    return acc;
}

/* Super-blocks b .. b+r-1 of a Q2_K row (r up to 8): their p. Four at a
 * time, their 16-byte scales side by side in one register: the scales and
 * minimums split once for four, msum's products (minimums by bsums) in two
 * VPMADDWD for four; the eight super-blocks' sums reduced together
 * (hsum16x8, and msum's four lanes each by hsum4x8). */
TARGET static INLINE __m256 q2_k_group512(const block_q2_K *w, const vnni_Act *a, int b, int r) {
    __m512i acc[8], ms[2];
#pragma GCC unroll 2
    for (int h = 0; h < 2; h++) {
        __m512i v = heads4((const unsigned char *)(w + b), (int)sizeof *w, h, r);   /* the scales come first */
        const __m512i m4 = _mm512_set1_epi8(0x0f);
        __m512i sc = _mm512_and_si512(v, m4), mn = _mm512_and_si512(_mm512_srli_epi16(v, 4), m4);
        /* bsums of super-block k, sub-blocks 0-7 and 8-15, in 128-bit lane k as mn's are */
        int n = present4(h, r);
        const int16_t *bs = a->bsums + 16 * (b + 4 * h);
        __m512i b01 = _mm512_maskz_loadu_epi16(n >= 2 ? ~0u : n == 1 ? 0xffffu : 0, bs);
        __m512i b23 = _mm512_maskz_loadu_epi16(n >= 4 ? ~0u : n == 3 ? 0xffffu : 0, bs + 32);
        __m512i blo = _mm512_shuffle_i64x2(b01, b23, _MM_SHUFFLE(2, 0, 2, 0));
        __m512i bhi = _mm512_shuffle_i64x2(b01, b23, _MM_SHUFFLE(3, 1, 3, 1));
        ms[h] = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpacklo_epi8(mn, _mm512_setzero_si512()), blo),
                                 _mm512_madd_epi16(_mm512_unpackhi_epi8(mn, _mm512_setzero_si512()), bhi));
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++) {
            int sb = b + 4 * h + k;
            const int8_t *x = a->q + 256 * sb;
            OPAQUE_PTR(x);
            acc[4 * h + k] = 4 * h + k < r ? q2_k_isum512(&w[sb], x, lane_to_all(sc, k))
                                           : _mm512_setzero_si512();
        }
    }
    __m256 isum = _mm256_cvtepi32_ps(hsum16x8(acc)), msum = _mm256_cvtepi32_ps(hsum4x8(ms));
    __m256 dx = group_dx(a, b, r);
    const unsigned char *first = (const unsigned char *)(w + b);
    __m256 dd = _mm256_mul_ps(dx, vnni_kd8(first, (int)sizeof *w, 80, r));
    __m256 dm = _mm256_mul_ps(dx, vnni_kd8(first, (int)sizeof *w, 82, r));
    return _mm256_sub_ps(_mm256_mul_ps(dd, isum), _mm256_mul_ps(dm, msum));
}

/* Q3_K super-block B: the 2-bit fields by k16_fields, each value's third bit
 * (bit 2t of hmask[l] for the low half of values 64t .. 64t+63, bit 2t + 1
 * for the high half; hmask broadcast) shifted to bit 2 and ORed in: quants
 * 0..7, the format's + 4, which comes back as -4 times the scaled bsums.
 * The high half's hmask is shifted down one bit once, so that both halves
 * take bit 2t, moved by one constant word shift per t (the bits a word
 * shift carries between bytes never land on bit 2: the AND drops them).
 * Shifts and logic only, where VPTESTMB and a masked add (and the copy the
 * merge needs) took more (kbench, Zen 5, one core, four alternations:
 * 27.2-28.0 -> 28.7-29.4 GB/s from L2, 25.4-28.1 -> 27.1-28.0 from DRAM).
 * Sub-block 4t + L in 128-bit lane L of the values 64t .. 64t+63; packed,
 * lane L holds sub-blocks L then 4 + L (8 + L, 12 + L), whose signed
 * scales VPERMW puts in the same places. */
TARGET static INLINE __m512i q3_k_isum512(const block_q3_K *B, const int8_t *x, __m512i sc, const int first) {
    __m512i hm = _mm512_broadcast_i64x4(LOAD256(B->hmask)), p[4];
    hm = _mm512_srlv_epi16(hm, _mm512_maskz_mov_epi64(0xf0, _mm512_set1_epi16(1)));
#pragma GCC unroll 4
    for (int t = 0; t < 4; t++) {
        /* bit 2t of each byte to bit 2 */
        __m512i h = t == 0 ? _mm512_slli_epi16(hm, 2) : t == 1 ? hm : _mm512_srli_epi16(hm, t == 2 ? 2 : 4);
        h = _mm512_and_si512(h, _mm512_set1_epi8(4));
        __m512i q = _mm512_ternarylogic_epi32(k16_fields(B->qs, t), _mm512_set1_epi8(3), h, 0xea);  /* (a & 3) | h */
        p[t] = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q, LOAD512(x + 64 * t));
    }
    __m512i acc = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_packs_epi32(p[0], p[1]),
                                      k16_scale_pairs(sc, first));
    return _mm512_dpwssd_epi32(acc, _mm512_packs_epi32(p[2], p[3]), k16_scale_pairs(sc, first + 8));
}

/* vnni_k3_scales16 for two super-blocks, their 12 bytes of scales at the
 * start of each 128-bit lane: the signed scales sc[0..15] in each lane.
 * Low four bits from bytes 0-7 (low nibbles, then high nibbles), the top
 * two from bytes 8-11, bits 2 (j / 4) of byte 8 + j % 4. */
TARGET static INLINE __m256i k3_scales32(__m256i v) {
    __m256i l = _mm256_shuffle_epi8(v, _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4,
                                                         5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7));
    l = _mm256_and_si256(_mm256_blend_epi32(l, _mm256_srli_epi16(l, 4), 0xcc), _mm256_set1_epi8(0x0f));
    __m256i h = _mm256_shuffle_epi8(v, _mm256_setr_epi8(8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9,
                                                         10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11));
    h = _mm256_and_si256(_mm256_srlv_epi32(h, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)), _mm256_set1_epi8(3));
    return _mm256_sub_epi8(_mm256_or_si256(l, _mm256_slli_epi16(h, 4)), _mm256_set1_epi8(32));
}

/* Super-blocks b .. b+r-1 of a Q6_K row (r up to 8; q3: Q3_K): their p.
 * Two at a time, their 16 scales each widened by one VPMOVSXBW (Q3_K's
 * 6-bit ones unpacked together first) and their correction (the quants'
 * + 32, Q3_K's + 4: minus that times the scaled bsums) made by one
 * VPMADDWD, taken from each one's own lanes of its sums; the eight
 * super-blocks' sums reduced together (hsum16x8). */
TARGET static INLINE __m256 k16_group512(const void *w, const int q3, const vnni_Act *a, int b, int r) {
    const int S = q3 ? (int)sizeof(block_q3_K) : (int)sizeof(block_q6_K);
    const unsigned char *first = (const unsigned char *)w + (size_t)b * S;
    __m512i acc[8];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        int k = 2 * i, two = k + 1 < r;
        acc[k] = acc[k + 1] = _mm512_setzero_si512();
        if (k >= r) continue;
        const block_q3_K *B3 = (const block_q3_K *)(const void *)(first + (size_t)k * S);
        const block_q6_K *B6 = (const block_q6_K *)(const void *)(first + (size_t)k * S);
        __m512i sc;                                    /* words 0-15: super-block k, 16-31: k + 1 */
        if (q3) {
            /* the 12 bytes only: the last block of a tensor may end there */
            __m256i raw = _mm256_castsi128_si256(_mm_maskz_loadu_epi8(0x0fff, B3[0].scales));
            if (two) raw = _mm256_inserti128_si256(raw, _mm_maskz_loadu_epi8(0x0fff, B3[1].scales), 1);
            sc = _mm512_cvtepi8_epi16(k3_scales32(raw));
        } else {
            __m256i raw = _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)B6[0].scales));
            if (two) raw = _mm256_inserti128_si256(raw, _mm_loadu_si128((const __m128i *)(const void *)B6[1].scales), 1);
            sc = _mm512_cvtepi8_epi16(raw);
        }
        __m512i bsums = _mm512_maskz_loadu_epi16(two ? ~0u : 0xffffu, a->bsums + 16 * (b + k));
        __m512i corr = _mm512_slli_epi32(_mm512_madd_epi16(sc, bsums), q3 ? 2 : 5);   /* lanes 0-7: k, 8-15: k + 1 */
        const int8_t *x = a->q + 256 * (b + k);
        OPAQUE_PTR(x);
        __m512i s0 = q3 ? q3_k_isum512(B3, x, sc, 0) : q6_k_isum512(B6, x, sc, 0);
        acc[k] = _mm512_mask_sub_epi32(s0, 0x00ff, s0, corr);
        if (two) {
            __m512i s1 = q3 ? q3_k_isum512(B3 + 1, x + 256, sc, 16) : q6_k_isum512(B6 + 1, x + 256, sc, 16);
            acc[k + 1] = _mm512_mask_sub_epi32(s1, 0xff00, s1, corr);
        }
    }
    __m256 isum = _mm256_cvtepi32_ps(hsum16x8(acc));
    __m256 dx = group_dx(a, b, r);
    __m256 dd = _mm256_mul_ps(dx, vnni_kd8(first, S, q3 ? 108 : 208, r));
    return _mm256_mul_ps(dd, isum);
}

/* The K-quants' groups: whole ones with r a constant 8, a row's last
 * super-blocks as a group of r. */
TARGET static INLINE __m256 vnni_q2_kg_8(const block_q2_K *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return q2_k_group512(w, a, b, R ? 8 : r);
}
TARGET static INLINE __m256 vnni_q3_kg_8(const block_q3_K *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return k16_group512(w, 1, a, b, R ? 8 : r);
}
TARGET static INLINE __m256 vnni_q4_kg_8(const block_q4_K *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return q4_ks_group512(w, a, b, R ? 8 : r);
}
TARGET static INLINE __m256 vnni_q5_kg_8(const block_q5_K *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return q5_ks_group512(w, a, b, R ? 8 : r);
}
TARGET static INLINE __m256 vnni_q6_kg_8(const block_q6_K *w, const vnni_Act *a, int b, int r, const int R, int nb) {
    return k16_group512(w, 0, a, b, R ? 8 : r);
}
ROW_FNS(q2_kg, block_q2_K, 1, NO_ONE)
ROW_FNS(q3_kg, block_q3_K, 1, NO_ONE)
ROW_FNS(q4_kg, block_q4_K, 1, NO_ONE)
ROW_FNS(q5_kg, block_q5_K, 1, NO_ONE)
ROW_FNS(q6_kg, block_q6_K, 1, NO_ONE)
ROWS(q2_k_rows512, q2_kg, block_q2_K, 256, MATMUL_Q2_K)
ROWS(q3_k_rows512, q3_kg, block_q3_K, 256, MATMUL_Q3_K)
ROWS(q4_k_rows512, q4_kg, block_q4_K, 256, MATMUL_Q4_K)
ROWS(q5_k_rows512, q5_kg, block_q5_K, 256, MATMUL_Q5_K)
ROWS(q6_k_rows512, q6_kg, block_q6_K, 256, MATMUL_Q6_K)

#undef TARGET
#undef NAME

/* ---------------------------------------------------------------- AVX-512F and AVX2 */

#define TARGET __attribute__((target("avx512f,avx2")))
#define NAME(x) f512_##x

TARGET static INLINE __m256 f512_halves8(__m128i h) {
    return _mm512_castps512_ps256(_mm512_cvtph_ps(_mm256_castsi128_si256(h)));
}

#include "lib/llama/quant_body.h"

/* ---------------------------------------------------------------- F16 */

/* dot16 with the 16 lanes in one register: one row, or two rows at once
 * (two chains of dependent additions instead of one: twice the speed from
 * the cache, and from DRAM no slower than one stream). */
TARGET static INLINE float f16_sum(__m512 a) {
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(a),
                             _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
    return f512_reduce8(h);
}

#define HALVES16(p) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)(p)))
#define BHALVES16(p) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))), 16))

/* F16 (BF16) rows: widened by VCVTPH2PS (by a shift), then dot16;
 * prefetched `ahead` bytes on (matmul_halves_ahead's), two rows at a time
 * from the range's two halves; not prefetched (MATMUL_READ_BARE), four rows
 * at a time from its quarters: x is then read once for four rows, which
 * matters where x does not stay in the L1 cache beside the weights
 * (Zen 4, kbench from DRAM, one core, 5632 columns: 19.5 -> 24 GB/s, and
 * 28 with x as binary16, matmul_half_x; 2048 columns 30 either way). */
#define HALF_ROWS(ROW, ROW2, ROWS, WIDEN, MULADD, KIND)                                               \
    TARGET static INLINE float ROW(const uint16_t *w, const float *x, int n, int ahead) {             \
        __m512 a = _mm512_setzero_ps();                                                               \
        for (int j = 0; j < n; j += 16) {                                                             \
            if (ahead && j % 32 == 0) _mm_prefetch((const char *)(w + j) + ahead, _MM_HINT_T0);       \
            a = MULADD(a, WIDEN(w + j), _mm512_loadu_ps(x + j));                                      \
        }                                                                                             \
        return f16_sum(a);                                                                            \
    }                                                                                                 \
    TARGET static INLINE void ROW2(const uint16_t *w0, const uint16_t *w1, const float *x, int n,     \
                                   float *y0, float *y1, int ahead) {                                 \
        __m512 a0 = _mm512_setzero_ps(), a1 = a0;                                                     \
        for (int j = 0; j < n; j += 16) {                                                             \
            if (ahead && j % 32 == 0) {                                                               \
                _mm_prefetch((const char *)(w0 + j) + ahead, _MM_HINT_T0);                            \
                _mm_prefetch((const char *)(w1 + j) + ahead, _MM_HINT_T0);                            \
            }                                                                                         \
            __m512 xj = _mm512_loadu_ps(x + j);                                                       \
            a0 = MULADD(a0, WIDEN(w0 + j), xj);                                                       \
            a1 = MULADD(a1, WIDEN(w1 + j), xj);                                                       \
        }                                                                                             \
        *y0 = f16_sum(a0);                                                                            \
        *y1 = f16_sum(a1);                                                                            \
    }                                                                                                 \
    /* rows w and the three `stride` bytes apart after it (four streams, not                          \
     * prefetched), into y[0], y[ys], ...: x read once for four rows, as                              \
     * fp32 or (xh, matmul_half_x's) widened like the weights; a loop for                             \
     * each, since one loop choosing x's form at each step read BF16 from                             \
     * L2 10% slower (kbench, Zen 4, 5632 columns 41.9 -> 37.8 GB/s) */                               \
    TARGET static INLINE void ROW2##_4(const uint16_t *w, size_t stride, const float *x, const uint16_t *xh, \
                                       int n, float *y, size_t ys) {                                  \
        const uint16_t *r[4];                                                                         \
        __m512 a[4];                                                                                  \
        for (int k = 0; k < 4; k++) {                                                                 \
            r[k] = (const uint16_t *)(const void *)((const unsigned char *)w + k * stride);           \
            a[k] = _mm512_setzero_ps();                                                               \
        }                                                                                             \
        if (xh) {                                                                                     \
            for (int j = 0; j < n; j += 16) {                                                         \
                __m512 xj = WIDEN(xh + j);                                                            \
                _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)                                   \
                    a[k] = MULADD(a[k], WIDEN(r[k] + j), xj);                                         \
            }                                                                                         \
        } else {                                                                                      \
            for (int j = 0; j < n; j += 16) {                                                         \
                __m512 xj = _mm512_loadu_ps(x + j);                                                   \
                _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++)                                   \
                    a[k] = MULADD(a[k], WIDEN(r[k] + j), xj);                                         \
            }                                                                                         \
        }                                                                                             \
        for (int k = 0; k < 4; k++) y[k * ys] = f16_sum(a[k]);                                        \
    }                                                                                                 \
    TARGET static void ROWS(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, \
                            size_t ldy, int r0, int r1) {                                             \
        if (w->cols % 16) {                                                                           \
            matmul_plain[KIND](w, L, act, m, y, ldy, r0, r1);                                         \
            return;                                                                                   \
        }                                                                                             \
        int chunk = matmul_chunk_rows(m, r0, r1, w->row_bytes, 2);   /* a pair at least */            \
        int ahead = matmul_halves_ahead(KIND);                                                        \
        const unsigned char *base = w->data;                                                          \
        for (int i0 = r0; i0 < r1; i0 += chunk) {                                                     \
            int i1 = r1 - i0 < chunk ? r1 : i0 + chunk, count = i1 - i0;                              \
            int h = matmul_stream_half(count, w->row_bytes);                                          \
            for (int t = 0; t < m; t++) {                                                             \
                const float *x = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes); \
                float *yt = y + (size_t)t * ldy;                                                      \
                int q = ahead ? 0 : matmul_stream_quarter(count, w->row_bytes), n = 0;                \
                if (q) {   /* bare: the quarters, then the last rows one by one */                    \
                    const uint16_t *xh = matmul_half_x(L, x);                                         \
                    for (int i = i0; i < i0 + q; i++)                                                 \
                        ROW2##_4((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes),   \
                                 (size_t)q * w->row_bytes, x, xh, w->cols, &yt[i], (size_t)q);        \
                    for (int i = i0 + 4 * q; i < i1; i++)                                             \
                        yt[i] = ROW((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes), x, w->cols, 0); \
                    continue;                                                                         \
                }                                                                                     \
                for (; n + 2 <= count; n += 2) {                                                      \
                    int i = matmul_stream_row(i0, h, n), j = matmul_stream_row(i0, h, n + 1);         \
                    ROW2((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes),           \
                         (const uint16_t *)(const void *)(base + (size_t)j * w->row_bytes), x, w->cols, \
                         &yt[i], &yt[j], ahead);                                                      \
                }                                                                                     \
                if (n < count) {                                                                      \
                    int i = matmul_stream_row(i0, h, n);                                              \
                    yt[i] = ROW((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes), x, w->cols, \
                                ahead);                                                               \
                }                                                                                     \
            }                                                                                         \
        }                                                                                             \
    }

/* a + w * x: fused for F16, whose products of binary16 values are exact in
 * fp32 (11-bit significands, exponents far inside fp32's range), so that it
 * rounds as dot16's multiply and add apart (kbench from L2, one core, Zen 4,
 * F16 2048 columns 45 -> 56 GB/s); apart for BF16, whose products may
 * round, overflow or underflow. */
#define FUSED(a, w, x) _mm512_fmadd_ps(w, x, a)
#define APART(a, w, x) _mm512_add_ps(a, _mm512_mul_ps(w, x))
HALF_ROWS(f16_row, f16_row2, f16_rows, HALVES16, FUSED, MATMUL_F16)
HALF_ROWS(bf16_row, bf16_row2, bf16_rows, BHALVES16, APART, MATMUL_BF16)

extern const matmul_tensor_fn matmul_avx512vnni_batch[MATMUL_KINDS];

/* Several vectors (at least 4) go to batch_avx512.c's kernels where
 * there is one: the same bits. */
#define WITH_BATCH(FN, KIND) MATMUL_WITH_BATCH(FN, matmul_avx512vnni_batch, KIND, 4)
WITH_BATCH(q8_0_rows512, MATMUL_Q8_0)
WITH_BATCH(q4_0_rows512, MATMUL_Q4_0)
WITH_BATCH(q4_k_rows512, MATMUL_Q4_K)
WITH_BATCH(q6_k_rows512, MATMUL_Q6_K)
WITH_BATCH(f16_rows, MATMUL_F16)
WITH_BATCH(bf16_rows, MATMUL_BF16)
WITH_BATCH(q5_0_rows512, MATMUL_Q5_0)
WITH_BATCH(q4_1_rows512, MATMUL_Q4_1)
WITH_BATCH(q5_1_rows512, MATMUL_Q5_1)
WITH_BATCH(q5_k_rows512, MATMUL_Q5_K)
WITH_BATCH(q2_k_rows512, MATMUL_Q2_K)
WITH_BATCH(q3_k_rows512, MATMUL_Q3_K)

/* F32 one vector at a time: matmul.c's own way (the level's f32_rows). */
extern const MatmulKernel matmul_kernel_avx512vnni;
static void f32_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                     int r0, int r1) {
    Matrix M = { w->data, NULL, NULL, 0 };
    for (int t = 0; t < m; t++)
        matrix_rows(&matmul_kernel_avx512vnni, y + (size_t)t * ldy,
                    (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes), NULL, &M,
                    w->cols, r0, r1);
}
WITH_BATCH(f32_rows, MATMUL_F32)

/* IQ4_NL and IQ4_XS: quant_body.h's 256-bit kernels with VNNI's byte
 * products, several vectors through batch_avx2.c's (no 512-bit kernels of
 * their own: llama.cpp writes them for fewer models than the others). */
MATMUL_WITH_BATCH(vnni_iq4_nl_rows, matmul_avx2_batch, MATMUL_IQ4_NL, 4)
MATMUL_WITH_BATCH(vnni_iq4_xs_rows, matmul_avx2_batch, MATMUL_IQ4_XS, 4)

/* VNNI's table, Q4_K and Q5_K by Q4_K_FN and Q5_K_FN. */
#define VNNI_TENSOR_TABLE(TABLE, Q4_K_FN, Q5_K_FN)                                                     \
    const matmul_tensor_fn TABLE[MATMUL_KINDS] = {                                                    \
        [MATMUL_Q8_0] = q8_0_rows512_or_batch, [MATMUL_Q4_0] = q4_0_rows512_or_batch,                  \
        [MATMUL_Q4_K] = Q4_K_FN, [MATMUL_Q6_K] = q6_k_rows512_or_batch,                                \
        [MATMUL_F16] = f16_rows_or_batch, [MATMUL_F32] = f32_rows_or_batch,                            \
        [MATMUL_Q5_0] = q5_0_rows512_or_batch, [MATMUL_Q4_1] = q4_1_rows512_or_batch,                  \
        [MATMUL_Q5_1] = q5_1_rows512_or_batch, [MATMUL_Q5_K] = Q5_K_FN,                                \
        [MATMUL_Q2_K] = q2_k_rows512_or_batch, [MATMUL_Q3_K] = q3_k_rows512_or_batch,                  \
        [MATMUL_BF16] = bf16_rows_or_batch,                                                            \
        [MATMUL_IQ4_NL] = vnni_iq4_nl_rows_or_batch, [MATMUL_IQ4_XS] = vnni_iq4_xs_rows_or_batch,      \
    };
VNNI_TENSOR_TABLE(matmul_avx512vnni_tensor, q4_k_rows512_or_batch, q5_k_rows512_or_batch)

/* The same with Q4_K and Q5_K by quant_body.h's 256-bit kernels (with
 * VNNI's byte products), a set the tuner times beside the one above
 * (matmul.h's variant_of): where 512-bit operations run as two halves
 * (AMD Zen 4), they read Q4_K faster than the 512-bit ones, elsewhere
 * slower (kbench, one core, GB/s from DRAM and from L2: Zen 4 26.3-27.1
 * and 31-32 against 24.3-25.3 and 26-27, Q5_K 26.2-26.8 and 30-31
 * against 24-24.4 and 25; Zen 5 from L2 37 against 50-53, before x was
 * loaded per row: simd.h's OPAQUE_PTR). The other types' 512-bit kernels
 * are as fast or faster on Zen 4 too (Q4_0 24 against 16 from DRAM). */
WITH_BATCH(vnni_q4_k_rows, MATMUL_Q4_K)
WITH_BATCH(vnni_q5_k_rows, MATMUL_Q5_K)
VNNI_TENSOR_TABLE(matmul_avx512vnni_ymm_tensor, vnni_q4_k_rows_or_batch, vnni_q5_k_rows_or_batch)

/* With AMX, the blocks of 32 and Q4_K, Q5_K, Q6_K go to batch_amx.c's
 * tile kernels 16 vectors at a time (the same bits), and the vectors past
 * the last 16 as with VNNI alone: a tile of fewer vectors costs as much as a full one
 * (kbench, Q8_0, 2048 columns: m = 8 was 106 GFLOP/s on AMX against 158
 * with VNNI; m = 16 288 against 235, m = 48 460 against 322). */
extern const matmul_tensor_fn matmul_amx_batch[MATMUL_KINDS];
#define WITH_AMX(FN, KIND)                                                                             \
    static void FN##_or_amx(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, \
                            size_t ldy, int r0, int r1) {                                             \
        int tiled = m / 16 * 16;                                                                       \
        if (tiled) matmul_amx_batch[KIND](w, L, act, tiled, y, ldy, r0, r1);                           \
        if (m > tiled)                                                                                 \
            FN##_or_batch(w, L, (const unsigned char *)act + (size_t)tiled * L->bytes, m - tiled,       \
                          y + (size_t)tiled * ldy, ldy, r0, r1);                                      \
    }
WITH_AMX(q8_0_rows512, MATMUL_Q8_0)
WITH_AMX(q4_0_rows512, MATMUL_Q4_0)
WITH_AMX(q5_0_rows512, MATMUL_Q5_0)
WITH_AMX(q4_1_rows512, MATMUL_Q4_1)
WITH_AMX(q5_1_rows512, MATMUL_Q5_1)
WITH_AMX(q4_k_rows512, MATMUL_Q4_K)
WITH_AMX(q5_k_rows512, MATMUL_Q5_K)
WITH_AMX(q6_k_rows512, MATMUL_Q6_K)

const matmul_tensor_fn matmul_avx512amx_tensor[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = q8_0_rows512_or_amx, [MATMUL_Q4_0] = q4_0_rows512_or_amx,
    [MATMUL_Q4_K] = q4_k_rows512_or_amx, [MATMUL_Q6_K] = q6_k_rows512_or_amx,
    [MATMUL_F16] = f16_rows_or_batch, [MATMUL_F32] = f32_rows_or_batch,
    [MATMUL_Q5_0] = q5_0_rows512_or_amx, [MATMUL_Q4_1] = q4_1_rows512_or_amx,
    [MATMUL_Q5_1] = q5_1_rows512_or_amx, [MATMUL_Q5_K] = q5_k_rows512_or_amx,
    [MATMUL_Q2_K] = q2_k_rows512_or_batch, [MATMUL_Q3_K] = q3_k_rows512_or_batch,
    [MATMUL_BF16] = bf16_rows_or_batch,
    [MATMUL_IQ4_NL] = vnni_iq4_nl_rows_or_batch, [MATMUL_IQ4_XS] = vnni_iq4_xs_rows_or_batch,
};

/* Without VNNI, several vectors go to batch_avx2.c's kernels (the same
 * bits). */
BODY_TENSOR_TABLE(matmul_avx512_tensor, f512, matmul_avx2_batch, f16_rows, bf16_rows)

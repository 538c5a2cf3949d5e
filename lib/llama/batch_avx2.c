/* Batched products on AVX2 without AVX-512 VNNI (matmul.h's tensor
 * kernels for m vectors at once, prompt processing), for the AVX2 level
 * and for AVX-512F without VNNI: every (row, vector) result is the
 * one-vector product's, bit for bit, in the same summation order.
 * Where the CPU has AVX-VNNI, the blocks of 32 take VPDPBUSD instead of
 * VPMADDUBSW and VPMADDWD (below).
 *
 * Rows in lanes, as batch_avx512.c, eight rows per 256-bit register.
 * Eight rows of the weights are first packed (on the stack) so that dword
 * k of block b of row r sits in lane r of one 32-byte vector; then
 * VPMADDUBSW of that vector (unsigned quants) with dword k of a vector's
 * activations broadcast to every lane (VPBROADCASTD from memory) gives
 * each row two int16 sums of two byte products, and VPMADDWD makes them
 * int32 (with ones, or with a sub-block's scale in both int16 halves of
 * the row's dword: the scale times the sum, exact). After a block, lane r
 * holds the block's exact int32 sum for row r: no horizontal sums at all.
 *
 * VPMADDUBSW saturates its int16 pair sums: every bound here stays below
 * 32767 (activations in [-127, 127]). A pair is at most 2 * 63 * 127, and
 * the int16 sums of G dwords are added before VPMADDWD where G * 2 * 2 *
 * max(q) * 127 fits: Q4_0, Q4_1, Q4_K G = 8 (30480); Q5_0, Q5_1, Q5_K 4
 * (31496); Q6_K 2 (32004); Q2_K, Q3_K 4 (at most 7112). Q8_0's signed
 * quants go in as |w|, w's sign put on each broadcast activation dword by
 * VPSIGNB (|w| up to 128: a pair up to 32512, so each dword is widened by
 * itself). IQ4_NL's and IQ4_XS's table values (signed, |w| up to 127) go in
 * the same way: IQ4_NL packed as Q8_0's quants, IQ4_XS's dwords widened by
 * VPMADDWD with their sub-block's scale.
 *
 * The float work is matmul.h's: per block p as matmul_plain.c computes it,
 * eight rows at once; each vector keeps matmul.h's eight lane vectors
 * (lane l takes blocks l, l + 8, ... in order, from +0) and adds them as
 * the tree at the end, eight rows in parallel. Blocks of 32 run lane by
 * lane (l outer, b = l, l + 8, ... inner), so that a lane's sum stays in
 * one register; the K-quants add each super-block's p to its lane in
 * memory. TOKENS vectors go through a block together, each packed dword
 * loaded once for all of them.
 *
 * Blocks of 32 (Q8_0 activations; Q8_1 for Q4_1, Q5_1): p = (float)isum *
 * (d_w * d_x), the unsigned quants' offset (Q4_0: 8, Q5_0: 16) taken away
 * per block from the activations' block sums; Q4_1, Q5_1 + m_w * s_x.
 * K-quants (Q8_K activations): isum = sum_j sc_j * S_j by VPMADDWD, aux by
 * VPMADDWD of int16 pairs (minimums or scales) with the activations' pairs
 * of sub-block sums: Q2_K, Q4_K, Q5_K msum; Q6_K and Q3_K, whose quants
 * are packed unsigned (q + 32, q + 4), the offset times sum_j sc_j * bsum_j.
 * The fp16 scales are widened while packing, in integer code (AVX2 does
 * not imply F16C).
 *
 * Every pass takes a chunk of the vectors (up to 1 MiB of them) past all
 * the rows, so the activations are read once and the weights once per
 * chunk; while a panel is used, the next one is prefetched (packing reads
 * eight rows in a burst, too short for the hardware prefetchers). Rows
 * longer than a panel go in pieces, the lane vectors of the chunk's
 * vectors (at most 64) on the stack between pieces.
 *
 * Stack: up to about 58 KiB (a panel of 8 rows by 128 blocks of 32 is
 * 40 KiB, of 8 super-blocks 23 KiB; the lane vectors 16 KiB). */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/llama/half8_avx2.h"
#include "lib/llama/prefetch_ahead.h"

#define TARGET __attribute__((target("avx2")))
#define VNNI_TARGET __attribute__((target("avx2,avxvnni")))
#define INLINE __attribute__((always_inline)) inline

/* Vectors of a call handled together (their sums in registers: with 6,
 * 12 of AVX2's 16 vector registers). */
#define TOKENS 6
#define TMAX TOKENS   /* the sizes of a tile's arrays (tiles take 1 .. TOKENS) */

/* One vector of prepared activations (activations.h). */
typedef ActView Act;

/* dword p of the activations in every lane (VPBROADCASTD from memory). */
#define BCAST(p) _mm256_set1_epi32((int)load32(p))
#define LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))

/* v stays in a register as it is: the compiler may not reassociate a
 * running sum into a tree of sums (which keeps every product alive at
 * once and spills them). */
#define KEEP(v) __asm__("" : "+x"(v))

/* The tree of matmul.h over the eight lane vectors of 8 rows. */
TARGET static INLINE __m256 tree8(const __m256 l[8]) {
    __m256 a0 = _mm256_add_ps(l[0], l[4]), a1 = _mm256_add_ps(l[1], l[5]);
    __m256 a2 = _mm256_add_ps(l[2], l[6]), a3 = _mm256_add_ps(l[3], l[7]);
    return _mm256_add_ps(_mm256_add_ps(a0, a2), _mm256_add_ps(a1, a3));
}

/* Rows [r, r + 8) of y for one vector: the first `rows` lanes of v. */
TARGET static INLINE void store_rows(float *y, __m256 v, int rows) {
    if (rows == 8) _mm256_storeu_ps(y, v);
    else _mm256_maskstore_ps(y, _mm256_cmpgt_epi32(_mm256_set1_epi32(rows), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), v);
}

/* r[k] := lane j = dword k of r[j] (8 rows of 8 dwords): unpack dwords,
 * unpack qwords, then the 128-bit halves. */
TARGET static INLINE void transpose8x8(__m256i r[8]) {
    __m256i t[8], u[8];
    for (int j = 0; j < 8; j += 2) {
        t[j] = _mm256_unpacklo_epi32(r[j], r[j + 1]);      /* a0 b0 a1 b1 | a4 b4 a5 b5 */
        t[j + 1] = _mm256_unpackhi_epi32(r[j], r[j + 1]);  /* a2 b2 a3 b3 | a6 b6 a7 b7 */
    }
    for (int j = 0; j < 8; j += 4) {
        u[j] = _mm256_unpacklo_epi64(t[j], t[j + 2]);          /* a0 b0 c0 d0 | a4 b4 c4 d4 */
        u[j + 1] = _mm256_unpackhi_epi64(t[j], t[j + 2]);      /* a1 ... | a5 ... */
        u[j + 2] = _mm256_unpacklo_epi64(t[j + 1], t[j + 3]);  /* a2 ... | a6 ... */
        u[j + 3] = _mm256_unpackhi_epi64(t[j + 1], t[j + 3]);  /* a3 ... | a7 ... */
    }
    for (int k = 0; k < 4; k++) {   /* u[k]: rows a-d, u[4 + k]: rows e-h */
        r[k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x20);
        r[4 + k] = _mm256_permute2x128_si256(u[k], u[4 + k], 0x31);
    }
}

/* The fp16 at byte `off` of rows j < rows (row j at base + j * stride),
 * as fp32 into lane j of f (0 for the missing rows). */
TARGET static INLINE void pack_half8(float f[8], const unsigned char *base, size_t stride, int rows, size_t off) {
    uint64_t lo = 0, hi = 0;        /* in registers: eight 2-byte stores and a wider load would stall */
    for (int j = 0; j < 8 && j < rows; j++) {
        uint16_t h;
        __builtin_memcpy(&h, base + (size_t)j * stride + off, 2);
        if (j < 4) lo |= (uint64_t)h << (16 * j);
        else hi |= (uint64_t)h << (16 * (j - 4));
    }
    __m128i v = _mm_insert_epi64(_mm_cvtsi64_si128((long long)lo), (long long)hi, 1);
    _mm256_store_ps(f, half8(_mm256_cvtepu16_epi32(v)));
}

/* ---------------------------------------------------------------- blocks of 32 */

/* The packed panel: 8 rows by up to PANEL_BLOCKS blocks. */
#define PANEL_BLOCKS 128

typedef struct {
    __m256i q[PANEL_BLOCKS][8];     /* dword k of block b, lane = row */
    float d[PANEL_BLOCKS][8] __attribute__((aligned(32)));   /* the rows' d_w of block b */
    float m[PANEL_BLOCKS][8] __attribute__((aligned(32)));   /* Q4_1, Q5_1: the rows' m_w */
} Panel32;

/* Blocks [b0, b0 + nb) of `rows` rows (the others zero), row j at
 * base + j * stride: Q8_0's quants as they are (signed). */
TARGET static void pack_q8_0(Panel32 *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) {
    for (int i = 0; i < nb; i++) {
        __m256i r[8];
        for (int j = 0; j < 8; j++) {
            const block_q8_0 *B = (const block_q8_0 *)(const void *)(base + (size_t)j * stride) + b0 + i;
            r[j] = j < rows ? LOAD(B->qs) : _mm256_setzero_si256();
        }
        transpose8x8(r);
        for (int k = 0; k < 8; k++) P->q[i][k] = r[k];
        pack_half8(P->d[i], base, stride, rows, (size_t)(b0 + i) * sizeof(block_q8_0));
    }
}

/* The 32 quants of a Q4 block in value order: the low nibbles, then the
 * high ones. */
TARGET static INLINE __m256i q4_quants(const uint8_t *qs) {
    __m256i q = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)qs));
    return _mm256_and_si256(_mm256_blend_epi32(q, _mm256_srli_epi16(q, 4), 0xf0), _mm256_set1_epi8(0x0f));
}

/* The same quants of IQ4_NL and IQ4_XS as their values (signed bytes). */
TARGET static INLINE __m256i iq4_values32(const uint8_t *qs) {
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)iq4_values));
    return _mm256_shuffle_epi8(table, q4_quants(qs));
}

/* A Q5 block's quants: the nibbles, and 16 where bit j of its qh word is set. */
TARGET static INLINE __m256i q5_quants(const uint8_t *qs, uint32_t qh) {
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)qh),
                                    _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1,
                                                     2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    v = _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
    return _mm256_or_si256(q4_quants(qs), _mm256_and_si256(v, _mm256_set1_epi8(0x10)));
}

/* Packers of Q4_0, Q5_0, Q4_1, Q5_1 (quants unsigned; Q4_1 and Q5_1 also m:
 * HAS_M, their field MF). QUANTS(BT, R, b): block b's quants in row R, a
 * row of nbr blocks (stride is the tensor's row_bytes); its fields where
 * blocks.h's BLOCK32_FIELD_AT says. */
#define PACK32(FN, BT, QUANTS, HAS_M, MF)                                                            \
    TARGET static void FN(Panel32 *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) { \
        __attribute__((unused)) const int nbr = (int)(stride / sizeof(BT));                        \
        for (int i = 0; i < nb; i++) {                                                             \
            __m256i r[8];                                                                          \
            for (int j = 0; j < 8; j++) {                                                          \
                const unsigned char *R = base + (size_t)j * stride;                                \
                r[j] = j < rows ? QUANTS(BT, R, b0 + i) : _mm256_setzero_si256();                  \
            }                                                                                      \
            transpose8x8(r);                                                                       \
            for (int k = 0; k < 8; k++) P->q[i][k] = r[k];                                         \
            pack_half8(P->d[i], base, stride, rows, BLOCK32_FIELD_AT(BT, d, nbr, b0 + i));         \
            if (HAS_M) pack_half8(P->m[i], base, stride, rows, BLOCK32_FIELD_AT(BT, MF, nbr, b0 + i)); \
        }                                                                                          \
    }
#define Q5_QUANTS(BT, R, b) q5_quants(BLOCK32_FIELD(BT, qs, R, nbr, b), BLOCK32_QH(BT, R, nbr, b))
#define Q4_QUANTS(BT, R, b) q4_quants(BLOCK32_FIELD(BT, qs, R, nbr, b))
PACK32(pack_q4_0, block_q4_0, Q4_QUANTS, 0, d)
PACK32(pack_q5_0, block_q5_0, Q5_QUANTS, 0, d)
PACK32(pack_q4_1, block_q4_1, Q4_QUANTS, 1, m)
PACK32(pack_q5_1, block_q5_1, Q5_QUANTS, 1, m)
/* IQ4_NL (split as Q4_0): its values, signed, packed as Q8_0's quants, so
 * that Q8_0's tiles take it (both are p = (float)isum * (d_w * d_x) with
 * Q8_0 activations). */
#define IQ4_QUANTS(BT, R, b) iq4_values32(BLOCK32_FIELD(BT, qs, R, nbr, b))
PACK32(pack_iq4_nl, block_iq4_nl, IQ4_QUANTS, 0, d)

/* The quants' offset 2^SHIFT taken away from isum_ (-1: none):
 * (q - 2^SHIFT) . x = q . x - 2^SHIFT * sum(x). */
#define TAKE_OFFSET(b, SHIFT)                                                                        \
    do {                                                                                             \
        if ((SHIFT) >= 0)                                                                            \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++)                                      \
                isum_[t] = _mm256_sub_epi32(isum_[t], _mm256_slli_epi32(BCAST(a[t].sum + (b)), (SHIFT) & 31)); \
    } while (0)

/* Block i of the panel (block b of the rows) times the T vectors a[]:
 * the exact int32 sums of the 8 rows in isum_[t]. Unsigned quants: int16
 * sums of D dwords at a time; SHIFT: the offset 2^SHIFT of the quants
 * taken away (-1: none). */
#define U_SUMS(i, b, D, SHIFT)                                                                       \
    __m256i isum_[TMAX];                                                                             \
    do {                                                                                             \
        __m256i s16_[TMAX];                                                                          \
        _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) {                                        \
            __m256i w_ = _mm256_load_si256(&P->q[i][k]);                                             \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                                    \
                __m256i p_ = _mm256_maddubs_epi16(w_, BCAST(a[t].q + 32 * (b) + 4 * k));             \
                s16_[t] = k % (D) ? _mm256_add_epi16(s16_[t], p_) : p_;                              \
                KEEP(s16_[t]);                                                                       \
                if (k % (D) == (D) - 1) {                                                            \
                    __m256i v_ = _mm256_madd_epi16(s16_[t], _mm256_set1_epi16(1));                   \
                    isum_[t] = k == (D) - 1 ? v_ : _mm256_add_epi32(isum_[t], v_);                   \
                    KEEP(isum_[t]);                                                                  \
                }                                                                                    \
            }                                                                                        \
        }                                                                                            \
        TAKE_OFFSET(b, SHIFT);                                                                       \
    } while (0)

/* Q4_0: 8 dwords of int16 sums (at most 8 * 2 * 15 * 127 = 30480), less
 * 8 * sum(x); Q5_0: 4 dwords (4 * 2 * 31 * 127 = 31496), less 16 * sum(x);
 * Q4_1, Q5_1 without offset. */
#define Q4_0_SUMS(i, b) U_SUMS(i, b, 8, 3)
#define Q5_0_SUMS(i, b) U_SUMS(i, b, 4, 4)
#define Q4_1_SUMS(i, b) U_SUMS(i, b, 8, -1)
#define Q5_1_SUMS(i, b) U_SUMS(i, b, 4, -1)

/* acc + the int32 sums of each dword's four products of unsigned u and
 * signed x: AVX2's (VPMADDUBSW, each dword widened by itself) and
 * AVX-VNNI's (one VPDPBUSD). */
#define DOT4_AVX2(acc, u, x) _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, x), _mm256_set1_epi16(1)))
#define DOT4_VNNI(acc, u, x) _mm256_dpbusd_avx_epi32(acc, u, x)

/* Q8_0: |w| (up to 128) times x with w's sign, by DOT4. */
#define SIGNED_SUMS(i, b, DOT4)                                                                      \
    __m256i isum_[TMAX];                                                                             \
    do {                                                                                             \
        _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) {                                        \
            __m256i w_ = _mm256_load_si256(&P->q[i][k]), aw_ = _mm256_abs_epi8(w_);                  \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                                    \
                __m256i x_ = _mm256_sign_epi8(BCAST(a[t].q + 32 * (b) + 4 * k), w_);                 \
                isum_[t] = DOT4(k ? isum_[t] : _mm256_setzero_si256(), aw_, x_);                     \
                KEEP(isum_[t]);                                                                      \
            }                                                                                        \
        }                                                                                            \
    } while (0)
#define Q8_0_SUMS(i, b) SIGNED_SUMS(i, b, DOT4_AVX2)

/* The same with AVX-VNNI: VPDPBUSD adds each dword's four byte products
 * into the row's int32 lane, no int16 sums to bound (kbench -B, Zen 5, one
 * core, 64 vectors: Q8_0 186 -> 262 GFLOP/s, Q4_0, Q4_1, Q5_0 3-7% faster;
 * the K-quants' sub-block sums, which must fit int16 for VPDPWSSD with the
 * scales, came out no faster, Q6_K's slower: they stay as above). */
#define VNNI_U_SUMS(i, b, SHIFT)                                                                     \
    __m256i isum_[TMAX];                                                                             \
    do {                                                                                             \
        _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) {                                        \
            __m256i w_ = _mm256_load_si256(&P->q[i][k]);                                             \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                                    \
                isum_[t] = DOT4_VNNI(k ? isum_[t] : _mm256_setzero_si256(), w_, BCAST(a[t].q + 32 * (b) + 4 * k)); \
                KEEP(isum_[t]);                                                                      \
            }                                                                                        \
        }                                                                                            \
        TAKE_OFFSET(b, SHIFT);                                                                       \
    } while (0)
#define VNNI_Q4_0_SUMS(i, b) VNNI_U_SUMS(i, b, 3)
#define VNNI_Q5_0_SUMS(i, b) VNNI_U_SUMS(i, b, 4)
#define VNNI_Q4_1_SUMS(i, b) VNNI_U_SUMS(i, b, -1)
#define VNNI_Q5_1_SUMS(i, b) VNNI_U_SUMS(i, b, -1)
#define VNNI_Q8_0_SUMS(i, b) SIGNED_SUMS(i, b, DOT4_VNNI)

/* The panel's blocks [0, nb) (blocks b0.. of the rows, b0 a multiple of 8)
 * times T vectors: lane by lane, p = (float)isum * (d_w * d_x) added to
 * the lane vector S[t][l] (from +0 when `first`). */
#define BLOCKS32_TILE(FN, SUMS, HAS_M, ATTR)                                                        \
    ATTR static INLINE void FN##_n(const Panel32 *P, int b0, int nb, const Act *a_in, const int T, \
                                     __m256 (*S)[8], int first) {                                   \
        Act a[TMAX];                                                                                \
        _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) a[t] = a_in[t];                         \
        for (int l = 0; l < 8 && l < nb; l++) {                                                     \
            __m256 s[TMAX];                                                                         \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++)                                     \
                s[t] = first ? _mm256_setzero_ps() : S[t][l];                                       \
            for (int i = l; i < nb; i += 8) {                                                       \
                int b = b0 + i;                                                                     \
                SUMS(i, b);                                                                         \
                __m256 dw_ = _mm256_load_ps(P->d[i]);                                               \
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                               \
                    __m256 p_ = _mm256_mul_ps(_mm256_cvtepi32_ps(isum_[t]),                         \
                                              _mm256_mul_ps(dw_, _mm256_set1_ps(a[t].d[b])));       \
                    if (HAS_M) /* Q4_1, Q5_1: + m_w * s_x */                                       \
                        p_ = _mm256_add_ps(p_, _mm256_mul_ps(_mm256_load_ps(P->m[i]), _mm256_set1_ps(a[t].s[b]))); \
                    s[t] = _mm256_add_ps(s[t], p_);                                                 \
                }                                                                                   \
            }                                                                                       \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) S[t][l] = s[t];                     \
        }                                                                                           \
        if (first)                                  /* lanes without blocks: +0 */                  \
            for (int l = nb; l < 8; l++)                                                            \
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) S[t][l] = _mm256_setzero_ps();  \
    }

/* T a constant for the compiler. */
#define TILE_DISPATCH(FN, PANEL_T, ATTR)                                                             \
    ATTR static void FN(const PANEL_T *P, int b0, int nb, const Act *a, int T, __m256 (*S)[8], int first) { \
        switch (T) {                                                                                \
        case 6: FN##_n(P, b0, nb, a, 6, S, first); break;                                           \
        case 5: FN##_n(P, b0, nb, a, 5, S, first); break;                                           \
        case 4: FN##_n(P, b0, nb, a, 4, S, first); break;                                           \
        case 3: FN##_n(P, b0, nb, a, 3, S, first); break;                                           \
        case 2: FN##_n(P, b0, nb, a, 2, S, first); break;                                           \
        default: FN##_n(P, b0, nb, a, 1, S, first); break;                                          \
        }                                                                                           \
    }

/* Vectors whose lane vectors wait on the stack while a long row's pieces
 * go by. */
#define SPILL_VECTORS 64

/* Bytes of activations a pass takes past all the rows (in the caches). */
#define X_CHUNK_BYTES (1024 * 1024)

/* Vectors per chunk: all of them, or as many as fill X_CHUNK_BYTES (at
 * least 8), at most `cap` (0: none). */
static int chunk_of(size_t vector_bytes, int m, int cap) {
    size_t c = X_CHUNK_BYTES / vector_bytes;
    if (c < 8) c = 8;
    if (cap && c > (size_t)cap) c = (size_t)cap;
    return c < (size_t)m ? (int)c : m;
}

/* All rows [r0, r1) for m vectors: for each chunk of vectors, panels of 8
 * rows in pieces of PIECE blocks of VALUES weights, each piece packed by
 * PACK into a PANEL_T and used for every vector of the chunk, TOKENS
 * vectors at a time by TILE. A row of one piece keeps only the lane
 * vectors of the TOKENS vectors at hand; longer rows those of the whole
 * chunk. */
#define PANEL_ROWS(FN, PANEL_T, VALUES, PIECE, PACK, TILE, ATTR)                               \
    ATTR static void FN(const llama_tensor *w, const ActLayout *L, const void *act, int m,        \
                          float *y, size_t ldy, int r0, int r1) {                                  \
        PANEL_T P __attribute__((aligned(32)));                                                    \
        __m256 lanes[SPILL_VECTORS][8];                                                            \
        int nbr = w->cols / (VALUES), pieces = nbr > (PIECE);                                      \
        int chunk = chunk_of(act_chunk_bytes(L), m, pieces ? SPILL_VECTORS : 0);                             \
        for (int c0 = 0; c0 < m; c0 += chunk) {                                                    \
            int cn = m - c0 < chunk ? m - c0 : chunk;                                              \
            for (int p0 = r0; p0 < r1; p0 += 8) {                                                  \
                int rows = r1 - p0 < 8 ? r1 - p0 : 8;                                              \
                for (int b0 = 0; b0 < nbr; b0 += (PIECE)) {                                        \
                    int nb = nbr - b0 < (PIECE) ? nbr - b0 : (PIECE), last = b0 + nb == nbr;       \
                    PACK(&P, (const unsigned char *)w->data + (size_t)p0 * w->row_bytes, w->row_bytes, \
                         rows, b0, nb);                                                            \
                    Ahead ahead;                                                                   \
                    ahead_next_panel(&ahead, w, p0, 8, r1, b0, nb, nbr, (PIECE),                   \
                                     (cn + TOKENS - 1) / TOKENS);                                  \
                    for (int t0 = 0; t0 < cn; t0 += TOKENS) {                                      \
                        int T = cn - t0 < TOKENS ? cn - t0 : TOKENS;                               \
                        ahead_step(&ahead);                                                        \
                        __m256 (*S)[8] = lanes + (pieces ? t0 : 0);                                \
                        Act a[TOKENS];                                                             \
                        for (int t = 0; t < T; t++) a[t] = act_view(L, act, c0 + t0 + t);            \
                        TILE(&P, b0, nb, a, T, S, b0 == 0);                                        \
                        if (last)                                                                  \
                            for (int t = 0; t < T; t++)                                            \
                                store_rows(y + (size_t)(c0 + t0 + t) * ldy + p0, tree8(S[t]), rows); \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

/* Each type's tile and row functions (suffix V), from its sums (S: prefix
 * of their macros) under ATTR: AVX2's byte products, and AVX-VNNI's. */
#define BLOCKS32_KERNELS(V, S, ATTR)                                                             \
    BLOCKS32_TILE(q8_0_tile##V, S##Q8_0_SUMS, 0, ATTR)                                           \
    BLOCKS32_TILE(q4_0_tile##V, S##Q4_0_SUMS, 0, ATTR)                                           \
    BLOCKS32_TILE(q5_0_tile##V, S##Q5_0_SUMS, 0, ATTR)                                           \
    BLOCKS32_TILE(q4_1_tile##V, S##Q4_1_SUMS, 1, ATTR)                                           \
    BLOCKS32_TILE(q5_1_tile##V, S##Q5_1_SUMS, 1, ATTR)                                           \
    TILE_DISPATCH(q8_0_tile##V, Panel32, ATTR)                                                   \
    TILE_DISPATCH(q4_0_tile##V, Panel32, ATTR)                                                   \
    TILE_DISPATCH(q5_0_tile##V, Panel32, ATTR)                                                   \
    TILE_DISPATCH(q4_1_tile##V, Panel32, ATTR)                                                   \
    TILE_DISPATCH(q5_1_tile##V, Panel32, ATTR)                                                   \
    PANEL_ROWS(q8_0_batch##V, Panel32, 32, PANEL_BLOCKS, pack_q8_0, q8_0_tile##V, ATTR)          \
    PANEL_ROWS(q4_0_batch##V, Panel32, 32, PANEL_BLOCKS, pack_q4_0, q4_0_tile##V, ATTR)          \
    PANEL_ROWS(q5_0_batch##V, Panel32, 32, PANEL_BLOCKS, pack_q5_0, q5_0_tile##V, ATTR)          \
    PANEL_ROWS(q4_1_batch##V, Panel32, 32, PANEL_BLOCKS, pack_q4_1, q4_1_tile##V, ATTR)          \
    PANEL_ROWS(q5_1_batch##V, Panel32, 32, PANEL_BLOCKS, pack_q5_1, q5_1_tile##V, ATTR)          \
    PANEL_ROWS(iq4_nl_batch##V, Panel32, 32, PANEL_BLOCKS, pack_iq4_nl, q8_0_tile##V, ATTR)
BLOCKS32_KERNELS(, , TARGET)
BLOCKS32_KERNELS(_vnni, VNNI_, VNNI_TARGET)

/* ---------------------------------------------------------------- K-quants */

/* A panel of 8 rows by up to PANEL_SUPER super-blocks. Quants unsigned,
 * in value order, dword v of super-block i in q[i][v], lane = row. */
#define PANEL_SUPER 8

typedef struct {
    __m256i q[PANEL_SUPER][64];
    __m256i sc[PANEL_SUPER][16];    /* sub-block j's scale, int16, in both halves of the row's dword */
    __m256i pair[PANEL_SUPER][8];   /* int16 pairs: Q4_K's minimums (4), Q6_K's scales (8) */
    float d[PANEL_SUPER][8] __attribute__((aligned(32)));
    float dmin[PANEL_SUPER][8] __attribute__((aligned(32)));
} PanelK;

/* The 8 rows' 32 bytes at byte `off` of their block (zero past `rows`),
 * transposed: r[k], lane j = dword k of row j. */
TARGET static INLINE void rows_bytes32(const unsigned char *block, size_t stride, int rows, size_t off, __m256i r[8]) {
    for (int j = 0; j < 8; j++) r[j] = j < rows ? LOAD(block + (size_t)j * stride + off) : _mm256_setzero_si256();
    transpose8x8(r);
}

/* The sub-block scales and minimums of 8 rows into lanes: each row's 16
 * bytes of them (v[j], zero past the matrix) laid out so that one
 * VPSHUFB per half gathers byte c of every row: a[h] holds bytes
 * 8h .. 8h + 7 of rows 0, 1 | 4, 5 in its four qwords, b[h] those of rows
 * 2, 3 | 6, 7. */
typedef struct { __m256i a[2], b[2]; } Rows16;

TARGET static INLINE Rows16 rows16(const __m128i v[8]) {
    __m256i v04 = _mm256_inserti128_si256(_mm256_castsi128_si256(v[0]), v[4], 1);
    __m256i v15 = _mm256_inserti128_si256(_mm256_castsi128_si256(v[1]), v[5], 1);
    __m256i v26 = _mm256_inserti128_si256(_mm256_castsi128_si256(v[2]), v[6], 1);
    __m256i v37 = _mm256_inserti128_si256(_mm256_castsi128_si256(v[3]), v[7], 1);
    Rows16 g = { { _mm256_unpacklo_epi64(v04, v15), _mm256_unpackhi_epi64(v04, v15) },
                 { _mm256_unpacklo_epi64(v26, v37), _mm256_unpackhi_epi64(v26, v37) } };
    return g;
}

/* Lane j: byte lo of row j as the low int16, byte hi as the high one (lo
 * and hi in the same half; constants, so that the patterns are too),
 * sign-extended when `sign`. Each byte goes to the top of its int16 and
 * is shifted down. With lo = hi, VPMADDWD with a row's two int16 sums
 * gives the scale times their total. */
TARGET static INLINE __m256i pick16(const Rows16 *g, int lo, int hi, int sign) {
    const char z = (char)0x80, l = (char)(lo % 8), h = (char)(hi % 8), l8 = (char)(8 + lo % 8), h8 = (char)(8 + hi % 8);
    __m256i pa = _mm256_setr_epi8(z, l, z, h, z, l8, z, h8, z, z, z, z, z, z, z, z,
                                  z, l, z, h, z, l8, z, h8, z, z, z, z, z, z, z, z);
    __m256i pb = _mm256_setr_epi8(z, z, z, z, z, z, z, z, z, l, z, h, z, l8, z, h8,
                                  z, z, z, z, z, z, z, z, z, l, z, h, z, l8, z, h8);
    __m256i r = _mm256_or_si256(_mm256_shuffle_epi8(g->a[lo / 8], pa), _mm256_shuffle_epi8(g->b[lo / 8], pb));
    return sign ? _mm256_srai_epi16(r, 8) : _mm256_srli_epi16(r, 8);
}

/* The 16 bytes at `p` of rows j < rows (row j at p + j * stride), zero past them. */
TARGET static INLINE void load_rows16(__m128i v[8], const unsigned char *p, size_t stride, int rows) {
    for (int j = 0; j < 8; j++)
        v[j] = j < rows ? _mm_loadu_si128((const __m128i *)(const void *)(p + (size_t)j * stride)) : _mm_setzero_si128();
}

/* sc[0..n) = the 16 rows' bytes 0..n-1 (scales, each in both int16 halves),
 * pair[k] = bytes pb + 2k, pb + 2k + 1 (k < npairs). */
TARGET static INLINE void pack_scales(__m256i *sc, int n, const Rows16 *gs, __m256i *pair, int npairs,
                                      const Rows16 *gp, int pb, int sign) {
#pragma GCC unroll 16
    for (int s = 0; s < n; s++) sc[s] = pick16(gs, s, s, sign);
#pragma GCC unroll 8
    for (int k = 0; k < npairs; k++) pair[k] = pick16(gp, pb + 2 * k, pb + 2 * k + 1, sign);
}

/* Q4_K's and Q5_K's 12 bytes of 6-bit scales and minimums (blocks.h's
 * k4_scales) as 16 bytes: the 8 scales, then the 8 minimums. */
TARGET static INLINE __m128i k4_scales16(const uint8_t *s) {
    uint32_t u0 = load32(s), u1 = load32(s + 4), u2 = load32(s + 8);
    uint32_t sc_hi = (u2 & 0x0f0f0f0f) | ((u0 >> 6) & 0x03030303) << 4;
    uint32_t mn_hi = ((u2 >> 4) & 0x0f0f0f0f) | ((u1 >> 6) & 0x03030303) << 4;
    return _mm_setr_epi32((int)(u0 & 0x3f3f3f3f), (int)sc_hi, (int)(u1 & 0x3f3f3f3f), (int)mn_hi);
}

/* 16 in the bytes of v whose bit n is set. */
TARGET static INLINE __m256i bit_to16(__m256i v, int n) {
    return _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(v, n), _mm256_set1_epi8(1)), 4);
}

/* Q4_K's and Q5_K's scales, minimums, d and dmin of super-block i of the
 * panel from its head at `head` (row j's at head + j * stride). */
TARGET static INLINE void pack_k4_head(PanelK *P, int i, const unsigned char *head, size_t stride, int rows) {
    __m128i v[8];
    for (int j = 0; j < 8; j++)
        v[j] = j < rows ? k4_scales16(head + (size_t)j * stride + offsetof(block_q4_K, scales)) : _mm_setzero_si128();
    Rows16 g = rows16(v);
    pack_scales(P->sc[i], 8, &g, P->pair[i], 4, &g, 8, 0);
    pack_half8(P->d[i], head, stride, rows, offsetof(block_q4_K, d));
    pack_half8(P->dmin[i], head, stride, rows, offsetof(block_q4_K, dmin));
}

/* Q4_K's and Q5_K's split rows (blocks.h; S: the block's bytes): the raw
 * quant bytes transposed, then split into nibbles (byte operations do not
 * care which lane a dword sits in). Dword j of quants c holds values 32j
 * + 8c .. +3 (low nibbles) and the four after them (high); Q5_K's fifth
 * bits of each, bits 2c and 2c + 1 of dword j of its fifth bits. */
TARGET static INLINE void pack_q45_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb,
                                     const size_t S) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    const int row_nb = (int)(stride / S);
    for (int i = 0; i < nb; i++) {
        size_t qs = k4_qs_at(S, row_nb, b0 + i);
        __m256i qh[8];
        if (S == sizeof(block_q5_K)) rows_bytes32(base, stride, rows, k4_qh_at(row_nb, b0 + i), qh);
        for (int c = 0; c < 4; c++) {
            __m256i t[8];
            rows_bytes32(base, stride, rows, qs + 32 * (size_t)c, t);
            for (int j = 0; j < 8; j++) {
                __m256i lo = _mm256_and_si256(t[j], m4), hi = _mm256_and_si256(_mm256_srli_epi16(t[j], 4), m4);
                if (S == sizeof(block_q5_K)) {
                    lo = _mm256_or_si256(lo, bit_to16(qh[j], 2 * c));
                    hi = _mm256_or_si256(hi, bit_to16(qh[j], 2 * c + 1));
                }
                P->q[i][8 * j + 2 * c] = lo;
                P->q[i][8 * j + 2 * c + 1] = hi;
            }
        }
        pack_k4_head(P, i, base + k4_head_at(S, b0 + i), stride, rows);
    }
}
TARGET static void pack_q4_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) {
    pack_q45_k(P, base, stride, rows, b0, nb, sizeof(block_q4_K));
}
TARGET static void pack_q5_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) {
    pack_q45_k(P, base, stride, rows, b0, nb, sizeof(block_q5_K));
}

/* Q2_K and Q3_K: value 128h + 32s + l from bits 2s.. of qs[32h + l] (and
 * for Q3_K bit 4h + s of hmask[l]: q + 4 unsigned, 0..7); 16 sub-blocks of
 * 16. pair: Q2_K's minimums, Q3_K's scales. */
#define PACK_K16(FN, BT, Q3)                                                                          \
    TARGET static void FN(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) { \
        const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);                          \
        for (int i = 0; i < nb; i++) {                                                              \
            const unsigned char *B0 = (const unsigned char *)((const BT *)(const void *)base + b0 + i); \
            __m256i hm[8];                                                                          \
            if (Q3) rows_bytes32(B0, stride, rows, offsetof(block_q3_K, hmask), hm);                \
            for (int h = 0; h < 2; h++) {                                                           \
                __m256i qs[8];                                                                      \
                rows_bytes32(B0, stride, rows, offsetof(BT, qs) + 32 * (size_t)h, qs);              \
                for (int s = 0; s < 4; s++)                                                         \
                    for (int k = 0; k < 8; k++) {                                                   \
                        __m256i v = _mm256_and_si256(_mm256_srli_epi16(qs[k], 2 * s), m3);          \
                        if (Q3)                                                                     \
                            v = _mm256_or_si256(v, _mm256_slli_epi16(                               \
                                _mm256_and_si256(_mm256_srli_epi16(hm[k], 4 * h + s), one), 2));    \
                        P->q[i][32 * h + 8 * s + k] = v;                                            \
                    }                                                                               \
            }                                                                                       \
            __m128i sv[8], pv[8];                                                                   \
            for (int j = 0; j < 8; j++) {                                                           \
                sv[j] = pv[j] = _mm_setzero_si128();                                                \
                if (j < rows) K16_SCALES(B0 + (size_t)j * stride, sv[j], pv[j]);                    \
            }                                                                                       \
            Rows16 gs = rows16(sv), gp = rows16(pv);                                                \
            pack_scales(P->sc[i], 16, &gs, P->pair[i], 8, &gp, 0, Q3);                              \
            pack_half8(P->d[i], B0, stride, rows, offsetof(BT, d));                                 \
            if (!Q3) pack_half8(P->dmin[i], B0, stride, rows, offsetof(block_q2_K, dmin));          \
        }                                                                                           \
    }

/* Q2_K: scales the low nibbles, minimums the high ones (the pairs). */
#define K16_SCALES(B, sv, pv)                                                                        \
    do {                                                                                           \
        __m128i b_ = _mm_loadu_si128((const __m128i *)(const void *)((B) + offsetof(block_q2_K, scales))); \
        sv = _mm_and_si128(b_, _mm_set1_epi8(0x0f));                                               \
        pv = _mm_and_si128(_mm_srli_epi16(b_, 4), _mm_set1_epi8(0x0f));                            \
    } while (0)
PACK_K16(pack_q2_k, block_q2_K, 0)
#undef K16_SCALES
/* Q3_K: the 6-bit scales less 32 (signed), also as the pairs. */
#define K16_SCALES(B, sv, pv)                                                                        \
    do {                                                                                           \
        int8_t s8_[16];                                                                            \
        k3_scales(((const block_q3_K *)(const void *)(B))->scales, s8_);                           \
        sv = pv = _mm_loadu_si128((const __m128i *)(const void *)s8_);                             \
    } while (0)
PACK_K16(pack_q3_k, block_q3_K, 1)
#undef K16_SCALES

/* Q6_K: the quants 0..63 (ggml's q + 32): ql's nibbles and qh's pairs of
 * bits, value 128h + 32s + l from ql[64h + 32(s % 2) + l] and bits 2s of
 * qh[32h + l]. */
TARGET static void pack_q6_k(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int i = 0; i < nb; i++) {
        const unsigned char *B0 = (const unsigned char *)((const block_q6_K *)(const void *)base + b0 + i);
        for (int h = 0; h < 2; h++) {
            __m256i ql0[8], ql1[8], qh[8];
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, ql) + 64 * (size_t)h, ql0);
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, ql) + 64 * (size_t)h + 32, ql1);
            rows_bytes32(B0, stride, rows, offsetof(block_q6_K, qh) + 32 * (size_t)h, qh);
            __m256i *q = &P->q[i][32 * h];
            for (int k = 0; k < 8; k++) {
                q[k] = _mm256_or_si256(_mm256_and_si256(ql0[k], m4),
                                       _mm256_slli_epi16(_mm256_and_si256(qh[k], _mm256_set1_epi8(0x03)), 4));
                q[8 + k] = _mm256_or_si256(_mm256_and_si256(ql1[k], m4),
                                           _mm256_slli_epi16(_mm256_and_si256(qh[k], _mm256_set1_epi8(0x0c)), 2));
                q[16 + k] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0[k], 4), m4),
                                            _mm256_and_si256(qh[k], _mm256_set1_epi8(0x30)));
                q[24 + k] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1[k], 4), m4),
                                            _mm256_srli_epi16(_mm256_and_si256(qh[k], _mm256_set1_epi8((char)0xc0)), 2));
            }
        }
        __m128i v[8];
        load_rows16(v, B0 + offsetof(block_q6_K, scales), stride, rows);
        Rows16 g = rows16(v);
        pack_scales(P->sc[i], 16, &g, P->pair[i], 8, &g, 0, 1);   /* int8 scales */
        pack_half8(P->d[i], B0, stride, rows, offsetof(block_q6_K, d));
    }
}

/* IQ4_XS: each sub-block's 32 values (signed bytes) in dwords 8j .. 8j + 7,
 * its scale less 32 (signed) in sc[j]. */
TARGET static void pack_iq4_xs(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) {
    for (int i = 0; i < nb; i++) {
        const unsigned char *B0 = (const unsigned char *)((const block_iq4_xs *)(const void *)base + b0 + i);
        for (int j = 0; j < 8; j++) {
            __m256i r[8];
            for (int k = 0; k < 8; k++)
                r[k] = k < rows ? iq4_values32(B0 + (size_t)k * stride + offsetof(block_iq4_xs, qs) + 16 * (size_t)j)
                                : _mm256_setzero_si256();
            transpose8x8(r);
            for (int k = 0; k < 8; k++) P->q[i][8 * j + k] = r[k];
        }
        __m128i v[8];
        for (int k = 0; k < 8; k++) {
            int8_t sc[16] = { 0 };
            for (int j = 0; j < 8 && k < rows; j++)
                sc[j] = (int8_t)(iq4xs_scale((const block_iq4_xs *)(const void *)(B0 + (size_t)k * stride), j) - 32);
            v[k] = _mm_loadu_si128((const __m128i *)(const void *)sc);
        }
        Rows16 g = rows16(v);
        pack_scales(P->sc[i], 8, &g, P->pair[i], 0, &g, 0, 1);
        pack_half8(P->d[i], B0, stride, rows, offsetof(block_iq4_xs, d));
    }
}

/* IQ4_XS's super-blocks i of the panel times T vectors: each dword of
 * signed values as |w| times x with w's sign (a pair up to 2 * 127 * 127
 * in int16, so each dword is widened by itself), by VPMADDWD with its
 * sub-block's scale; p = dd * isum (Q3_K's without its offset). */
TARGET static INLINE void iq4_xs_tile_n(const PanelK *P, int b0, int nb, const Act *a_in, const int T, __m256 (*S)[8],
                                        int first) {
    Act a[TMAX];
    _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) a[t] = a_in[t];
    if (first)
        for (int l = 0; l < 8; l++)
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) S[t][l] = _mm256_setzero_ps();
    for (int i = 0; i < nb; i++) {
        int b = b0 + i;
        __m256i isum_[TMAX];
        _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) isum_[t] = _mm256_setzero_si256();
        for (int j = 0; j < 8; j++) {
            __m256i sc_ = _mm256_load_si256(&P->sc[i][j]);
            _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) {
                __m256i w_ = _mm256_load_si256(&P->q[i][8 * j + k]), aw_ = _mm256_abs_epi8(w_);
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {
                    __m256i x_ = _mm256_sign_epi8(BCAST(a[t].q + 256 * b + 4 * (8 * j + k)), w_);
                    isum_[t] = _mm256_add_epi32(isum_[t], _mm256_madd_epi16(_mm256_maddubs_epi16(aw_, x_), sc_));
                    KEEP(isum_[t]);
                }
            }
        }
        _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {
            __m256 dd_ = _mm256_mul_ps(_mm256_set1_ps(a[t].d[b]), _mm256_load_ps(P->d[i]));
            S[t][i % 8] = _mm256_add_ps(S[t][i % 8], _mm256_mul_ps(dd_, _mm256_cvtepi32_ps(isum_[t])));
        }
    }
}

/* Super-blocks i = l, l + 8, ... of the panel (b0 + i of the rows) times T
 * vectors, lane by lane. Each group of G dwords (Q4_K: 8, a sub-block of
 * 32; Q6_K: 2, half a sub-block of 16, as 2 * 2 * 63 * 127 fits int16)
 * gives int16 sums, and isum += VPMADDWD of them with the sub-block's
 * scale (exact). aux: VPMADDWD of the int16 pairs with the activations'
 * pairs of sums (Q4_K: msum; Q6_K: sum_j sc_j * bsum_j). P_OF(t): the
 * block's p from isum_[t], aux_[t], dx_. */
#define KQ_TILE(FN, G, SUBDW, PAIRS, PAIR_SRC, P_OF)                                                      \
    TARGET static INLINE void FN##_n(const PanelK *P, int b0, int nb, const Act *a_in, const int T,  \
                                     __m256 (*S)[8], int first) {                                   \
        Act a[TMAX];                                                                                \
        _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) a[t] = a_in[t];                         \
        if (first)                                                                                  \
            for (int l = 0; l < 8; l++)                                                             \
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) S[t][l] = _mm256_setzero_ps();  \
        for (int i = 0; i < nb; i++) {                                                              \
            int b = b0 + i;                                                                         \
            __m256i isum_[TMAX], aux_[TMAX];                                                        \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) isum_[t] = _mm256_setzero_si256();  \
            _Pragma("GCC unroll 2") for (int g = 0; g < 64 / (G); g++) {                            \
                __m256i s16_[TMAX];                                                                 \
                _Pragma("GCC unroll 8") for (int k = 0; k < (G); k++) {                             \
                    __m256i w_ = _mm256_load_si256(&P->q[i][(G) * g + k]);                          \
                    _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                           \
                        __m256i p_ = _mm256_maddubs_epi16(w_, BCAST(a[t].q + 256 * b + 4 * ((G) * g + k))); \
                        s16_[t] = k ? _mm256_add_epi16(s16_[t], p_) : p_;                           \
                        KEEP(s16_[t]);                                                              \
                    }                                                                               \
                }                                                                                   \
                __m256i sc_ = _mm256_load_si256(&P->sc[i][(G) * g / (SUBDW)]);                      \
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                               \
                    __m256i v_ = _mm256_madd_epi16(s16_[t], sc_);                                   \
                    isum_[t] = _mm256_add_epi32(isum_[t], v_);                                      \
                    KEEP(isum_[t]);                                                                 \
                }                                                                                   \
            }                                                                                       \
            _Pragma("GCC unroll 8") for (int k = 0; k < (PAIRS); k++) {                             \
                __m256i pr_ = _mm256_load_si256(&P->pair[i][k]);                                    \
                _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                               \
                    __m256i v_ = _mm256_madd_epi16(pr_, BCAST(PAIR_SRC(a[t], b) + 2 * k));          \
                    aux_[t] = k ? _mm256_add_epi32(aux_[t], v_) : v_;                               \
                    KEEP(aux_[t]);                                                                  \
                }                                                                                   \
            }                                                                                       \
            _Pragma("GCC unroll 8") for (int t = 0; t < T; t++) {                                   \
                __m256 dx_ = _mm256_set1_ps(a[t].d[b]);                                             \
                S[t][i % 8] = _mm256_add_ps(S[t][i % 8], P_OF(t));                                  \
            }                                                                                       \
        }                                                                                           \
    }

/* Q4_K: p = dd * isum - dm * msum, dd = d_x * d_w, dm = d_x * dmin_w */
#define Q4K_P(t) _mm256_sub_ps(_mm256_mul_ps(_mm256_mul_ps(dx_, _mm256_load_ps(P->d[i])), _mm256_cvtepi32_ps(isum_[t])), \
                               _mm256_mul_ps(_mm256_mul_ps(dx_, _mm256_load_ps(P->dmin[i])), _mm256_cvtepi32_ps(aux_[t])))
/* Q6_K: p = dd * (isum - 32 * aux) */
#define Q6K_P(t) _mm256_mul_ps(_mm256_mul_ps(dx_, _mm256_load_ps(P->d[i])), \
                               _mm256_cvtepi32_ps(_mm256_sub_epi32(isum_[t], _mm256_slli_epi32(aux_[t], 5))))
#define SUMS32(a, b) ((a).sums32 + 8 * (b))
#define BSUMS(a, b) ((a).bsums + 16 * (b))

/* Q3_K: p = dd * (isum - 4 * aux) */
#define Q3K_P(t) _mm256_mul_ps(_mm256_mul_ps(dx_, _mm256_load_ps(P->d[i])), \
                               _mm256_cvtepi32_ps(_mm256_sub_epi32(isum_[t], _mm256_slli_epi32(aux_[t], 2))))

/* Groups of G dwords, sub-blocks of SUBDW: Q4_K 8 (16 * 15 * 127 = 30480
 * in int16), Q5_K 4 (8 * 31 * 127), Q6_K 2 (4 * 63 * 127 = 32004), Q2_K
 * and Q3_K 4, a whole sub-block of 16 (8 * 7 * 127). */
KQ_TILE(q4_k_tile, 8, 8, 4, SUMS32, Q4K_P)
KQ_TILE(q5_k_tile, 4, 8, 4, SUMS32, Q4K_P)
KQ_TILE(q6_k_tile, 2, 4, 8, BSUMS, Q6K_P)
KQ_TILE(q2_k_tile, 4, 4, 8, BSUMS, Q4K_P)
KQ_TILE(q3_k_tile, 4, 4, 8, BSUMS, Q3K_P)
TILE_DISPATCH(q4_k_tile, PanelK, TARGET)
TILE_DISPATCH(q5_k_tile, PanelK, TARGET)
TILE_DISPATCH(q6_k_tile, PanelK, TARGET)
TILE_DISPATCH(q2_k_tile, PanelK, TARGET)
TILE_DISPATCH(q3_k_tile, PanelK, TARGET)
TILE_DISPATCH(iq4_xs_tile, PanelK, TARGET)

PANEL_ROWS(q4_k_batch, PanelK, 256, PANEL_SUPER, pack_q4_k, q4_k_tile, TARGET)
PANEL_ROWS(q6_k_batch, PanelK, 256, PANEL_SUPER, pack_q6_k, q6_k_tile, TARGET)
PANEL_ROWS(q5_k_batch, PanelK, 256, PANEL_SUPER, pack_q5_k, q5_k_tile, TARGET)
PANEL_ROWS(q2_k_batch, PanelK, 256, PANEL_SUPER, pack_q2_k, q2_k_tile, TARGET)
PANEL_ROWS(q3_k_batch, PanelK, 256, PANEL_SUPER, pack_q3_k, q3_k_tile, TARGET)
PANEL_ROWS(iq4_xs_batch, PanelK, 256, PANEL_SUPER, pack_iq4_xs, iq4_xs_tile, TARGET)

/* ---------------------------------------------------------------- table */

const matmul_tensor_fn matmul_avx2_batch[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = q8_0_batch, [MATMUL_Q4_0] = q4_0_batch, [MATMUL_Q4_K] = q4_k_batch,
    [MATMUL_Q6_K] = q6_k_batch, [MATMUL_Q5_0] = q5_0_batch, [MATMUL_Q4_1] = q4_1_batch,
    [MATMUL_Q5_1] = q5_1_batch, [MATMUL_Q5_K] = q5_k_batch, [MATMUL_Q2_K] = q2_k_batch,
    [MATMUL_Q3_K] = q3_k_batch, [MATMUL_IQ4_NL] = iq4_nl_batch, [MATMUL_IQ4_XS] = iq4_xs_batch,
};

const matmul_tensor_fn matmul_avxvnni_batch[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = q8_0_batch_vnni, [MATMUL_Q4_0] = q4_0_batch_vnni, [MATMUL_Q4_K] = q4_k_batch,
    [MATMUL_Q6_K] = q6_k_batch, [MATMUL_Q5_0] = q5_0_batch_vnni, [MATMUL_Q4_1] = q4_1_batch_vnni,
    [MATMUL_Q5_1] = q5_1_batch_vnni, [MATMUL_Q5_K] = q5_k_batch, [MATMUL_Q2_K] = q2_k_batch,
    [MATMUL_Q3_K] = q3_k_batch, [MATMUL_IQ4_NL] = iq4_nl_batch_vnni, [MATMUL_IQ4_XS] = iq4_xs_batch,
};

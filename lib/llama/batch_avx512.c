/* Batched products on AVX-512 VNNI (matmul.h's tensor kernels for m
 * vectors at once, prompt processing): every (row, vector) result is the
 * one-vector product's, bit for bit, in the same summation order.
 *
 * Rows in lanes. Sixteen rows of the weights are first packed (on the
 * stack) so that dword k of block b of row r sits in lane r of one
 * 64-byte vector; then VPDPBUSD of that vector with dword k of a vector's
 * activations broadcast to every lane ({1to16} from memory) adds four
 * byte products to each row's sum. After the block's dwords, lane r holds
 * the block's exact int32 sum for row r: no horizontal sums at all. The
 * block's p (matmul.h) for the sixteen rows is one vector of float work,
 * added into the vector of matmul.h's lane b % 8 for those rows; at the
 * end the eight lane vectors are added as matmul.h's tree, row by row in
 * parallel. Each packed vector serves all the vectors of a call (packing
 * costs next to nothing against m = 16..512 products).
 *
 * Blocks of 32 (Q8_0, Q4_0 with Q8_0 activations): quants stored
 * unsigned (Q8_0 XOR 0x80 = q + 128; Q4_0 its nibbles), the offset taken
 * away per block from the activations' block sums. Q4_K (Q8_K
 * activations): per sub-block of 32 the sums S_j, then isum += sc_j * S_j
 * (VPMULLD: exact); msum with VPDPWSSD over the minimums and the
 * activations' sums of 32. Q6_K: quants unsigned (0..63), per sub-block
 * of 16 isum += sc_j * S_j, less 32 * sum_j sc_j * bsum_j (VPDPWSSD).
 *
 * F16 and F32 keep dot16's own lanes (a row's 16 lanes in one register):
 * 4 rows by 6 vectors at a time, each chunk of 16 weights widened once;
 * F16 with FMA (a product of two binary16 values is exact in fp32, so
 * fused or not is the same), F32 multiplying and adding apart.
 *
 * Every pass takes a chunk of the vectors (about 384 KiB of them, which
 * stay in the L2 cache) past all the rows, so the activations are read
 * once and the weights once per chunk.
 *
 * Stack: up to about 100 KiB (a panel of 16 rows by 128 blocks of 32 is
 * 74 KiB; rows longer than that keep 48 vectors' lane sums, 24 KiB). The
 * kernel's stacks are 256 KiB. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/panel32_avx512.h"
#include "lib/llama/panelk_avx512.h"
#include "lib/llama/prefetch_ahead.h"
#include "lib/llama/simd.h"
#include "lib/libc.h"

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE __attribute__((always_inline)) inline

/* Vectors of a call handled together (their accumulators in registers). */
#define TOKENS 3

/* One vector of prepared activations (activations.h). */
typedef ActView Act;

/* dword i of the activations broadcast to 16 lanes (VPDPBUSD's {1to16}). */
#define BCAST(p) _mm512_set1_epi32((int)load32(p))

/* Rows [r, r + 16) of y for token t: the first `rows` lanes of v. */
TARGET static INLINE void store_rows(float *y, __m512 v, int rows) {
    _mm512_mask_storeu_ps(y, (__mmask16)((1u << rows) - 1), v);
}

/* ---------------------------------------------------------------- blocks of 32 */

/* Panel32 and its packers (panel32_avx512.h), the quants unsigned as
 * VPDPBUSD multiplies them: Q8_0 + 128, the others as they are. */
#define PACK_UNSIGNED(NAME, PACK, BIAS)                                                                \
    TARGET static INLINE void NAME(Panel32 *P, const unsigned char *base, size_t stride, int rows, int b0, \
                                   int nb) {                                                          \
        PACK(P, base, stride, rows, b0, nb, (int8_t)(BIAS));                                           \
    }
PACK_UNSIGNED(pack_q8_0_u, pack_q8_0, 0x80)
PACK_UNSIGNED(pack_q4_0_u, pack_q4_0, 0)
PACK_UNSIGNED(pack_q5_0_u, pack_q5_0, 0)
PACK_UNSIGNED(pack_q4_1_u, pack_q4_1, 0)
PACK_UNSIGNED(pack_q5_1_u, pack_q5_1, 0)

/* Block i of the panel (block b of the rows) times the T vectors a[]: its
 * p for the 16 rows, added to lane vector L of each vector's S. SHIFT: the
 * offset of the unsigned quants (7: 128, 4: 16, 3: 8), or -1: none, and the
 * minimum term m_w * s_x added (Q4_1, Q5_1). */
#define BLOCK32(i, b, L)                                                                              \
    do {                                                                                              \
        __m512i acc_[TOKENS];                                                                         \
        _Pragma("GCC unroll 4") for (int t = 0; t < T; t++)                                           \
            acc_[t] = SHIFT < 0 ? _mm512_setzero_si512() : _mm512_set1_epi32(-a[t].sum[b] * (1 << (SHIFT & 31))); \
        _Pragma("GCC unroll 8") for (int k = 0; k < 8; k++) {                                         \
            __m512i w_ = _mm512_load_si512((const void *)&P->q[i][k]);                                \
            _Pragma("GCC unroll 4") for (int t = 0; t < T; t++)                                       \
                acc_[t] = _mm512_dpbusd_epi32(acc_[t], w_, BCAST(a[t].q + 32 * (b) + 4 * k));         \
        }                                                                                             \
        __m512 dw_ = _mm512_load_ps(&P->d[i]);                                                        \
        _Pragma("GCC unroll 4") for (int t = 0; t < T; t++) {                                         \
            __m512 p_ = _mm512_mul_ps(_mm512_cvtepi32_ps(acc_[t]), _mm512_mul_ps(dw_, _mm512_set1_ps(a[t].d[b]))); \
            if (SHIFT < 0) /* Q4_1, Q5_1: + m_w * s_x */                                             \
                p_ = _mm512_add_ps(p_, _mm512_mul_ps(_mm512_load_ps(&P->m[i]), _mm512_set1_ps(a[t].s[b]))); \
            S[t][L] = _mm512_add_ps(S[t][L], p_);                                                     \
        }                                                                                             \
    } while (0)

/* The panel's blocks [0, nb) (blocks b0.. of the rows, b0 a multiple of 8)
 * times T vectors, their lane vectors S in registers (T of 3: 24 of the 32
 * vector registers). */
TARGET static INLINE void blocks32_tile_n(const Panel32 *P, int b0, int nb, const Act *a_in, const int T,
                                          __m512 S_io[TOKENS][8], const int SHIFT) {
    /* local copies, so that the compiler keeps them in registers */
    __m512 S[TOKENS][8];
    Act a[TOKENS];
#pragma GCC unroll 4
    for (int t = 0; t < T; t++) {
        a[t] = a_in[t];
#pragma GCC unroll 8
        for (int l = 0; l < 8; l++) S[t][l] = S_io[t][l];
    }
    int i = 0;
    for (; i + 8 <= nb; i += 8) {
#pragma GCC unroll 8
        for (int l = 0; l < 8; l++) BLOCK32(i + l, b0 + i + l, l);
    }
#pragma GCC unroll 8
    for (int l = 0; l < 8; l++)
        if (i + l < nb) BLOCK32(i + l, b0 + i + l, l);
#pragma GCC unroll 4
    for (int t = 0; t < T; t++)
#pragma GCC unroll 8
        for (int l = 0; l < 8; l++) S_io[t][l] = S[t][l];
}

/* T a constant for the compiler: full tiles, and the last one (inlined,
 * so that SHIFT is a constant too). */
TARGET static INLINE void blocks32_tile(const Panel32 *P, int b0, int nb, const Act *a, int T,
                                 __m512 S[TOKENS][8], const int SHIFT) {
    switch (T) {
    case 3: blocks32_tile_n(P, b0, nb, a, 3, S, SHIFT); break;
    case 2: blocks32_tile_n(P, b0, nb, a, 2, S, SHIFT); break;
    default: blocks32_tile_n(P, b0, nb, a, 1, S, SHIFT); break;
    }
}

/* Vectors per chunk. */
static int chunk_of(size_t vector_bytes, int m, int cap) {
    size_t c = X_CHUNK_BYTES / vector_bytes;
    if (c < 8) c = 8;
    if (cap && c > (size_t)cap) c = (size_t)cap;
    return c < (size_t)m ? (int)c : m;
}

/* All rows [r0, r1) for m vectors: for each chunk of vectors, panels of 16
 * rows in pieces of PIECE blocks of VALUES weights, each piece packed by
 * PACK into a PANEL_T and used for every vector of the chunk, TOKENS
 * vectors at a time by TILE; a long row's lane vectors wait on the stack
 * (in the L1 cache) between pieces. The 32-blocks and the K-quants alike. */
#define PANEL_ROWS(FN, PANEL_T, VALUES, PIECE, PACK, TILE)                                           \
    TARGET static void FN(const llama_tensor *w, const ActLayout *L, const void *act, int m,        \
                          float *y, size_t ldy, int r0, int r1) {                                  \
        PANEL_T P __attribute__((aligned(64)));                                                    \
        int nbr = w->cols / (VALUES), pieces = nbr > (PIECE);                                      \
        int chunk = chunk_of(act_chunk_bytes(L), m, pieces ? SPILL_VECTORS : 0);                             \
        __m512 spill[pieces ? SPILL_VECTORS : 1][8];                                               \
        for (int c0 = 0; c0 < m; c0 += chunk) {                                                    \
            int cn = m - c0 < chunk ? m - c0 : chunk;                                              \
            for (int p0 = r0; p0 < r1; p0 += 16) {                                                 \
                int rows = r1 - p0 < 16 ? r1 - p0 : 16;                                            \
                for (int b0 = 0; b0 < nbr; b0 += (PIECE)) {                                        \
                    int nb = nbr - b0 < (PIECE) ? nbr - b0 : (PIECE);                              \
                    PACK(&P, (const unsigned char *)w->data + (size_t)p0 * w->row_bytes, w->row_bytes, \
                         rows, b0, nb);                                                            \
                    Ahead ahead;                                                                   \
                    ahead_next_panel(&ahead, w, p0, 16, r1, b0, nb, nbr, (PIECE),                  \
                                     (cn + TOKENS - 1) / TOKENS);                                  \
                    for (int t0 = 0; t0 < cn; t0 += TOKENS) {                                      \
                        int T = cn - t0 < TOKENS ? cn - t0 : TOKENS;                               \
                        Act a[TOKENS];                                                             \
                        __m512 S[TOKENS][8];                                                       \
                        for (int t = 0; t < T; t++) {                                              \
                            a[t] = act_view(L, act, c0 + t0 + t);                                    \
                            for (int l = 0; l < 8; l++)                                            \
                                S[t][l] = b0 ? spill[t0 + t][l] : _mm512_setzero_ps();            \
                        }                                                                          \
                        ahead_step(&ahead);                                                        \
                        TILE(&P, b0, nb, a, T, S);                                                 \
                        for (int t = 0; t < T; t++) {                                              \
                            if (b0 + nb < nbr)                                                     \
                                for (int l = 0; l < 8; l++) spill[t0 + t][l] = S[t][l];            \
                            else store_rows(y + (size_t)(c0 + t0 + t) * ldy + p0, tree8(S[t]), rows); \
                        }                                                                          \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

/* A 32-block type's tile: blocks32_tile with its quants' shift. */
#define BLOCKS32_TILE(NAME, SHIFT_)                                                                  \
    TARGET static INLINE void NAME(const Panel32 *P, int b0, int nb, const Act *a, int T,          \
                                   __m512 S[TOKENS][8]) {                                          \
        blocks32_tile(P, b0, nb, a, T, S, SHIFT_);                                                 \
    }

BLOCKS32_TILE(q8_0_tile, 7)
BLOCKS32_TILE(q4_0_tile, 3)
BLOCKS32_TILE(q5_0_tile, 4)
BLOCKS32_TILE(q4_1_tile, -1)
BLOCKS32_TILE(q5_1_tile, -1)
PANEL_ROWS(q8_0_batch, Panel32, 32, PANEL_BLOCKS, pack_q8_0_u, q8_0_tile)
PANEL_ROWS(q4_0_batch, Panel32, 32, PANEL_BLOCKS, pack_q4_0_u, q4_0_tile)
PANEL_ROWS(q5_0_batch, Panel32, 32, PANEL_BLOCKS, pack_q5_0_u, q5_0_tile)
PANEL_ROWS(q4_1_batch, Panel32, 32, PANEL_BLOCKS, pack_q4_1_u, q4_1_tile)
PANEL_ROWS(q5_1_batch, Panel32, 32, PANEL_BLOCKS, pack_q5_1_u, q5_1_tile)

/* ---------------------------------------------------------------- K-quants */

/* PanelK and the packers of Q4_K, Q5_K and Q6_K: panelk_avx512.h. */

/* Q2_K and Q3_K: value 128h + 32s + l from bits 2s.. of qs[32h + l] (and
 * for Q3_K bit 4h + s of hmask[l]: q + 4 unsigned, 0..7); 16 sub-blocks of
 * 16. pair: Q2_K's minimums, Q3_K's scales, in int16 pairs. */
#define PACK_K16(FN, BT, Q3, DOFF)                                                                     \
    TARGET static void FN(PanelK *P, const unsigned char *base, size_t stride, int rows, int b0, int nb) { \
        const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);                           \
        for (int i = 0; i < nb; i++) {                                                               \
            for (int h = 0; h < 2; h++) {                                                            \
                __m256i q[4][16];                                                                    \
                for (int j = 0; j < 16; j++) {                                                       \
                    const BT *B = (const BT *)(const void *)(base + (size_t)j * stride) + b0 + i;    \
                    __m256i qs = j < rows ? _mm256_loadu_si256((const __m256i *)(const void *)(B->qs + 32 * h)) \
                                          : _mm256_setzero_si256();                                  \
                    __m256i hm = _mm256_setzero_si256();                                             \
                    if (Q3 && j < rows) hm = _mm256_loadu_si256((const __m256i *)(const void *)((const unsigned char *)B)); \
                    for (int t = 0; t < 4; t++) {                                                    \
                        __m256i v = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * t), m3);              \
                        if (Q3 && j < rows)                                                          \
                            v = _mm256_or_si256(v, _mm256_slli_epi16(                                \
                                _mm256_and_si256(_mm256_srli_epi16(hm, 4 * h + t), one), 2));        \
                        q[t][j] = v;                                                                 \
                    }                                                                                \
                }                                                                                    \
                for (int t = 0; t < 4; t++) transpose16x8(q[t], &P->q[i][32 * h + 8 * t]);           \
            }                                                                                        \
            int32_t *sc = (int32_t *)(void *)P->sc[i];                                               \
            uint32_t *pr = (uint32_t *)(void *)P->pair[i];                                           \
            for (int j = 0; j < 16; j++) {                                                           \
                int16_t sv[16] = { 0 }, pv[16] = { 0 };                                              \
                if (j < rows) {                                                                      \
                    const BT *B = (const BT *)(const void *)(base + (size_t)j * stride) + b0 + i;    \
                    K16_SCALES(B, sv, pv);                                                           \
                }                                                                                    \
                for (int k = 0; k < 16; k++) sc[16 * k + j] = sv[k];                                 \
                for (int k = 0; k < 8; k++)                                                          \
                    pr[16 * k + j] = (uint32_t)(uint16_t)pv[2 * k] | (uint32_t)(uint16_t)pv[2 * k + 1] << 16; \
            }                                                                                        \
            size_t off = (size_t)(b0 + i) * sizeof(BT);                                              \
            P->d[i] = pack_half16(base, stride, rows, off + DOFF);                                   \
            if (!Q3) P->dmin[i] = pack_half16(base, stride, rows, off + DOFF + 2);                   \
        }                                                                                            \
    }

/* Q2_K: scales low nibbles, minimums high nibbles (the pairs). */
#define K16_SCALES(B, sv, pv)                                                                          \
    for (int k = 0; k < 16; k++) {                                                                   \
        sv[k] = (int16_t)(((const block_q2_K *)(B))->scales[k] & 0xf);                              \
        pv[k] = (int16_t)(((const block_q2_K *)(B))->scales[k] >> 4);                               \
    }
PACK_K16(pack_q2_k, block_q2_K, 0, 80)
#undef K16_SCALES
/* Q3_K: the 6-bit scales, minus 32, also as the pairs. */
#define K16_SCALES(B, sv, pv)                                                                          \
    do {                                                                                             \
        int8_t s8_[16];                                                                              \
        k3_scales(((const block_q3_K *)(B))->scales, s8_);                                          \
        for (int k = 0; k < 16; k++) sv[k] = pv[k] = s8_[k];                                         \
    } while (0)
PACK_K16(pack_q3_k, block_q3_K, 1, 108)
#undef K16_SCALES

/* Super-block i of the panel (b of the rows) times T vectors: p for the
 * 16 rows, into lane vector b % 8 of each vector's S. Q4_K: per sub-block
 * of 32 (8 dwords) S_j, isum += sc_j * S_j; msum by VPDPWSSD of the
 * minimum pairs with the pairs of sums of 32. Q6_K: per sub-block of 16
 * (4 dwords), isum += sc_j * S_j, less 32 * sum_j sc_j * bsum_j (VPDPWSSD of
 * the scale pairs with the pairs of sums of 16). */
#define KQ_TILE(FN, SUBS, DW, PAIRS, PAIR_SRC, MINUS)                                                \
    TARGET static INLINE void FN##_n(const PanelK *P, int b0, int nb, const Act *a, const int T,      \
                                     __m512 (*S)[8]) {                                              \
        for (int i = 0; i < nb; i++) {                                                              \
            int b = b0 + i;                                                                         \
            __m512i isum[TOKENS], aux[TOKENS];                                                      \
            _Pragma("GCC unroll 4") for (int t = 0; t < T; t++) isum[t] = aux[t] = _mm512_setzero_si512(); \
            _Pragma("GCC unroll 16") for (int j = 0; j < SUBS; j++) {                               \
                __m512i s_[TOKENS];                                                                 \
                _Pragma("GCC unroll 4") for (int t = 0; t < T; t++) s_[t] = _mm512_setzero_si512(); \
                _Pragma("GCC unroll 8") for (int k = 0; k < DW; k++) {                              \
                    __m512i w_ = _mm512_load_si512((const void *)&P->q[i][DW * j + k]);             \
                    _Pragma("GCC unroll 4") for (int t = 0; t < T; t++)                             \
                        s_[t] = _mm512_dpbusd_epi32(s_[t], w_, BCAST(a[t].q + 256 * b + 4 * (DW * j + k))); \
                }                                                                                   \
                __m512i sc_ = _mm512_load_si512((const void *)&P->sc[i][j]);                        \
                _Pragma("GCC unroll 4") for (int t = 0; t < T; t++)                                 \
                    isum[t] = _mm512_add_epi32(isum[t], _mm512_mullo_epi32(s_[t], sc_));            \
            }                                                                                       \
            _Pragma("GCC unroll 8") for (int k = 0; k < PAIRS; k++) {                               \
                __m512i pr_ = _mm512_load_si512((const void *)&P->pair[i][k]);                      \
                _Pragma("GCC unroll 4") for (int t = 0; t < T; t++)                                 \
                    aux[t] = _mm512_dpwssd_epi32(aux[t], pr_, BCAST(PAIR_SRC(a[t], b) + 2 * k));    \
            }                                                                                       \
            _Pragma("GCC unroll 4") for (int t = 0; t < T; t++) {                                   \
                __m512 dx = _mm512_set1_ps(a[t].d[b]);                                              \
                __m512 p_ = MINUS(t);                                                               \
                S[t][b % 8] = _mm512_add_ps(S[t][b % 8], p_);                                       \
            }                                                                                       \
        }                                                                                           \
    }

/* Q4_K: p = dd * isum - dm * msum (aux: msum) */
#define Q4K_P(t) _mm512_sub_ps(_mm512_mul_ps(_mm512_mul_ps(dx, P->d[i]), _mm512_cvtepi32_ps(isum[t])), \
                               _mm512_mul_ps(_mm512_mul_ps(dx, P->dmin[i]), _mm512_cvtepi32_ps(aux[t])))
/* Q6_K: p = dd * (isum - 32 * aux) */
#define Q6K_P(t) _mm512_mul_ps(_mm512_mul_ps(dx, P->d[i]), \
                               _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[t], _mm512_slli_epi32(aux[t], 5))))
#define SUMS32(a, b) ((a).sums32 + 8 * (b))
#define BSUMS(a, b) ((a).bsums + 16 * (b))

/* Q3_K: p = dd * (isum - 4 * aux) */
#define Q3K_P(t) _mm512_mul_ps(_mm512_mul_ps(dx, P->d[i]), \
                               _mm512_cvtepi32_ps(_mm512_sub_epi32(isum[t], _mm512_slli_epi32(aux[t], 2))))

KQ_TILE(q4_k_tile, 8, 8, 4, SUMS32, Q4K_P)
KQ_TILE(q6_k_tile, 16, 4, 8, BSUMS, Q6K_P)
KQ_TILE(q5_k_tile, 8, 8, 4, SUMS32, Q4K_P)
KQ_TILE(q2_k_tile, 16, 4, 8, BSUMS, Q4K_P)
KQ_TILE(q3_k_tile, 16, 4, 8, BSUMS, Q3K_P)

#define KQ_DISPATCH(TILE)                                                                            \
    TARGET static void TILE(const PanelK *P, int b0, int nb, const Act *a, int T, __m512 (*S)[8]) {  \
        switch (T) {                                                                                \
        case 3: TILE##_n(P, b0, nb, a, 3, S); break;                                                \
        case 2: TILE##_n(P, b0, nb, a, 2, S); break;                                                \
        default: TILE##_n(P, b0, nb, a, 1, S); break;                                               \
        }                                                                                           \
    }
KQ_DISPATCH(q4_k_tile)
KQ_DISPATCH(q6_k_tile)
KQ_DISPATCH(q5_k_tile)
KQ_DISPATCH(q2_k_tile)
KQ_DISPATCH(q3_k_tile)

PANEL_ROWS(q4_k_batch, PanelK, 256, PANEL_SUPER, pack_q4_k, q4_k_tile)
PANEL_ROWS(q6_k_batch, PanelK, 256, PANEL_SUPER, pack_q6_k, q6_k_tile)
PANEL_ROWS(q5_k_batch, PanelK, 256, PANEL_SUPER, pack_q5_k, q5_k_tile)
PANEL_ROWS(q2_k_batch, PanelK, 256, PANEL_SUPER, pack_q2_k, q2_k_tile)
PANEL_ROWS(q3_k_batch, PanelK, 256, PANEL_SUPER, pack_q3_k, q3_k_tile)

/* ---------------------------------------------------------------- F16, F32 */

/* dot16 rows, several rows and vectors at once: a chunk of 16 weights
 * widened once (F16) and used for every vector; each (row, vector) keeps
 * its own 16 lanes. F16 with FMA: a product of two binary16 values is
 * exact in fp32, so fused or not gives the same bits. F32 multiplies and
 * adds apart, as dot16 says. */
#define DROWS 4
#define DTOKENS 6
TARGET static INLINE float sum16(__m512 a) {      /* matmul.h's tree over 16 lanes */
    __m256 h = _mm256_add_ps(_mm512_castps512_ps256(a), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

#define DOT_TILE(FN, LOADW, MAC)                                                                     \
    TARGET static INLINE void FN##_n(const unsigned char *const *wr, const float *const *x, int n,  \
                                     const int R, const int T, float out[DROWS][DTOKENS]) {         \
        __m512 acc[DROWS][DTOKENS];                                                                 \
        _Pragma("GCC unroll 4") for (int r = 0; r < R; r++)                                         \
            _Pragma("GCC unroll 6") for (int t = 0; t < T; t++) acc[r][t] = _mm512_setzero_ps();    \
        for (int j = 0; j < n; j += 16) {                                                           \
            __m512 wv[DROWS];                                                                       \
            _Pragma("GCC unroll 4") for (int r = 0; r < R; r++) wv[r] = LOADW(wr[r], j);           \
            _Pragma("GCC unroll 6") for (int t = 0; t < T; t++) {                                   \
                __m512 xv = _mm512_loadu_ps(x[t] + j);                                              \
                _Pragma("GCC unroll 4") for (int r = 0; r < R; r++) acc[r][t] = MAC(wv[r], xv, acc[r][t]); \
            }                                                                                       \
        }                                                                                           \
        _Pragma("GCC unroll 4") for (int r = 0; r < R; r++)                                         \
            _Pragma("GCC unroll 6") for (int t = 0; t < T; t++) out[r][t] = sum16(acc[r][t]);       \
    }

#define LOAD_F16(p, j) _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(const void *)((const uint16_t *)(const void *)(p) + (j))))
#define LOAD_F32(p, j) _mm512_loadu_ps((const float *)(const void *)(p) + (j))
#define MAC_FMA(w, x, a) _mm512_fmadd_ps(w, x, a)
#define MAC_APART(w, x, a) _mm512_add_ps(a, _mm512_mul_ps(w, x))

DOT_TILE(f16_tile, LOAD_F16, MAC_FMA)
DOT_TILE(f32_tile, LOAD_F32, MAC_APART)
#define LOAD_BF16(p, j) _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256( \
    (const __m256i *)(const void *)((const uint16_t *)(const void *)(p) + (j)))), 16))
/* BF16 multiplying and adding apart: a product of two bfloat16 values is
 * exact only while it stays inside fp32's normal range. */
DOT_TILE(bf16_tile, LOAD_BF16, MAC_APART)

/* One tile of R rows (DROWS, or 1) and T vectors, constants for the compiler. */
#define DOT_DISPATCH(TILE)                                                                            \
    TARGET static void TILE##_any(const unsigned char *const *wr, const float *const *x, int n, int R, \
                                  int T, float out[DROWS][DTOKENS]) {                                \
        if (R == DROWS) {                                                                            \
            switch (T) {                                                                             \
            case 6: TILE##_n(wr, x, n, DROWS, 6, out); break;                                        \
            case 5: TILE##_n(wr, x, n, DROWS, 5, out); break;                                        \
            case 4: TILE##_n(wr, x, n, DROWS, 4, out); break;                                        \
            case 3: TILE##_n(wr, x, n, DROWS, 3, out); break;                                        \
            case 2: TILE##_n(wr, x, n, DROWS, 2, out); break;                                        \
            default: TILE##_n(wr, x, n, DROWS, 1, out); break;                                       \
            }                                                                                        \
            return;                                                                                  \
        }                                                                                            \
        for (int r = 0; r < R; r++) {            /* the last rows, one at a time */                  \
            const unsigned char *w1[DROWS] = { wr[r] };                                              \
            float o1[DROWS][DTOKENS];                                                                \
            switch (T) {                                                                             \
            case 6: TILE##_n(w1, x, n, 1, 6, o1); break;                                             \
            case 5: TILE##_n(w1, x, n, 1, 5, o1); break;                                             \
            case 4: TILE##_n(w1, x, n, 1, 4, o1); break;                                             \
            case 3: TILE##_n(w1, x, n, 1, 3, o1); break;                                             \
            case 2: TILE##_n(w1, x, n, 1, 2, o1); break;                                             \
            default: TILE##_n(w1, x, n, 1, 1, o1); break;                                            \
            }                                                                                        \
            for (int t = 0; t < T; t++) out[r][t] = o1[0][t];                                        \
        }                                                                                            \
    }

DOT_DISPATCH(f16_tile)
DOT_DISPATCH(f32_tile)
DOT_DISPATCH(bf16_tile)

/* Rows [r0, r1) for m vectors (cols a multiple of 16): for each chunk of
 * vectors, every group of DROWS rows, DTOKENS vectors at a time. */
#define DOT_ROWS(FN, TILE)                                                                           \
    TARGET static void FN(const llama_tensor *w, const ActLayout *L, const void *act, int m,        \
                          float *y, size_t ldy, int r0, int r1) {                                  \
        const unsigned char *wr[DROWS];                                                            \
        const float *x[DTOKENS];                                                                   \
        float out[DROWS][DTOKENS];                                                                 \
        int chunk = chunk_of(L->bytes, m, 0);                                                    \
        for (int c0 = 0; c0 < m; c0 += chunk) {                                                    \
            int cn = m - c0 < chunk ? m - c0 : chunk;                                              \
            for (int i0 = r0; i0 < r1; i0 += DROWS) {                                              \
                int R = r1 - i0 < DROWS ? r1 - i0 : DROWS;                                         \
                for (int r = 0; r < R; r++) wr[r] = (const unsigned char *)w->data + (size_t)(i0 + r) * w->row_bytes; \
                for (int t0 = 0; t0 < cn; t0 += DTOKENS) {                                         \
                    int T = cn - t0 < DTOKENS ? cn - t0 : DTOKENS;                                 \
                    for (int t = 0; t < T; t++)                                                    \
                        x[t] = (const float *)(const void *)((const unsigned char *)act + (size_t)(c0 + t0 + t) * L->bytes); \
                    TILE##_any(wr, x, w->cols, R, T, out);                                         \
                    for (int r = 0; r < R; r++)                                                    \
                        for (int t = 0; t < T; t++) y[(size_t)(c0 + t0 + t) * ldy + (size_t)(i0 + r)] = out[r][t]; \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

DOT_ROWS(f16_batch16, f16_tile)
DOT_ROWS(f32_batch16, f32_tile)
DOT_ROWS(bf16_batch16, bf16_tile)

extern const MatmulKernel matmul_kernel_avx512vnni;

/* Rows whose length is no multiple of 16 go the one-vector way. */
static void f16_batch(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                      int r0, int r1) {
    if (w->cols % 16) matmul_plain[MATMUL_F16](w, L, act, m, y, ldy, r0, r1);
    else f16_batch16(w, L, act, m, y, ldy, r0, r1);
}

static void bf16_batch(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                       int r0, int r1) {
    if (w->cols % 16) matmul_plain[MATMUL_BF16](w, L, act, m, y, ldy, r0, r1);
    else bf16_batch16(w, L, act, m, y, ldy, r0, r1);
}

static void f32_batch(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                      int r0, int r1) {
    if (w->cols % 16 == 0) {
        f32_batch16(w, L, act, m, y, ldy, r0, r1);
        return;
    }
    Matrix M = { w->data, NULL, NULL, 0 };
    for (int t = 0; t < m; t++)
        matrix_rows(&matmul_kernel_avx512vnni, y + (size_t)t * ldy,
                    (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes), NULL, &M,
                    w->cols, r0, r1);
}

/* ---------------------------------------------------------------- table */

const matmul_tensor_fn matmul_avx512vnni_batch[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = q8_0_batch, [MATMUL_Q4_0] = q4_0_batch, [MATMUL_Q4_K] = q4_k_batch,
    [MATMUL_Q6_K] = q6_k_batch, [MATMUL_F16] = f16_batch, [MATMUL_F32] = f32_batch,
    [MATMUL_BF16] = bf16_batch, [MATMUL_Q5_0] = q5_0_batch, [MATMUL_Q4_1] = q4_1_batch,
    [MATMUL_Q5_1] = q5_1_batch, [MATMUL_Q5_K] = q5_k_batch, [MATMUL_Q2_K] = q2_k_batch,
    [MATMUL_Q3_K] = q3_k_batch,
};

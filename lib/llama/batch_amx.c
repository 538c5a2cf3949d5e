/* Batched products on AMX's tiles, where the CPU has AMX-INT8 and the OS
 * has enabled its state: the blocks of 32 (Q8_0, Q4_0, Q5_0 with Q8_0
 * activations; Q4_1, Q5_1 with Q8_1's) and Q4_K, Q5_K, Q6_K (Q8_K's; see
 * split_scales and digit_planes below). Every (row, vector) result is the
 * one-vector product's, bit for bit, as in batch_avx512.c.
 *
 * One TDPBSSD (TDPBSUD for the unsigned quants of Q4_1 and Q5_1) takes a
 * block of 32 values for 16 vectors by 16 rows: tile A holds the 16
 * vectors' 32 int8 activations, read straight from the prepared vectors
 * (a row of the tile per vector); tile B is panel32_avx512.h's panel
 * block (signed quants: Q8_0 as stored, Q4_0 - 8, Q5_0 - 16); tile C the
 * 16 x 16 exact int32 sums. The block's p (matmul.h) for the 16 rows
 * comes from C in AVX-512 as in batch_avx512.c, p = (float)sum * (d_w *
 * d_x) (+ m_w * s_x), and goes into the lane vector of lane b % 8. The
 * blocks of one lane are taken one after another (b, b + 8, ...), so that
 * the 16 vectors' sums of that lane stay in registers; the lanes are
 * independent sums until matmul.h's tree adds them at the end.
 *
 * m is a multiple of 16 (quant_avx512.c sends the vectors past the last
 * 16 to the VNNI kernels: a tile of fewer costs as much as a full one).
 *
 * Where the time goes (a Xeon with AMX, one core, all in L1): the tile
 * work of a block (two loads, TDPBSSD, the store of C) about 8 ns, the
 * scaling of its 256 sums (4 vector operations per 16) about 11 ns, and
 * the two hardly overlap, even with the tiles of the next block issued
 * before this one is scaled (two sets of tiles, two buffers of sums).
 * kbench, Q8_0 x 128 vectors: about 520 GFLOP/s against 370 with VNNI.
 *
 * The tiles are configured at the start of each call and released at its
 * end, so a core holds no tile state between products (the kernel sets
 * XCR0's tile bits on every core; Linux wants the process to have asked
 * for them, see cpu.c).
 *
 * Stack: at most about 136 KiB (the panel: 80 KiB for the blocks of 32,
 * 77 KiB with B_hi for Q4_K and Q5_K, 109 KiB with two more digit planes
 * for Q6_K; the lane sums of up to 48 vectors, 24 KiB; the tiles of sums,
 * up to 3 KiB). The kernel's stacks are 256 KiB, above a guard page. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/matmul.h"
#include "lib/llama/panel32_avx512.h"
#include "lib/llama/panelk_avx512.h"
#include "lib/llama/prefetch_ahead.h"
#include "lib/llama/simd.h"
#include "lib/libc.h"

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))
#define INLINE __attribute__((always_inline)) inline

/* The tile instructions. Loads and stores name the memory they read or
 * write (the compiler's own macros do not, and a "memory" clobber would
 * keep the sums below out of registers); a load of the activations names
 * none, as this file never writes them. */
#define TILE_LOAD(t, base, stride) \
    __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t ::"r"(base), "r"((long)(stride)))
#define TILE_LOAD_OF(t, base, stride, what) \
    __asm__ volatile("tileloadd (%0,%1,1), %%tmm" #t ::"r"(base), "r"((long)(stride)), "m"(what))
#define TILE_STORE_TO(t, base, stride, what) \
    __asm__ volatile("tilestored %%tmm" #t ", (%1,%2,1)" : "=m"(what) : "r"(base), "r"((long)(stride)))
/* A B tile of the K-quants: 16 rows of 64 bytes from p on. */
#define TILE_LOAD_B(t, p) TILE_LOAD_OF(t, p, 64, *(const __m512i(*)[16])(p))
#define TILE_ZERO(t) __asm__ volatile("tilezero %%tmm" #t ::)
#define TILE_DPBSSD(c, a, b) __asm__ volatile("tdpbssd %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::)
#define TILE_DPBSUD(c, a, b) __asm__ volatile("tdpbsud %%tmm" #b ", %%tmm" #a ", %%tmm" #c ::)

/* LDTILECFG's 64 bytes (palette 1). */
typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t colsb[16];
    uint8_t rows[16];
} TileConfig;

/* Tiles tmm0..7 of rows[t] rows of colsb[t] bytes (0: unused). */
static void tiles_begin(const uint8_t rows[8], const uint16_t colsb[8]) {
    TileConfig c;
    memset(&c, 0, sizeof c);
    c.palette = 1;
    for (int t = 0; t < 8; t++) c.rows[t] = rows[t], c.colsb[t] = colsb[t];
    __asm__ volatile("ldtilecfg %0" ::"m"(c));
}

/* The blocks of 32: two sets of tiles, so that one block's product runs
 * while the other's sums are scaled: C in tmm0 and tmm3 (16 vectors x 16
 * int32), A in tmm1 and tmm4 (16 vectors x 32 bytes), B in tmm2 and tmm5
 * (8 dwords x 16 rows). */
static const uint8_t rows32[8] = { 16, 16, 8, 16, 16, 8 };
static const uint16_t colsb32[8] = { 64, 32, 64, 64, 32, 64 };

/* The K-quants: every tile 16 rows of 64 bytes: 16 vectors x 16 int32
 * (C), 16 vectors x 64 activations (A), 16 dwords x 16 rows (B). */
static const uint8_t rows_k[8] = { 16, 16, 16, 16, 16, 16, 16, 16 };
static const uint16_t colsb_k[8] = { 64, 64, 64, 64, 64, 64, 64, 64 };

static void tiles_end(void) { __asm__ volatile("tilerelease"); }

/* Vectors per chunk (m and the result multiples of 16). */
static int chunk_vectors(size_t vector_bytes, int m, int pieces) {
    size_t c = X_CHUNK_BYTES / vector_bytes / 16 * 16;
    if (c < 16) c = 16;
    if (pieces && c > SPILL_VECTORS) c = SPILL_VECTORS;
    return c < (size_t)m ? (int)c : m;
}

/* Block i of the panel (block b of the rows) for the 16 vectors from v0
 * on, in tiles (C, A, B), its sums into `out`. */
#define AMX_TILES(C, A, B, DP, i, b, out)                                                            \
    do {                                                                                            \
        TILE_LOAD(A, v0 + 32 * (size_t)(b), L->bytes);                                              \
        TILE_LOAD_OF(B, &P.q[i][0], 64, P.q[i]);                                                    \
        TILE_ZERO(C);                                                                               \
        DP(C, A, B);                                                                                \
        TILE_STORE_TO(C, out, 64, out);                                                             \
    } while (0)

/* Block i's p from its sums `in`, added to S[t] for vector t (d and s of
 * vector t at dptr[t], sptr[t]). */
#define AMX_SCALE(HAS_M, i, b, in)                                                                  \
    do {                                                                                            \
        __m512 dw_ = _mm512_load_ps(&P.d[i]);                                                       \
        _Pragma("GCC unroll 16") for (int t_ = 0; t_ < 16; t_++) {                                  \
            __m512 p_ = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_load_si512((const void *)in[t_])),  \
                                      _mm512_mul_ps(dw_, _mm512_set1_ps(dptr[t_][b])));             \
            if (HAS_M)                                                                              \
                p_ = _mm512_add_ps(p_, _mm512_mul_ps(_mm512_load_ps(&P.m[i]), _mm512_set1_ps(sptr[t_][b]))); \
            S[t_] = _mm512_add_ps(S[t_], p_);                                                       \
        }                                                                                           \
    } while (0)

/* The loops of every kernel below, in the body of a tensor kernel (w, L,
 * act, m, y, ldy, r0, r1): for each chunk of vectors, panels of 16 rows in
 * pieces of PIECE blocks of VALUES values. PREPARE packs a piece once
 * (rows [p0, p0 + rows) from `panel` on, blocks [b0, b0 + nb)); GROUP adds
 * the piece's p for the 16 vectors from v0 on (vector c0 + t0 on) into
 * lane[t][b % 8], and calls ahead_step(&ahead) once a block. After the
 * last piece, matmul.h's tree of a vector's lanes is its 16 rows of y. */
#define AMX_PANELS(VALUES, PIECE, PREPARE, GROUP)                                                      \
    int nbr = w->cols / (VALUES), pieces = nbr > (PIECE);                                           \
    int chunk = chunk_vectors(act_chunk_bytes(L), m, pieces);                                                 \
    __m512 lanes[pieces ? SPILL_VECTORS : 16][8];                                                   \
    for (int c0 = 0; c0 < m; c0 += chunk) {                                                         \
        int cn = m - c0 < chunk ? m - c0 : chunk;                                                   \
        for (int p0 = r0; p0 < r1; p0 += 16) {                                                      \
            int rows = r1 - p0 < 16 ? r1 - p0 : 16;                                                 \
            const unsigned char *panel = (const unsigned char *)w->data + (size_t)p0 * w->row_bytes; \
            for (int b0 = 0; b0 < nbr; b0 += (PIECE)) {                                             \
                int nb = nbr - b0 < (PIECE) ? nbr - b0 : (PIECE);                                   \
                PREPARE;                                                                            \
                Ahead ahead;                                                                        \
                ahead_next_panel(&ahead, w, p0, 16, r1, b0, nb, nbr, (PIECE), cn / 16 * nb);        \
                for (int t0 = 0; t0 < cn; t0 += 16) {                                               \
                    const unsigned char *v0 = (const unsigned char *)act + (size_t)(c0 + t0) * L->bytes; \
                    __m512(*lane)[8] = pieces ? &lanes[t0] : lanes;                                  \
                    if (!b0)                                                                        \
                        for (int t = 0; t < 16; t++)                                                \
                            for (int l = 0; l < 8; l++) lane[t][l] = _mm512_setzero_ps();           \
                    GROUP;                                                                          \
                    if (b0 + nb < nbr) continue;                                                    \
                    for (int t = 0; t < 16; t++)                                                    \
                        _mm512_mask_storeu_ps(y + (size_t)(c0 + t0 + t) * ldy + p0,                 \
                                              (__mmask16)((1u << rows) - 1), tree8(lane[t]));       \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

/* The blocks of 32, lane by lane: the blocks of lane l (l, l + 8, ...) one
 * after another, the 16 vectors' sums of that lane in registers; the tiles
 * of the next block run while this one is scaled. */
#define BLOCKS32_GROUP(DP, HAS_M)                                                                    \
    do {                                                                                            \
        const float *dptr[16], *sptr[16];                                                          \
        for (int t = 0; t < 16; t++) {                                                              \
            ActView a_ = act_view(L, act, c0 + t0 + t);                                             \
            dptr[t] = a_.d, sptr[t] = a_.s;                                                         \
        }                                                                                           \
        for (int l = 0; l < 8; l++) {                                                               \
            __m512 S[16];                                                                           \
            _Pragma("GCC unroll 16") for (int t = 0; t < 16; t++) S[t] = lane[t][l];                \
            if (l < nb) AMX_TILES(0, 1, 2, DP, l, b0 + l, sums[0]);                                \
            for (int i = l; i < nb; i += 16) {                                                      \
                if (i + 8 < nb) AMX_TILES(3, 4, 5, DP, i + 8, b0 + i + 8, sums[1]);                 \
                ahead_step(&ahead);                                                                 \
                AMX_SCALE(HAS_M, i, b0 + i, sums[0]);                                               \
                if (i + 8 >= nb) break;                                                             \
                if (i + 16 < nb) AMX_TILES(0, 1, 2, DP, i + 16, b0 + i + 16, sums[0]);             \
                ahead_step(&ahead);                                                                 \
                AMX_SCALE(HAS_M, i + 8, b0 + i + 8, sums[1]);                                       \
            }                                                                                       \
            _Pragma("GCC unroll 16") for (int t = 0; t < 16; t++) lane[t][l] = S[t];                \
        }                                                                                           \
    } while (0)

/* All rows [r0, r1) for m vectors (a multiple of 16), each piece packed
 * with its quants plus BIAS. */
#define AMX_ROWS32(FN, PACK, BIAS, DP, HAS_M)                                                         \
    TARGET static void FN(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, \
                          size_t ldy, int r0, int r1) {                                             \
        Panel32 P __attribute__((aligned(64)));                                                     \
        int32_t sums[2][16][16] __attribute__((aligned(64)));                                       \
        tiles_begin(rows32, colsb32);                                                               \
        AMX_PANELS(32, PANEL_BLOCKS, PACK(&P, panel, w->row_bytes, rows, b0, nb, (int8_t)(BIAS)),   \
                   BLOCKS32_GROUP(DP, HAS_M));                                                      \
        tiles_end();                                                                                \
    }

AMX_ROWS32(q8_0_amx, pack_q8_0, 0, TILE_DPBSSD, 0)
AMX_ROWS32(q4_0_amx, pack_q4_0, -8, TILE_DPBSSD, 0)
AMX_ROWS32(q5_0_amx, pack_q5_0, -16, TILE_DPBSSD, 0)
AMX_ROWS32(q4_1_amx, pack_q4_1, 0, TILE_DPBSUD, 1)
AMX_ROWS32(q5_1_amx, pack_q5_1, 0, TILE_DPBSUD, 1)

/* ---------------------------------------------------------------- K-quants */

/* A super-block's isum = sum over its sub-blocks j of sc_j * S_j (VNNI
 * multiplies each S_j by sc_j, VPMULLD). Here the scales go into the
 * weights instead, split so that every product stays a byte: sc = lo + 8
 * hi (lo, hi in 0..7, so q * lo and q * hi are at most 31 * 7 = 217 for
 * Q5_K's quants), B_lo = q * lo_j, B_hi = q * hi_j, and two dot products
 * over the whole super-block, 4 tiles of 64 values each, give isum = C_lo
 * + 8 C_hi: the same exact integer, with no multiply per sub-block and
 * two stores of C per super-block instead of eight. P->q becomes B_lo;
 * hi[i] receives B_hi. VPMULLW multiplies the bytes of a dword at once: a
 * byte times a scale never carries into the next. */
TARGET static void split_scales(PanelK *P, __m512i (*hi)[64], int nb) {
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < 8; j++) {
            __m512i sc = _mm512_load_si512((const void *)&P->sc[i][j]);
            __m512i lo = _mm512_and_si512(sc, _mm512_set1_epi32(7)), h = _mm512_srli_epi32(sc, 3);
            lo = _mm512_or_si512(lo, _mm512_slli_epi32(lo, 16));
            h = _mm512_or_si512(h, _mm512_slli_epi32(h, 16));
            for (int k = 0; k < 8; k++) {
                __m512i q = _mm512_load_si512((const void *)&P->q[i][8 * j + k]);
                hi[i][8 * j + k] = _mm512_mullo_epi16(q, h);
                P->q[i][8 * j + k] = _mm512_mullo_epi16(q, lo);
            }
        }
}

/* The super-blocks of a piece for 16 vectors: TILES(i, b) leaves the
 * sums from which ISUM(t) makes super-block b's isum for vector t, and
 * P_OF(t) is its p (batch_avx512.c's, in the same order). */
#define K_GROUP(TILES, ISUM, P_OF)                                                                   \
    do {                                                                                            \
        const float *dptr[16];                                                                      \
        const int16_t *sptr[16];                                                                    \
        for (int t = 0; t < 16; t++) {                                                              \
            ActView a_ = act_view(L, act, c0 + t0 + t);                                             \
            dptr[t] = a_.d, sptr[t] = a_.sums32;                                                    \
        }                                                                                           \
        (void)sptr;                  /* Q6_K has no minimums */                                     \
        for (int i = 0; i < nb; i++) {                                                              \
            int b = b0 + i;                                                                         \
            TILES(i, b);                                                                            \
            ahead_step(&ahead);                                                                     \
            _Pragma("GCC unroll 16") for (int t = 0; t < 16; t++) {                                 \
                __m512i isum = ISUM(t);                                                             \
                __m512 dx = _mm512_set1_ps(dptr[t][b]);                                             \
                lane[t][b % 8] = _mm512_add_ps(lane[t][b % 8], P_OF(t));                            \
            }                                                                                       \
        }                                                                                           \
    } while (0)

/* Q4_K, Q5_K: C_lo in tmm0, C_hi in tmm1, A in tmm2, B_lo and B_hi in tmm3, tmm4. */
#define K4_TILES(i, b)                                                                               \
    do {                                                                                            \
        TILE_ZERO(0);                                                                               \
        TILE_ZERO(1);                                                                               \
        for (int c = 0; c < 4; c++) {                                                               \
            TILE_LOAD(2, v0 + 256 * (size_t)(b) + 64 * (size_t)c, L->bytes);                        \
            TILE_LOAD_B(3, &P.q[i][16 * c]);                                                        \
            TILE_DPBSUD(0, 2, 3);                                                                   \
            TILE_LOAD_B(4, &hi[i][16 * c]);                                                         \
            TILE_DPBSUD(1, 2, 4);                                                                   \
        }                                                                                           \
        TILE_STORE_TO(0, sums[0], 64, sums[0]);                                                     \
        TILE_STORE_TO(1, sums[1], 64, sums[1]);                                                     \
    } while (0)
#define K4_ISUM(t)                                                                                   \
    _mm512_add_epi32(_mm512_load_si512((const void *)sums[0][t]),                                   \
                     _mm512_slli_epi32(_mm512_load_si512((const void *)sums[1][t]), 3))
/* p = (d_x d) isum - (d_x dmin) msum */
#define K4_P(t)                                                                                      \
    _mm512_sub_ps(_mm512_mul_ps(_mm512_mul_ps(dx, P.d[i]), _mm512_cvtepi32_ps(isum)),               \
                  _mm512_mul_ps(_mm512_mul_ps(dx, P.dmin[i]),                                         \
                                _mm512_cvtepi32_ps(k4_msum(&P, i, sptr[t] + 8 * b))))

/* The minimums' pairs times the pairs of the activations' sums of 32. */
TARGET static INLINE __m512i k4_msum(const PanelK *P, int i, const int16_t *s32) {
    __m512i aux = _mm512_setzero_si512();
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++)
        aux = _mm512_dpwssd_epi32(aux, P->pair[i][k], _mm512_set1_epi32((int)load32(s32 + 2 * k)));
    return aux;
}

#define AMX_ROWS_K4(FN, PACK)                                                                         \
    TARGET static void FN(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, \
                          size_t ldy, int r0, int r1) {                                             \
        PanelK P __attribute__((aligned(64)));                                                      \
        __m512i hi[PANEL_SUPER][64] __attribute__((aligned(64)));                                   \
        int32_t sums[2][16][16] __attribute__((aligned(64)));                                       \
        tiles_begin(rows_k, colsb_k);                                                                            \
        AMX_PANELS(256, PANEL_SUPER,                                                                \
                   (PACK(&P, panel, w->row_bytes, rows, b0, nb), split_scales(&P, hi, nb)),         \
                   K_GROUP(K4_TILES, K4_ISUM, K4_P));                                               \
        tiles_end();                                                                                \
    }

AMX_ROWS_K4(q4_k_amx, pack_q4_k)
AMX_ROWS_K4(q5_k_amx, pack_q5_k)

/* Q6_K: 16 sub-blocks of 16 with int8 scales, and VNNI's isum - 32 aux =
 * sum_j sc_j sum_v x_v (q_v - 32). The scales go into the weights as in
 * split_scales, as balanced base-7 digits: sc = e0 + 7 e1 + 49 e2 (each
 * in -3..3), plane k = (q - 32) e_k, at most 32 * 3 = 96 in magnitude: a
 * signed byte. Three dot products over the super-block (TDPBSSD) give
 * C_k, and C_0 + 7 (C_1 + 7 C_2) is that exact integer, with no aux and
 * no multiply per sub-block. The digits: e = x - 7 round(x / 7) in float
 * (x / 7 is never halfway). Bytes times a digit: VPMULLW of the unsigned
 * quants by |e| (at most 189, no carry), negated where e < 0, less 32 e,
 * all modulo 256 (exact, as the result is a byte). P->q becomes plane 0;
 * plane[k - 1] receives plane k. */
TARGET static void digit_planes(PanelK *P, __m512i (*plane)[PANEL_SUPER][64], int nb) {
    const __m512i zero = _mm512_setzero_si512();
    const __m512 seventh = _mm512_set1_ps(1.0f / 7.0f);
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < 16; j++) {
            __m512i x = _mm512_load_si512((const void *)&P->sc[i][j]), e[3];
            for (int k = 0; k < 2; k++) {
                __m512 q7 = _mm512_mul_ps(_mm512_cvtepi32_ps(x), seventh);
                __m512i r = _mm512_cvtps_epi32(_mm512_roundscale_ps(q7, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
                e[k] = _mm512_sub_epi32(x, _mm512_mullo_epi32(r, _mm512_set1_epi32(7)));
                x = r;
            }
            e[2] = x;
            __m512i a16[3], off[3];
            __mmask16 neg[3];
            for (int k = 0; k < 3; k++) {
                __m512i a = _mm512_abs_epi32(e[k]);
                neg[k] = _mm512_cmplt_epi32_mask(e[k], zero);
                a16[k] = _mm512_or_si512(a, _mm512_slli_epi32(a, 16));
                /* 32 e as a byte, in each byte of the dword */
                __m512i byte = _mm512_and_si512(_mm512_slli_epi32(e[k], 5), _mm512_set1_epi32(0xff));
                off[k] = _mm512_mullo_epi32(byte, _mm512_set1_epi32(0x01010101));
            }
            for (int v = 4 * j; v < 4 * j + 4; v++) {
                __m512i q = _mm512_load_si512((const void *)&P->q[i][v]);
                for (int k = 0; k < 3; k++) {
                    __m512i pr = _mm512_mullo_epi16(q, a16[k]);
                    pr = _mm512_mask_blend_epi32(neg[k], pr, _mm512_sub_epi8(zero, pr));
                    pr = _mm512_sub_epi8(pr, off[k]);
                    if (k) plane[k - 1][i][v] = pr;
                    else P->q[i][v] = pr;
                }
            }
        }
}

/* Q6_K: C_0..C_2 in tmm0..2, A in tmm4, the planes in tmm5..7. */
#define K6_TILES(i, b)                                                                               \
    do {                                                                                            \
        TILE_ZERO(0);                                                                               \
        TILE_ZERO(1);                                                                               \
        TILE_ZERO(2);                                                                               \
        for (int c = 0; c < 4; c++) {                                                               \
            TILE_LOAD(4, v0 + 256 * (size_t)(b) + 64 * (size_t)c, L->bytes);                        \
            TILE_LOAD_B(5, &P.q[i][16 * c]);                                                        \
            TILE_DPBSSD(0, 4, 5);                                                                   \
            TILE_LOAD_B(6, &plane[0][i][16 * c]);                                                   \
            TILE_DPBSSD(1, 4, 6);                                                                   \
            TILE_LOAD_B(7, &plane[1][i][16 * c]);                                                   \
            TILE_DPBSSD(2, 4, 7);                                                                   \
        }                                                                                           \
        TILE_STORE_TO(0, sums[0], 64, sums[0]);                                                     \
        TILE_STORE_TO(1, sums[1], 64, sums[1]);                                                     \
        TILE_STORE_TO(2, sums[2], 64, sums[2]);                                                     \
    } while (0)
/* C_0 + 7 (C_1 + 7 C_2), 7 x as 8 x - x */
#define K6_ISUM(t) k6_isum(sums, t)
TARGET static INLINE __m512i k6_isum(int32_t (*sums)[16][16], int t) {
    __m512i c2 = _mm512_load_si512((const void *)sums[2][t]);
    __m512i u = _mm512_add_epi32(_mm512_load_si512((const void *)sums[1][t]),
                                 _mm512_sub_epi32(_mm512_slli_epi32(c2, 3), c2));
    return _mm512_add_epi32(_mm512_load_si512((const void *)sums[0][t]),
                            _mm512_sub_epi32(_mm512_slli_epi32(u, 3), u));
}
/* p = (d_x d) isum */
#define K6_P(t) _mm512_mul_ps(_mm512_mul_ps(dx, P.d[i]), _mm512_cvtepi32_ps(isum))

TARGET static void q6_k_amx(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                            int r0, int r1) {
    PanelK P __attribute__((aligned(64)));
    __m512i plane[2][PANEL_SUPER][64] __attribute__((aligned(64)));
    int32_t sums[3][16][16] __attribute__((aligned(64)));
    tiles_begin(rows_k, colsb_k);
    AMX_PANELS(256, PANEL_SUPER, (pack_q6_k(&P, panel, w->row_bytes, rows, b0, nb), digit_planes(&P, plane, nb)),
               K_GROUP(K6_TILES, K6_ISUM, K6_P));
    tiles_end();
}

const matmul_tensor_fn matmul_amx_batch[MATMUL_KINDS] = {
    [MATMUL_Q8_0] = q8_0_amx, [MATMUL_Q4_0] = q4_0_amx, [MATMUL_Q5_0] = q5_0_amx,
    [MATMUL_Q4_1] = q4_1_amx, [MATMUL_Q5_1] = q5_1_amx, [MATMUL_Q4_K] = q4_k_amx,
    [MATMUL_Q5_K] = q5_k_amx, [MATMUL_Q6_K] = q6_k_amx,
};

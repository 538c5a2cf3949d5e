/* AVX2 kernels for ggml's block types (matmul.h's tensor kernels): the
 * block types from quant_body.h with AVX2's byte products, again with
 * AVX-VNNI's where the CPU has it (Intel's cores since Alder Lake, which
 * lack AVX-512; AMD's since Zen 5: one VPDPBUSD in place of VPMADDUBSW and
 * VPMADDWD), F16 and BF16. Every result is matmul_plain.c's, bit for bit.
 * Several vectors at once (prompt processing) go to batch_avx2.c's
 * kernels instead.
 *
 * The blocks' fp16 scales and F16 weights are widened by F16C's
 * VCVTPH2PS, or in a second build of the kernels for the CPUs without it
 * in integer code (AVX2 does not imply F16C; the bits are the same:
 * matmul_avx2.c's two sets). F16 and BF16 rows are dot16 with
 * the 16 lanes in two registers, F16's multiplies and adds fused (which
 * rounds the same: its products are exact), BF16's apart. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/blocks.h"
#include "lib/llama/f16.h"
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/llama/half8_avx2.h"

#define INLINE __attribute__((always_inline)) inline

/* The four streams' groups (quant_body.h's T_row4) in a loop, not
 * unrolled: with AVX2's 16 vector registers the unrolled rows spilled
 * their sums, and the loop reads faster from DRAM (kbench, Zen 3, one
 * core, 2048 columns, best of four to six rounds in turn: Q6_K 12.4 ->
 * 14.9 GB/s bare, 10.9 -> 12.9 ahead; Q8_0 15.0 -> 17.2 ahead; from L2
 * the same). */
#define ROW4_UNROLL "GCC unroll 1"

/* ---------------------------------------------------------------- AVX2 */

/* With F16C (every AVX2 CPU made so far, and QEMU's TCG): the blocks'
 * fp16 scales by VCVTPH2PS. */
#define TARGET __attribute__((target("avx2,fma,f16c")))
#define NAME(x) avx2_##x
TARGET static INLINE __m256 avx2_halves8(__m128i h) { return _mm256_cvtph_ps(h); }
#include "lib/llama/quant_body.h"

/* Without (a hypervisor may hide it): by half8, in integer code. Two
 * builds rather than a test of CPUID per group of blocks, with the
 * integer code inlined beside VCVTPH2PS in every kernel (kbench, Zen 3,
 * AVX2, from DRAM, best of five rounds in turn: Q4_0 16.5 -> 18.2 GB/s,
 * Q8_0 20.3 -> 22.0, Q6_K 13.2 -> 14.3; a second set of four rounds
 * found less, within this machine's noise: Q4_0 from L2 17.5 -> 18.4). */
#undef TARGET
#undef NAME
#define TARGET __attribute__((target("avx2")))
#define NAME(x) avx2h_##x
TARGET static INLINE __m256 avx2h_halves8(__m128i h) { return half8(_mm256_cvtepu16_epi32(h)); }
#include "lib/llama/quant_body.h"

/* ---------------------------------------------------------------- F16 */

/* dot16: lanes 0-7 and 8-15 in two registers, a + w * x by MULADD
 * (prefetched `ahead` bytes on, matmul_halves_ahead's);
 * the halves widened by half8, or by F16C's VCVTPH2PS where the CPU has it
 * (every AVX2 CPU made so far does; the bits are the same either way). */
#define F16_ROW(FN, ATTR, WIDEN, MULADD)                                                           \
    ATTR __attribute__((noinline)) static float FN(const uint16_t *w, const float *x, int n, int ahead) { \
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;                                                 \
        for (int j = 0; j < n; j += 16) {                                                         \
            if (ahead && j % 32 == 0) _mm_prefetch((const char *)(w + j) + ahead, _MM_HINT_T0);  \
            __m256 w0 = WIDEN(_mm_loadu_si128((const __m128i *)(const void *)(w + j)));          \
            __m256 w1 = WIDEN(_mm_loadu_si128((const __m128i *)(const void *)(w + j + 8)));      \
            a0 = MULADD(a0, w0, _mm256_loadu_ps(x + j));                                         \
            a1 = MULADD(a1, w1, _mm256_loadu_ps(x + j + 8));                                     \
        }                                                                                         \
        return avx2h_reduce8(_mm256_add_ps(a0, a1));                                               \
    }

/* a + w * x: fused for F16 (the level has FMA), whose products of binary16
 * values are exact in fp32, so that it rounds as dot16's multiply and add
 * apart (as f16_tile2x2 below); apart for BF16, whose products may round. */
#define FUSED(a, w, x) _mm256_fmadd_ps(w, x, a)
#define APART(a, w, x) _mm256_add_ps(a, _mm256_mul_ps(w, x))
#define F16C_FMA __attribute__((target("avx2,f16c,fma")))
#define AVX2_FMA __attribute__((target("avx2,fma")))
F16_ROW(f16_row, AVX2_FMA, avx2h_halves8, FUSED)
F16_ROW(f16_row_f16c, F16C_FMA, _mm256_cvtph_ps, FUSED)

/* Rows w and the three `stride` bytes apart after it, into y[0], y[ys],
 * ...: the range's quarters read bare (MATMUL_READ_BARE) as four streams,
 * x read once for four rows, as fp32 or (xh, matmul.h's matmul_half_x)
 * widened like the weights. As at the AVX-512 level (quant_avx512.c's
 * HALF_ROWS): Zen 4, kbench from DRAM, one core, F16 5632 columns
 * 9.9 -> 27 GB/s against one row at a time. */
#define HALF8(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define F16_ROWS4(FN, ATTR, WIDEN, MULADD)                                                         \
    ATTR __attribute__((noinline)) static void FN(const uint16_t *w, size_t stride, const float *x, \
                                                  const uint16_t *xh, int n, float *y, size_t ys) { \
        const uint16_t *r[4];                                                                     \
        __m256 lo[4], hi[4];                                                                      \
        for (int k = 0; k < 4; k++) {                                                             \
            r[k] = (const uint16_t *)(const void *)((const unsigned char *)w + k * stride);       \
            lo[k] = hi[k] = _mm256_setzero_ps();                                                  \
        }                                                                                         \
        for (int j = 0; j < n; j += 16) {                                                         \
            __m256 xa = xh ? WIDEN(HALF8(xh + j)) : _mm256_loadu_ps(x + j);                       \
            __m256 xb = xh ? WIDEN(HALF8(xh + j + 8)) : _mm256_loadu_ps(x + j + 8);               \
            _Pragma("GCC unroll 4") for (int k = 0; k < 4; k++) {                                 \
                lo[k] = MULADD(lo[k], WIDEN(HALF8(r[k] + j)), xa);                                 \
                hi[k] = MULADD(hi[k], WIDEN(HALF8(r[k] + j + 8)), xb);                             \
            }                                                                                     \
        }                                                                                         \
        for (int k = 0; k < 4; k++) y[k * ys] = avx2h_reduce8(_mm256_add_ps(lo[k], hi[k]));        \
    }
F16_ROWS4(f16_rows4_f16c, F16C_FMA, _mm256_cvtph_ps, FUSED)

/* The quarters of rows [i0, i1) four at a time (rows4), then the rows
 * past them one by one (row1); false, doing nothing, where the read is
 * not bare or the range too small for four streams (matmul_stream_quarter). */
typedef void half_rows4_fn(const uint16_t *w, size_t stride, const float *x, const uint16_t *xh, int n, float *y,
                           size_t ys);
typedef float half_row_fn(const uint16_t *w, const float *x, int n, int ahead);
static int half_quarters(half_rows4_fn *rows4, half_row_fn *row1, const llama_tensor *w, const ActLayout *L,
                         const float *x, float *y, int i0, int i1) {
    int q = matmul_halves_ahead(matmul_kind(w->type)) ? 0 : matmul_stream_quarter(i1 - i0, w->row_bytes);
    if (!q) return 0;
    const unsigned char *base = w->data;
    const uint16_t *xh = matmul_half_x(L, x);
    for (int i = i0; i < i0 + q; i++)
        rows4((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes), (size_t)q * w->row_bytes, x, xh,
              w->cols, &y[i], (size_t)q);
    for (int i = i0 + 4 * q; i < i1; i++)
        y[i] = row1((const uint16_t *)(const void *)(base + (size_t)i * w->row_bytes), x, w->cols, 0);
    return 1;
}

/* Rows w0, w1 against vectors x0, x1 (y_rt: row r, vector t): four dot16
 * at once, each 16 weights widened once for both vectors, fused as above.
 * Prompts only: F16 generation is bound by memory. */
F16C_FMA __attribute__((noinline)) static void f16_tile2x2(const uint16_t *w0, const uint16_t *w1, const float *x0,
                                                            const float *x1, int n, float *y00, float *y01,
                                                            float *y10, float *y11) {
    __m256 a00 = _mm256_setzero_ps(), b00 = a00, a01 = a00, b01 = a00;
    __m256 a10 = a00, b10 = a00, a11 = a00, b11 = a00;
    for (int j = 0; j < n; j += 16) {
        __m256 u = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(w0 + j)));
        __m256 v = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(w0 + j + 8)));
        __m256 p = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(w1 + j)));
        __m256 q = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(w1 + j + 8)));
        __m256 x0a = _mm256_loadu_ps(x0 + j), x0b = _mm256_loadu_ps(x0 + j + 8);
        a00 = _mm256_fmadd_ps(u, x0a, a00);
        b00 = _mm256_fmadd_ps(v, x0b, b00);
        a10 = _mm256_fmadd_ps(p, x0a, a10);
        b10 = _mm256_fmadd_ps(q, x0b, b10);
        __m256 x1a = _mm256_loadu_ps(x1 + j), x1b = _mm256_loadu_ps(x1 + j + 8);
        a01 = _mm256_fmadd_ps(u, x1a, a01);
        b01 = _mm256_fmadd_ps(v, x1b, b01);
        a11 = _mm256_fmadd_ps(p, x1a, a11);
        b11 = _mm256_fmadd_ps(q, x1b, b11);
    }
    *y00 = avx2h_reduce8(_mm256_add_ps(a00, b00));
    *y01 = avx2h_reduce8(_mm256_add_ps(a01, b01));
    *y10 = avx2h_reduce8(_mm256_add_ps(a10, b10));
    *y11 = avx2h_reduce8(_mm256_add_ps(a11, b11));
}

/* F16 rows of a multiple of 16 values (others in plain C), a chunk of
 * about 64 KiB of weights at a time for several vectors: with F16C, two
 * rows by two vectors at a time (f16_tile2x2), the odd ones one by one. */
TARGET static INLINE void f16_rows_by(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                                      size_t ldy, int r0, int r1, const int f16c) {
    if (w->cols % 16) {
        matmul_plain[MATMUL_F16](w, L, act, m, y, ldy, r0, r1);
        return;
    }
    int ahead = matmul_halves_ahead(MATMUL_F16);
    int chunk = matmul_chunk_rows(m, r0, r1, w->row_bytes, 1);
    for (int i0 = r0; i0 < r1; i0 += chunk) {
        int i1 = r1 - i0 < chunk ? r1 : i0 + chunk;
        int t = 0;
        for (; f16c && t + 2 <= m; t += 2) {
            const float *x0 = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes);
            const float *x1 = (const float *)(const void *)((const unsigned char *)act + (size_t)(t + 1) * L->bytes);
            float *y0 = y + (size_t)t * ldy, *y1 = y0 + ldy;
            int i = i0;
            for (; i + 2 <= i1; i += 2) {
                const uint16_t *w0 = (const uint16_t *)(const void *)((const unsigned char *)w->data +
                                                                      (size_t)i * w->row_bytes);
                const uint16_t *w1 = (const uint16_t *)(const void *)((const unsigned char *)w0 + w->row_bytes);
                f16_tile2x2(w0, w1, x0, x1, w->cols, &y0[i], &y1[i], &y0[i + 1], &y1[i + 1]);
            }
            if (i < i1) {
                const uint16_t *row = (const uint16_t *)(const void *)((const unsigned char *)w->data +
                                                                       (size_t)i * w->row_bytes);
                y0[i] = f16_row_f16c(row, x0, w->cols, ahead);
                y1[i] = f16_row_f16c(row, x1, w->cols, ahead);
            }
        }
        for (; t < m; t++) {
            const float *x = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes);
            if (f16c && half_quarters(f16_rows4_f16c, f16_row_f16c, w, L, x, y + (size_t)t * ldy, i0, i1))
                continue;
            MATMUL_STREAM_ROWS(i, i0, i1, w->row_bytes) {
                const uint16_t *row = (const uint16_t *)(const void *)((const unsigned char *)w->data +
                                                                       (size_t)i * w->row_bytes);
                y[(size_t)t * ldy + (size_t)i] =
                    f16c ? f16_row_f16c(row, x, w->cols, ahead) : f16_row(row, x, w->cols, ahead);
            }
        }
    }
}

TARGET static void f16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                            int r0, int r1) {
    f16_rows_by(w, L, act, m, y, ldy, r0, r1, 1);
}
TARGET static void f16_rows_no_f16c(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                                    size_t ldy, int r0, int r1) {
    f16_rows_by(w, L, act, m, y, ldy, r0, r1, 0);
}

/* BF16: the top halves of fp32, widened by a shift. */
#define BF16_WIDEN(h) _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16))
F16_ROW(bf16_row, TARGET, BF16_WIDEN, APART)
F16_ROWS4(bf16_rows4, TARGET, BF16_WIDEN, APART)

TARGET static void bf16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y,
                             size_t ldy, int r0, int r1) {
    if (w->cols % 16) {
        matmul_plain[MATMUL_BF16](w, L, act, m, y, ldy, r0, r1);
        return;
    }
    int chunk = matmul_chunk_rows(m, r0, r1, w->row_bytes, 1), ahead = matmul_halves_ahead(MATMUL_BF16);
    for (int i0 = r0; i0 < r1; i0 += chunk) {
        int i1 = r1 - i0 < chunk ? r1 : i0 + chunk;
        for (int t = 0; t < m; t++) {
            const float *x = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes);
            if (half_quarters(bf16_rows4, bf16_row, w, L, x, y + (size_t)t * ldy, i0, i1)) continue;
            MATMUL_STREAM_ROWS(i, i0, i1, w->row_bytes)
                y[(size_t)t * ldy + (size_t)i] =
                    bf16_row((const uint16_t *)(const void *)((const unsigned char *)w->data + (size_t)i * w->row_bytes),
                             x, w->cols, ahead);
        }
    }
}

/* ---------------------------------------------------------------- AVX-VNNI */

#undef TARGET
#undef NAME
#define TARGET __attribute__((target("avx2,fma,f16c,avxvnni")))
#define NAME(x) avxvnni_##x

TARGET static INLINE __m256 avxvnni_halves8(__m128i h) { return _mm256_cvtph_ps(h); }
#define VNNI_DPBUSD _mm256_dpbusd_avx_epi32
#define VNNI_DPWSSD _mm256_dpwssd_avx_epi32
#include "lib/llama/quant_body.h"

/* ---------------------------------------------------------------- tables */

/* Several vectors go to batch_avx2.c's kernels (AVX-VNNI's where they
 * pay): the same bits. */
BODY_TENSOR_TABLE(matmul_avx2_tensor, avx2, matmul_avx2_batch, f16_rows, bf16_rows)
BODY_TENSOR_TABLE(matmul_avx2_no_f16c_tensor, avx2h, matmul_avx2_batch, f16_rows_no_f16c, bf16_rows)
BODY_TENSOR_TABLE(matmul_avxvnni_tensor, avxvnni, matmul_avxvnni_batch, f16_rows, bf16_rows)

/* AVX2 kernels: the 16 lanes of dot16 in two registers (lanes 0-7, 8-15),
 * multiplies and adds kept apart (no FMA: the same bits as SSE2); Q8_0
 * products with byte multiply-adds. See matmul.h. The level needs FMA all
 * the same: quant_avx2.c's F16 rows fuse theirs (every AVX2 CPU has it). */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/llama/lanes8_avx2.h"

#define AVX2 __attribute__((target("avx2")))


/* The tree of dot16 over lanes lo (0-7) and hi (8-15). */
AVX2 static inline float reduce16(__m256 lo, __m256 hi) { return reduce8(_mm256_add_ps(lo, hi)); }

#define MAC(acc, w, x) acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(w), x))

/* Lanes 0-7 + 8-15 of dot16(q, key t + u) for four keys u at once, so
 * that eight additions are in flight. */
AVX2 static inline __attribute__((always_inline)) void dots4(__m256 *s, const float *q,
                                                             const float *k, size_t stride, int n) {
    __m256 lo[4], hi[4];
#pragma GCC unroll 4
    for (int u = 0; u < 4; u++) lo[u] = hi[u] = _mm256_setzero_ps();
    for (int j = 0; j < n; j += 16) {
        __m256 q0 = _mm256_loadu_ps(q + j), q1 = _mm256_loadu_ps(q + j + 8);
#pragma GCC unroll 4
        for (int u = 0; u < 4; u++) {
            MAC(lo[u], k + (size_t)u * stride + j, q0);
            MAC(hi[u], k + (size_t)u * stride + j + 8, q1);
        }
    }
#pragma GCC unroll 4
    for (int u = 0; u < 4; u++) s[u] = _mm256_add_ps(lo[u], hi[u]);
}

/* Rows w and the three `stride` floats apart after it into y[0], y[ys],
 * y[2 ys], y[3 ys], each its own dot16: x read once for four rows (as
 * dots4 reads four keys). */
AVX2 static void f32_rows4(float *y, size_t ys, const float *x, const float *w, size_t stride, int n) {
    __m256 s[4];
    dots4(s, x, w, stride, n);
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) y[k * ys] = reduce8(s[k]);
}

/* Long rows four at a time from the range's quarters (matmul_f32_quarter);
 * the others one at a time, each read as one sequential stream, which the
 * hardware prefetchers follow far better than several rows at once
 * (measured: twice the bandwidth from DRAM); the rows in matmul.h's
 * two-stream order. */
AVX2 static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                          int row_end) {
    int q = matmul_f32_quarter(row_end - row_begin, n);
    for (int i = row_begin; i < row_begin + q; i++)
        f32_rows4(xout + i, (size_t)q, x, w + (size_t)i * (size_t)n, (size_t)q * (size_t)n, n);
    row_begin += 4 * q;
    MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n * sizeof *w) {
        const float *wi = w + (size_t)i * (size_t)n;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;
        for (int j = 0; j < n; j += 16) {
            MAC(a0, wi + j, _mm256_loadu_ps(x + j));
            MAC(a1, wi + j + 8, _mm256_loadu_ps(x + j + 8));
        }
        xout[i] = reduce16(a0, a1);
    }
}

/* Eight keys at a time, their trees side by side (reduce8x8). */
AVX2 static void dots(float *out, const float *q, const float *k, size_t stride, int n,
                      int count) {
    int t = 0;
    for (; t + 8 <= count; t += 8) {
        __m256 s[8];
        dots4(s, q, k + (size_t)t * stride, stride, n);
        dots4(s + 4, q, k + (size_t)(t + 4) * stride, stride, n);
        _mm256_storeu_ps(out + t, reduce8x8(s));
    }
    for (; t < count; t++) {
        const float *kt = k + (size_t)t * stride;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;
        for (int j = 0; j < n; j += 16) {
            MAC(a0, kt + j, _mm256_loadu_ps(q + j));
            MAC(a1, kt + j + 8, _mm256_loadu_ps(q + j + 8));
        }
        out[t] = reduce16(a0, a1);
    }
}

AVX2 static void axpy(float *y, float a, const float *x, int n) {
    __m256 av = _mm256_set1_ps(a);
    int i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(y + i),
                                              _mm256_mul_ps(av, _mm256_loadu_ps(x + i))));
    for (; i < n; i++) y[i] += a * x[i];
}

/* ---------------------------------------------------------------- Q8_0 */

/* Eight int32 partial sums of 32 byte products x * w, exact: |w| times x
 * with w's sign, pairs added in 16 bits (at most 2 * 128 * 127, no
 * saturation), then pairs of those in 32 bits. */
AVX2 static inline __m256i mul32(__m256i x, __m256i w) {
    __m256i p = _mm256_maddubs_epi16(_mm256_abs_epi8(w), _mm256_sign_epi8(x, w));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

/* The eight lanes of each of a..h added up, in that order. */
AVX2 static inline __m256i hsum8(__m256i a, __m256i b, __m256i c, __m256i d, __m256i e,
                                 __m256i f, __m256i g, __m256i h) {
    __m256i abcd = _mm256_hadd_epi32(_mm256_hadd_epi32(a, b), _mm256_hadd_epi32(c, d));
    __m256i efgh = _mm256_hadd_epi32(_mm256_hadd_epi32(e, f), _mm256_hadd_epi32(g, h));
    return _mm256_add_epi32(_mm256_permute2x128_si256(abcd, efgh, 0x20),
                            _mm256_permute2x128_si256(abcd, efgh, 0x31));
}

#define LOAD(p) _mm256_loadu_si256((const __m256i *)(p))

/* Eight int32 partial sums of segment [j0, j0 + g) of x and w. */
AVX2 static inline __m256i seg32(const int8_t *xq, const int8_t *w, int j0, int g) {
    __m256i a = mul32(LOAD(xq + j0), LOAD(w + j0));
    for (int j = j0 + 32; j < j0 + g; j += 32) a = _mm256_add_epi32(a, mul32(LOAD(xq + j), LOAD(w + j)));
    return a;
}

/* Row i; g == G when G is nonzero (the compiler then unrolls for it). */
AVX2 static inline __attribute__((always_inline)) float q8_row(
    const int8_t *xq, const float *xs, const int8_t *wq, const float *ws, int n, int g,
    int shift, int contiguous, int i, const int G) {
    if (G) g = G;
    int segs = n / g;
    size_t base = (size_t)i * (size_t)n;
    const int8_t *w0 = wq + base;
    __m256 acc = _mm256_setzero_ps();
    int sg = 0;
    for (; sg + 8 <= segs; sg += 8) {
        __m256i a[8];
#pragma GCC unroll 8
        for (int k = 0; k < 8; k++) a[k] = seg32(xq, w0, (sg + k) * g, g);
        __m256 wsc;
        if (contiguous) {
            wsc = _mm256_loadu_ps(ws + (base >> shift) + sg);
        } else {
            float t[8];
            for (int k = 0; k < 8; k++) t[k] = ws[(base + (size_t)(sg + k) * (size_t)g) >> shift];
            wsc = _mm256_loadu_ps(t);
        }
        __m256 isum = _mm256_cvtepi32_ps(hsum8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
        acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_mul_ps(isum, wsc), _mm256_loadu_ps(xs + sg)));
    }
    float sum = reduce8(acc);
    for (; sg < segs; sg++) {     /* the segments after the last whole block */
        int j0 = sg * g;
        __m256i a = seg32(xq, w0, j0, g);
        __m128i h = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
        h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
        h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
        sum += ((float)_mm_cvtsi128_si32(h) * ws[(base + (size_t)j0) >> shift]) * xs[sg];
    }
    return sum;
}

/* One row at a time (a sequential stream, as for fp32: twice as fast as
 * eight rows at once, even from L3), eight segments at a time: their exact
 * int32 sums in one vector, times the weight scales and the input scales
 * (two roundings, as runq.c's), added to the eight lanes of matmul.h. */
AVX2 void matmul_avx2_q8_rows(float *xout, const QuantVec *xv, const int8_t *wq, const float *ws,
                              int n, int gs, int row_begin, int row_end) {
    const int8_t *xq = xv->q;
    const float *xs = xv->s;
    int g = xv->g;
    int shift = __builtin_ctz((unsigned)gs);
    int contiguous = g == gs && n % gs == 0;      /* scales of a row: ws[row * segs + sg] */
    if (g == 32 && contiguous)
        MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n)
            xout[i] = q8_row(xq, xs, wq, ws, n, g, shift, 1, i, 32);
    else if (g == 64 && contiguous)
        MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n)
            xout[i] = q8_row(xq, xs, wq, ws, n, g, shift, 1, i, 64);
    else
        MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n)
            xout[i] = q8_row(xq, xs, wq, ws, n, g, shift, contiguous, i, 0);
}

/* Columns [c, c + 8W) over every t: W independent sums (each still in
 * t's order), so that W additions are in flight instead of two. */
AVX2 static inline __attribute__((always_inline)) void wsum_cols(float *out, const float *a,
                                                                  const float *v, size_t stride,
                                                                  int count, int c, const int W) {
    __m256 acc[8];
#pragma GCC unroll 8
    for (int u = 0; u < W; u++) acc[u] = _mm256_setzero_ps();
    for (int t = 0; t < count; t++) {
        __m256 at = _mm256_set1_ps(a[t]);
        const float *vt = v + (size_t)t * stride + c;
#pragma GCC unroll 8
        for (int u = 0; u < W; u++) acc[u] = _mm256_add_ps(acc[u], _mm256_mul_ps(at, _mm256_loadu_ps(vt + 8 * u)));
    }
#pragma GCC unroll 8
    for (int u = 0; u < W; u++) _mm256_storeu_ps(out + c + 8 * u, acc[u]);
}

AVX2 static void wsum(float *out, const float *a, const float *v, size_t stride, int n, int count) {
    int c = 0;
    for (; c + 64 <= n; c += 64) wsum_cols(out, a, v, stride, count, c, 8);
    switch (n - c) {          /* n is a multiple of 16 */
    case 48: wsum_cols(out, a, v, stride, count, c, 6); break;
    case 32: wsum_cols(out, a, v, stride, count, c, 4); break;
    case 16: wsum_cols(out, a, v, stride, count, c, 2); break;
    }
}

extern const matmul_tensor_fn matmul_avx2_tensor[MATMUL_KINDS], matmul_avx2_no_f16c_tensor[MATMUL_KINDS],
    matmul_avxvnni_tensor[MATMUL_KINDS];

const MatmulKernel matmul_kernel_avx2 = {
    .name = "avx2", .set = "avx2", .needs = LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_F16C, .f32_rows = f32_rows,
    .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = matmul_avx2_q8_rows, .tensor = matmul_avx2_tensor,
};

/* The same level on a CPU without F16C (a hypervisor may hide it): the
 * fp16 scales and weights widened in integer code (quant_avx2.c). */
const MatmulKernel matmul_kernel_avx2_no_f16c = {
    .name = "avx2", .set = "avx2-no-f16c", .needs = LLAMA_CPU_AVX2 | LLAMA_CPU_FMA, .f32_rows = f32_rows,
    .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = matmul_avx2_q8_rows, .tensor = matmul_avx2_no_f16c_tensor,
};

/* The same level where the CPU has AVX-VNNI: the block types' byte
 * products by VPDPBUSD (quant_avx2.c). */
const MatmulKernel matmul_kernel_avx2vnni = {
    .name = "avx2", .set = "avx2-vnni", .needs = LLAMA_CPU_AVX2 | LLAMA_CPU_FMA | LLAMA_CPU_AVXVNNI,
    .f32_rows = f32_rows, .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = matmul_avx2_q8_rows,
    .tensor = matmul_avxvnni_tensor,
};

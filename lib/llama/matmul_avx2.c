/* AVX2 kernels: the 16 lanes of dot16 in two registers (lanes 0-7, 8-15),
 * multiplies and adds kept apart (no FMA: the same bits as SSE2); Q8_0
 * products with byte multiply-adds, eight rows at a time so that each lane
 * of the result vector follows one row's runq.c order. See matmul.h. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#define AVX2 __attribute__((target("avx2")))

/* The tree of dot16 over lanes lo (0-7) and hi (8-15). */
AVX2 static inline float reduce16(__m256 lo, __m256 hi) {
    __m256 t8 = _mm256_add_ps(lo, hi);
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

#define MAC(acc, w, x) acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_loadu_ps(w), x))

AVX2 static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                          int row_end) {
    int i = row_begin;
    for (; i + 4 <= row_end; i += 4) {
        const float *w0 = w + (size_t)i * (size_t)n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0;
        __m256 c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        for (int j = 0; j < n; j += 16) {
            __m256 x0 = _mm256_loadu_ps(x + j), x1 = _mm256_loadu_ps(x + j + 8);
            MAC(a0, w0 + j, x0); MAC(a1, w0 + j + 8, x1);
            MAC(b0, w1 + j, x0); MAC(b1, w1 + j + 8, x1);
            MAC(c0, w2 + j, x0); MAC(c1, w2 + j + 8, x1);
            MAC(d0, w3 + j, x0); MAC(d1, w3 + j + 8, x1);
        }
        xout[i] = reduce16(a0, a1);
        xout[i + 1] = reduce16(b0, b1);
        xout[i + 2] = reduce16(c0, c1);
        xout[i + 3] = reduce16(d0, d1);
    }
    for (; i < row_end; i++) {
        const float *w0 = w + (size_t)i * (size_t)n;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0;
        for (int j = 0; j < n; j += 16) {
            MAC(a0, w0 + j, _mm256_loadu_ps(x + j));
            MAC(a1, w0 + j + 8, _mm256_loadu_ps(x + j + 8));
        }
        xout[i] = reduce16(a0, a1);
    }
}

AVX2 static void dots(float *out, const float *q, const float *k, size_t stride, int n,
                      int count) {
    for (int t = 0; t < count; t++) {
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

AVX2 void matmul_avx2_q8_rows(float *xout, const int8_t *xq, const float *xs, const int8_t *wq,
                              const float *ws, int n, int g, int gs, int row_begin, int row_end) {
    int shift = __builtin_ctz((unsigned)gs), segs = n / g;
    int i = row_begin;
    for (; i + 8 <= row_end; i += 8) {
        /* row r's segment j has its scale at sb[(rem + r*n + j) >> shift] */
        size_t base = (size_t)i * (size_t)n;
        const int8_t *w0 = wq + base;
        const float *sb = ws + (base >> shift);
        __m256i rowoff = _mm256_add_epi32(
            _mm256_set1_epi32((int)(base & (size_t)(gs - 1))),
            _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(n)));
        __m128i sh = _mm_cvtsi32_si128(shift);
        __m256 val = _mm256_setzero_ps();
        for (int sg = 0; sg < segs; sg++) {
            int j0 = sg * g;
            __m256i a[8];
            for (int r = 0; r < 8; r++) a[r] = _mm256_setzero_si256();
            for (int j = j0; j < j0 + g; j += 32) {
                __m256i x = LOAD(xq + j);
                for (int r = 0; r < 8; r++)
                    a[r] = _mm256_add_epi32(a[r], mul32(x, LOAD(w0 + (size_t)r * (size_t)n + j)));
            }
            __m256 isum = _mm256_cvtepi32_ps(hsum8(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]));
            __m256i idx = _mm256_srl_epi32(_mm256_add_epi32(rowoff, _mm256_set1_epi32(j0)), sh);
            __m256 wsc = _mm256_i32gather_ps(sb, idx, 4);
            val = _mm256_add_ps(val, _mm256_mul_ps(_mm256_mul_ps(isum, wsc), _mm256_set1_ps(xs[sg])));
        }
        _mm256_storeu_ps(xout + i, val);
    }
    for (; i < row_end; i++) {
        size_t base = (size_t)i * (size_t)n;
        const int8_t *w0 = wq + base;
        float val = 0.0f;
        for (int sg = 0; sg < segs; sg++) {
            int j0 = sg * g;
            __m256i a = _mm256_setzero_si256();
            for (int j = j0; j < j0 + g; j += 32)
                a = _mm256_add_epi32(a, mul32(LOAD(xq + j), LOAD(w0 + j)));
            __m128i h = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
            h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
            h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
            val += ((float)_mm_cvtsi128_si32(h) * ws[(base + (size_t)j0) >> shift]) * xs[sg];
        }
        xout[i] = val;
    }
}

const MatmulKernel matmul_kernel_avx2 = {
    "avx2", LLAMA_CPU_AVX2, f32_rows, dots, axpy, matmul_avx2_q8_rows,
};

/* AVX-512 kernels: the 16 lanes of dot16 in one register, multiplies and
 * adds kept apart (the same bits as SSE2 and AVX2). Q8_0 products use the
 * AVX2 kernel (every AVX-512 CPU has AVX2). See matmul.h. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"

#define AVX512 __attribute__((target("avx512f")))

void matmul_avx2_q8_rows(float *xout, const int8_t *xq, const float *xs, const int8_t *wq,
                         const float *ws, int n, int g, int gs, int row_begin, int row_end);

/* The tree of dot16 over the 16 lanes of a. */
AVX512 static inline float reduce16(__m512 a) {
    __m256 t8 = _mm256_add_ps(_mm512_castps512_ps256(a),
                              _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(t8), _mm256_extractf128_ps(t8, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

#define MAC(acc, w, x) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_loadu_ps(w), x))

AVX512 static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                            int row_end) {
    int i = row_begin;
    for (; i + 4 <= row_end; i += 4) {
        const float *w0 = w + (size_t)i * (size_t)n, *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        __m512 a = _mm512_setzero_ps(), b = a, c = a, d = a;
        for (int j = 0; j < n; j += 16) {
            __m512 xv = _mm512_loadu_ps(x + j);
            MAC(a, w0 + j, xv);
            MAC(b, w1 + j, xv);
            MAC(c, w2 + j, xv);
            MAC(d, w3 + j, xv);
        }
        xout[i] = reduce16(a);
        xout[i + 1] = reduce16(b);
        xout[i + 2] = reduce16(c);
        xout[i + 3] = reduce16(d);
    }
    for (; i < row_end; i++) {
        const float *w0 = w + (size_t)i * (size_t)n;
        __m512 a = _mm512_setzero_ps();
        for (int j = 0; j < n; j += 16) MAC(a, w0 + j, _mm512_loadu_ps(x + j));
        xout[i] = reduce16(a);
    }
}

AVX512 static void dots(float *out, const float *q, const float *k, size_t stride, int n,
                        int count) {
    for (int t = 0; t < count; t++) {
        const float *kt = k + (size_t)t * stride;
        __m512 a = _mm512_setzero_ps();
        for (int j = 0; j < n; j += 16) MAC(a, kt + j, _mm512_loadu_ps(q + j));
        out[t] = reduce16(a);
    }
}

AVX512 static void axpy(float *y, float a, const float *x, int n) {
    __m512 av = _mm512_set1_ps(a);
    int i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_add_ps(_mm512_loadu_ps(y + i),
                                              _mm512_mul_ps(av, _mm512_loadu_ps(x + i))));
    for (; i < n; i++) y[i] += a * x[i];
}

const MatmulKernel matmul_kernel_avx512 = {
    "avx512", LLAMA_CPU_AVX512 | LLAMA_CPU_AVX2, f32_rows, dots, axpy, matmul_avx2_q8_rows,
};

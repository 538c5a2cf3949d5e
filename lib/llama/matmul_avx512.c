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

/* One row at a time: the weights are read as one sequential stream, which
 * the hardware prefetchers follow far better than several rows at once
 * (measured: twice the bandwidth from DRAM). The first NK 16-float chunks
 * of x stay in registers for every row (up to 24 of the 32), so a cache
 * line of weights costs two instructions (a multiply with a memory operand
 * and an add): more lines in flight for the same out-of-order window,
 * about 15% more bandwidth from DRAM than loading x again for each row. */
#define ROWS_XREG(NK)                                                                        \
    AVX512 static void f32_rows_##NK(float *xout, const float *x, const float *w, int n,     \
                                     int row_begin, int row_end) {                           \
        __m512 xr[NK];                                                                       \
        _Pragma("GCC unroll 24") for (int k = 0; k < NK; k++) xr[k] = _mm512_loadu_ps(x + 16 * k); \
        for (int i = row_begin; i < row_end; i++) {                                          \
            const float *wi = w + (size_t)i * (size_t)n;                                     \
            __m512 a = _mm512_setzero_ps();                                                  \
            _Pragma("GCC unroll 24") for (int k = 0; k < NK; k++) MAC(a, wi + 16 * k, xr[k]); \
            for (int j = 16 * NK; j < n; j += 16) MAC(a, wi + j, _mm512_loadu_ps(x + j));    \
            xout[i] = reduce16(a);                                                           \
        }                                                                                    \
    }
ROWS_XREG(1) ROWS_XREG(2) ROWS_XREG(3) ROWS_XREG(4) ROWS_XREG(5) ROWS_XREG(6)
ROWS_XREG(7) ROWS_XREG(8) ROWS_XREG(9) ROWS_XREG(10) ROWS_XREG(11) ROWS_XREG(12)
ROWS_XREG(13) ROWS_XREG(14) ROWS_XREG(15) ROWS_XREG(16) ROWS_XREG(17) ROWS_XREG(18)
ROWS_XREG(19) ROWS_XREG(20) ROWS_XREG(21) ROWS_XREG(22) ROWS_XREG(23) ROWS_XREG(24)

typedef void (*rows_fn)(float *, const float *, const float *, int, int, int);
static const rows_fn rows_by_chunks[25] = {
    NULL, f32_rows_1, f32_rows_2, f32_rows_3, f32_rows_4, f32_rows_5, f32_rows_6,
    f32_rows_7, f32_rows_8, f32_rows_9, f32_rows_10, f32_rows_11, f32_rows_12,
    f32_rows_13, f32_rows_14, f32_rows_15, f32_rows_16, f32_rows_17, f32_rows_18,
    f32_rows_19, f32_rows_20, f32_rows_21, f32_rows_22, f32_rows_23, f32_rows_24,
};

static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                     int row_end) {
    int chunks = n / 16;
    rows_by_chunks[chunks < 24 ? chunks : 24](xout, x, w, n, row_begin, row_end);
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

AVX512 static void wsum(float *out, const float *a, const float *v, size_t stride, int n, int count) {
    for (int c = 0; c < n; c += 16) {
        __m512 a0 = _mm512_setzero_ps();
        for (int t = 0; t < count; t++) {
            __m512 at = _mm512_set1_ps(a[t]);
            const float *vt = v + (size_t)t * stride + c;
            a0 = _mm512_add_ps(a0, _mm512_mul_ps(at, _mm512_loadu_ps(vt)));
        }
        _mm512_storeu_ps(out + c, a0);
    }
}

const MatmulKernel matmul_kernel_avx512 = {
    "avx512", LLAMA_CPU_AVX512 | LLAMA_CPU_AVX2, f32_rows, dots, axpy, wsum, matmul_avx2_q8_rows,
};

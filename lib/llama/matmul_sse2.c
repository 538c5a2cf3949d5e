/* SSE2 kernels (the x86-64 baseline): the 16 lanes of dot16 in four
 * registers (lanes 0-3, 4-7, 8-11, 12-15); Q8_0 products through 16-bit
 * multiply-adds (SSE2 has no byte multiply), their 8 lanes in two
 * registers; F16 and BF16 rows widened in integer code. See matmul.h for
 * the orders. The block types' kernels are quant_sse2.c's; the SSE4.1
 * level's set is these kernels with quant_sse4.c's. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/llama/half4_sse2.h"

/* The tree over eight lanes lo (0-3) and hi (4-7): l[k] += l[k+4],
 * l[k] += l[k+2], then l[0] + l[1] (matmul.h's Q8_0 order, and the end of
 * dot16's). */
static inline float reduce8(__m128 lo, __m128 hi) {
    __m128 t4 = _mm_add_ps(lo, hi);
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

/* The tree of dot16 over lanes a0..a3: l[k] += l[k+8], then reduce8. */
static inline float reduce16(__m128 a0, __m128 a1, __m128 a2, __m128 a3) {
    return reduce8(_mm_add_ps(a0, a2), _mm_add_ps(a1, a3));
}

#define MAC(acc, w, x) acc = _mm_add_ps(acc, _mm_mul_ps(_mm_loadu_ps(w), x))

/* One row at a time, each read as one sequential stream, which the
 * hardware prefetchers follow far better than several rows at once
 * (measured: twice the bandwidth from DRAM); the rows in matmul.h's
 * two-stream order. */
static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                     int row_end) {
    MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n * sizeof *w) {
        const float *wi = w + (size_t)i * (size_t)n;
        __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < n; j += 16) {
            MAC(a0, wi + j, _mm_loadu_ps(x + j));
            MAC(a1, wi + j + 4, _mm_loadu_ps(x + j + 4));
            MAC(a2, wi + j + 8, _mm_loadu_ps(x + j + 8));
            MAC(a3, wi + j + 12, _mm_loadu_ps(x + j + 12));
        }
        xout[i] = reduce16(a0, a1, a2, a3);
    }
}

static void dots(float *out, const float *q, const float *k, size_t stride, int n, int count) {
    for (int t = 0; t < count; t++) {
        const float *kt = k + (size_t)t * stride;
        __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int j = 0; j < n; j += 16) {
            MAC(a0, kt + j, _mm_loadu_ps(q + j));
            MAC(a1, kt + j + 4, _mm_loadu_ps(q + j + 4));
            MAC(a2, kt + j + 8, _mm_loadu_ps(q + j + 8));
            MAC(a3, kt + j + 12, _mm_loadu_ps(q + j + 12));
        }
        out[t] = reduce16(a0, a1, a2, a3);
    }
}

static void axpy(float *y, float a, const float *x, int n) {
    __m128 av = _mm_set1_ps(a);
    int i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(y + i, _mm_add_ps(_mm_loadu_ps(y + i), _mm_mul_ps(av, _mm_loadu_ps(x + i))));
    for (; i < n; i++) y[i] += a * x[i];
}

/* ---------------------------------------------------------------- Q8_0 */

/* Sign-extends the low or high 8 bytes of v to 16 bits. */
static inline __m128i lo16(__m128i v) { return _mm_srai_epi16(_mm_unpacklo_epi8(v, v), 8); }
static inline __m128i hi16(__m128i v) { return _mm_srai_epi16(_mm_unpackhi_epi8(v, v), 8); }

/* Four int32 partial sums of 16 byte products. */
static inline __m128i mul16(__m128i x, __m128i w) {
    return _mm_add_epi32(_mm_madd_epi16(lo16(x), lo16(w)), _mm_madd_epi16(hi16(x), hi16(w)));
}

/* The four lanes of each of a, b, c, d added up: {sum a, sum b, sum c, sum d}. */
static inline __m128i hsum4(__m128i a, __m128i b, __m128i c, __m128i d) {
    __m128i ab = _mm_add_epi32(_mm_unpacklo_epi32(a, b), _mm_unpackhi_epi32(a, b));
    __m128i cd = _mm_add_epi32(_mm_unpacklo_epi32(c, d), _mm_unpackhi_epi32(c, d));
    return _mm_add_epi32(_mm_unpacklo_epi64(ab, cd), _mm_unpackhi_epi64(ab, cd));
}

/* Four int32 partial sums of segment [j0, j0 + g) of x and w. */
static inline __m128i seg16(const int8_t *xq, const int8_t *w, int j0, int g) {
    __m128i a = _mm_setzero_si128();
    for (int j = j0; j < j0 + g; j += 16)
        a = _mm_add_epi32(a, mul16(_mm_loadu_si128((const __m128i *)(xq + j)),
                                   _mm_loadu_si128((const __m128i *)(w + j))));
    return a;
}

/* One row at a time, eight segments at a time: their sums in two
 * vectors, scaled, added to the eight lanes; then the segments after the
 * last whole block one by one. */
static void q8_rows(float *xout, const QuantVec *xv, const int8_t *wq, const float *ws, int n,
                    int gs, int row_begin, int row_end) {
    const int8_t *xq = xv->q;
    const float *xs = xv->s;
    int g = xv->g;
    int shift = __builtin_ctz((unsigned)gs), segs = n / g;
    MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n) {
        size_t base = (size_t)i * (size_t)n;
        const int8_t *w0 = wq + base;
        __m128 lo = _mm_setzero_ps(), hi = lo;
        int sg = 0;
        for (; sg + 8 <= segs; sg += 8) {
            __m128i a[8];
            float wsc[8];
            for (int k = 0; k < 8; k++) {
                a[k] = seg16(xq, w0, (sg + k) * g, g);
                wsc[k] = ws[(base + (size_t)(sg + k) * (size_t)g) >> shift];
            }
            lo = _mm_add_ps(lo, _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(hsum4(a[0], a[1], a[2], a[3])),
                                                      _mm_loadu_ps(wsc)), _mm_loadu_ps(xs + sg)));
            hi = _mm_add_ps(hi, _mm_mul_ps(_mm_mul_ps(_mm_cvtepi32_ps(hsum4(a[4], a[5], a[6], a[7])),
                                                      _mm_loadu_ps(wsc + 4)), _mm_loadu_ps(xs + sg + 4)));
        }
        float sum = reduce8(lo, hi);
        for (; sg < segs; sg++) {      /* the segments after the last whole block */
            int j0 = sg * g;
            __m128i a = seg16(xq, w0, j0, g);
            a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0x4e));
            a = _mm_add_epi32(a, _mm_shuffle_epi32(a, 0xb1));
            sum += ((float)_mm_cvtsi128_si32(a) * ws[(base + (size_t)j0) >> shift]) * xs[sg];
        }
        xout[i] = sum;
    }
}

static void wsum(float *out, const float *a, const float *v, size_t stride, int n, int count) {
    for (int c = 0; c < n; c += 16) {
        __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
        for (int t = 0; t < count; t++) {
            __m128 at = _mm_set1_ps(a[t]);
            const float *vt = v + (size_t)t * stride + c;
            a0 = _mm_add_ps(a0, _mm_mul_ps(at, _mm_loadu_ps(vt)));
            a1 = _mm_add_ps(a1, _mm_mul_ps(at, _mm_loadu_ps(vt + 4)));
            a2 = _mm_add_ps(a2, _mm_mul_ps(at, _mm_loadu_ps(vt + 8)));
            a3 = _mm_add_ps(a3, _mm_mul_ps(at, _mm_loadu_ps(vt + 12)));
        }
        _mm_storeu_ps(out + c, a0);
        _mm_storeu_ps(out + c + 4, a1);
        _mm_storeu_ps(out + c + 8, a2);
        _mm_storeu_ps(out + c + 12, a3);
    }
}

/* ---------------------------------------------------------------- F16, BF16 */

/* dot16 of a row of binary16 (bf16: bfloat16) weights, widened, and x
 * (the activations, rounded as the type asks); n % 16 == 0. */
static inline __attribute__((always_inline)) float half_dot(const uint16_t *w, const float *x, int n, const int bf16) {
    __m128 a0 = _mm_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const __m128i z = _mm_setzero_si128();
    for (int j = 0; j < n; j += 16) {
        __m128i h0 = _mm_loadu_si128((const __m128i *)(const void *)(w + j));
        __m128i h1 = _mm_loadu_si128((const __m128i *)(const void *)(w + j + 8));
        __m128 w0, w1, w2, w3;
        if (bf16) {            /* the top halves of fp32 */
            w0 = _mm_castsi128_ps(_mm_unpacklo_epi16(z, h0));
            w1 = _mm_castsi128_ps(_mm_unpackhi_epi16(z, h0));
            w2 = _mm_castsi128_ps(_mm_unpacklo_epi16(z, h1));
            w3 = _mm_castsi128_ps(_mm_unpackhi_epi16(z, h1));
        } else {
            half8_sse2(h0, &w0, &w1);
            half8_sse2(h1, &w2, &w3);
        }
        a0 = _mm_add_ps(a0, _mm_mul_ps(w0, _mm_loadu_ps(x + j)));
        a1 = _mm_add_ps(a1, _mm_mul_ps(w1, _mm_loadu_ps(x + j + 4)));
        a2 = _mm_add_ps(a2, _mm_mul_ps(w2, _mm_loadu_ps(x + j + 8)));
        a3 = _mm_add_ps(a3, _mm_mul_ps(w3, _mm_loadu_ps(x + j + 12)));
    }
    return reduce16(a0, a1, a2, a3);
}

/* Rows [r0, r1) for m vectors, a chunk of about 64 KiB of weights at a
 * time (matmul_chunk_rows), each row one stream; rows of other lengths in
 * plain C. */
static inline __attribute__((always_inline)) void half_rows(const llama_tensor *w, const ActLayout *L,
                                                            const void *act, int m, float *y, size_t ldy, int r0,
                                                            int r1, const int bf16) {
    if (w->cols % 16) {
        matmul_plain[bf16 ? MATMUL_BF16 : MATMUL_F16](w, L, act, m, y, ldy, r0, r1);
        return;
    }
    int chunk = matmul_chunk_rows(m, r0, r1, w->row_bytes, 1);
    for (int i0 = r0; i0 < r1; i0 += chunk) {
        int i1 = r1 - i0 < chunk ? r1 : i0 + chunk;
        for (int t = 0; t < m; t++) {
            const float *x = (const float *)(const void *)((const unsigned char *)act + (size_t)t * L->bytes);
            MATMUL_STREAM_ROWS(i, i0, i1, w->row_bytes)
                y[(size_t)t * ldy + (size_t)i] =
                    half_dot((const uint16_t *)(const void *)((const unsigned char *)w->data +
                                                              (size_t)i * w->row_bytes),
                             x, w->cols, bf16);
        }
    }
}

void matmul_sse2_f16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                          int r0, int r1) {
    half_rows(w, L, act, m, y, ldy, r0, r1, 0);
}

void matmul_sse2_bf16_rows(const llama_tensor *w, const ActLayout *L, const void *act, int m, float *y, size_t ldy,
                           int r0, int r1) {
    half_rows(w, L, act, m, y, ldy, r0, r1, 1);
}

const MatmulKernel matmul_kernel_sse2 = {
    .name = "sse2", .set = "sse2", .needs = 0, .f32_rows = f32_rows, .dots = dots, .axpy = axpy, .wsum = wsum,
    .q8_rows = q8_rows, .tensor = matmul_sse2_tensor,
};

/* SSSE3 and SSE4.1: the same fp32 and llama2.c kernels, and the block
 * types' (quant_sse4.c). */
const MatmulKernel matmul_kernel_sse4 = {
    .name = "sse4", .set = "sse4", .needs = LLAMA_CPU_SSE41, .f32_rows = f32_rows, .dots = dots, .axpy = axpy,
    .wsum = wsum, .q8_rows = q8_rows, .tensor = matmul_sse4_tensor,
};

/* The same level where AVX's state is enabled: the block types' kernels
 * VEX-encoded (quant_sse4_avx.c). */
const MatmulKernel matmul_kernel_sse4_avx = {
    .name = "sse4", .set = "sse4-avx", .needs = LLAMA_CPU_SSE41 | LLAMA_CPU_AVX, .f32_rows = f32_rows, .dots = dots,
    .axpy = axpy, .wsum = wsum, .q8_rows = q8_rows, .tensor = matmul_sse4_avx_tensor,
};

/* AVX-512 kernels: the 16 lanes of dot16 in one register, multiplies and
 * adds kept apart (the same bits as SSE2 and AVX2). Q8_0 products use VNNI
 * byte dot products where the CPU has them (AVX-512 BW, VL, VNNI), else
 * the AVX2 kernel (every AVX-512 CPU has AVX2). See matmul.h. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/matmul.h"
#include "lib/llama/simd.h"
#include "lib/llama/lanes8_avx2.h"

#define AVX512 __attribute__((target("avx512f")))

void matmul_avx2_q8_rows(float *xout, const QuantVec *x, const int8_t *wq, const float *ws, int n,
                         int gs, int row_begin, int row_end);

/* l[k] += l[k+8] of the 16 lanes of a: the first step of dot16's tree. */
AVX512 static inline __m256 fold16(__m512 a) {
    return _mm256_add_ps(_mm512_castps512_ps256(a),
                         _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}

/* The tree of dot16 over the 16 lanes of a: fold16, then reduce8. */
AVX512 static inline float reduce16(__m512 a) { return reduce8(fold16(a)); }

#define MAC(acc, w, x) acc = _mm512_add_ps(acc, _mm512_mul_ps(_mm512_loadu_ps(w), x))

/* One row at a time: each row is read as one sequential stream, which the
 * hardware prefetchers follow far better than several rows at once
 * (measured: twice the bandwidth from DRAM); the rows in matmul.h's
 * two-stream order. The first NK 16-float chunks of x stay in registers
 * for every row (up to 24 of the 32), so a cache line of weights costs
 * two instructions (a multiply with a memory operand and an add): more
 * lines in flight for the same out-of-order window, about 15% more
 * bandwidth from DRAM than loading x again for each row. */
#define ROWS_XREG(NK)                                                                        \
    AVX512 static void f32_rows_##NK(float *xout, const float *x, const float *w, int n,     \
                                     int row_begin, int row_end) {                           \
        __m512 xr[NK];                                                                       \
        _Pragma("GCC unroll 24") for (int k = 0; k < NK; k++) xr[k] = _mm512_loadu_ps(x + 16 * k); \
        MATMUL_STREAM_ROWS(i, row_begin, row_end, (size_t)n * sizeof *w) {                  \
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

/* Rows w and the three `stride` floats apart after it into y[0], y[ys],
 * y[2 ys], y[3 ys], each its own dot16: x read once for four rows. */
AVX512 static void f32_rows4(float *y, size_t ys, const float *x, const float *w, size_t stride, int n) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const float *w1 = w + stride, *w2 = w1 + stride, *w3 = w2 + stride;
    for (int j = 0; j < n; j += 16) {
        __m512 xj = _mm512_loadu_ps(x + j);
        MAC(a0, w + j, xj);
        MAC(a1, w1 + j, xj);
        MAC(a2, w2 + j, xj);
        MAC(a3, w3 + j, xj);
    }
    y[0] = reduce16(a0);
    y[ys] = reduce16(a1);
    y[2 * ys] = reduce16(a2);
    y[3 * ys] = reduce16(a3);
}

/* Four rows at a time from the quarters where matmul_f32_quarter says. */
static void f32_rows(float *xout, const float *x, const float *w, int n, int row_begin,
                     int row_end) {
    int chunks = n / 16;
    int q = matmul_f32_quarter(row_end - row_begin, n);
    for (int i = row_begin; i < row_begin + q; i++)
        f32_rows4(xout + i, (size_t)q, x, w + (size_t)i * (size_t)n, (size_t)q * (size_t)n, n);
    rows_by_chunks[chunks < 24 ? chunks : 24](xout, x, w, n, row_begin + 4 * q, row_end);
}

/* Eight keys at a time, their trees side by side (reduce8x8). */
AVX512 static void dots(float *out, const float *q, const float *k, size_t stride, int n,
                        int count) {
    int t = 0;
    for (; t + 8 <= count; t += 8) {
        const float *kt = k + (size_t)t * stride;
        __m512 a[8];
#pragma GCC unroll 8
        for (int u = 0; u < 8; u++) a[u] = _mm512_setzero_ps();
        for (int j = 0; j < n; j += 16) {
            __m512 qj = _mm512_loadu_ps(q + j);
#pragma GCC unroll 8
            for (int u = 0; u < 8; u++) MAC(a[u], kt + (size_t)u * stride + j, qj);
        }
        __m256 s[8];
#pragma GCC unroll 8
        for (int u = 0; u < 8; u++) s[u] = fold16(a[u]);
        _mm256_storeu_ps(out + t, reduce8x8(s));
    }
    for (; t < count; t++) {
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

/* Columns [c, c + 16W) over every t: W independent sums (each still in
 * t's order), so that W additions are in flight instead of one. */
AVX512 static inline __attribute__((always_inline)) void wsum_cols(float *out, const float *a,
                                                                    const float *v, size_t stride,
                                                                    int count, int c, const int W) {
    __m512 acc[8];
#pragma GCC unroll 8
    for (int u = 0; u < W; u++) acc[u] = _mm512_setzero_ps();
    for (int t = 0; t < count; t++) {
        __m512 at = _mm512_set1_ps(a[t]);
        const float *vt = v + (size_t)t * stride + c;
#pragma GCC unroll 8
        for (int u = 0; u < W; u++) acc[u] = _mm512_add_ps(acc[u], _mm512_mul_ps(at, _mm512_loadu_ps(vt + 16 * u)));
    }
#pragma GCC unroll 8
    for (int u = 0; u < W; u++) _mm512_storeu_ps(out + c + 16 * u, acc[u]);
}

AVX512 static void wsum(float *out, const float *a, const float *v, size_t stride, int n, int count) {
    int c = 0;
    for (; c + 128 <= n; c += 128) wsum_cols(out, a, v, stride, count, c, 8);
    switch ((n - c) / 16) {    /* n is a multiple of 16 */
    case 7: wsum_cols(out, a, v, stride, count, c, 7); break;
    case 6: wsum_cols(out, a, v, stride, count, c, 6); break;
    case 5: wsum_cols(out, a, v, stride, count, c, 5); break;
    case 4: wsum_cols(out, a, v, stride, count, c, 4); break;
    case 3: wsum_cols(out, a, v, stride, count, c, 3); break;
    case 2: wsum_cols(out, a, v, stride, count, c, 2); break;
    case 1: wsum_cols(out, a, v, stride, count, c, 1); break;
    }
}

/* ---------------------------------------------------------------- Q8_0, VNNI */

#define VNNI __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/* VPDPBUSD multiplies unsigned bytes by signed ones, four products into
 * each int32 lane, exactly. The weights made unsigned, w + 128 (w XOR
 * 0x80), times x: sum (w + 128) x = sum w x + 128 sum x, the last term the
 * same for every row (QuantVec.bias, subtracted once per eight groups).
 * 64 bytes of weights, two groups of 32, cost a load, an XOR and one dot
 * product. */
VNNI static inline __m512i dot64(__m512i x, const int8_t *w) {
    __m512i wu = _mm512_xor_si512(_mm512_loadu_si512((const void *)w), _mm512_set1_epi8((char)0x80));
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), wu, x);
}

/* e0..e3 each hold two groups (lanes 0-7, 8-15): the eight group sums, in order. */
VNNI static inline __m256i hsum_groups(__m512i e0, __m512i e1, __m512i e2, __m512i e3) {
    __m512i f01 = _mm512_add_epi32(_mm512_shuffle_i32x4(e0, e1, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_i32x4(e0, e1, _MM_SHUFFLE(3, 1, 3, 1)));
    __m512i f23 = _mm512_add_epi32(_mm512_shuffle_i32x4(e2, e3, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm512_shuffle_i32x4(e2, e3, _MM_SHUFFLE(3, 1, 3, 1)));
    /* each 128-bit block: four lanes of one group; f01 groups 0-3, f23 groups 4-7 */
    __m512i t = _mm512_add_epi32(_mm512_unpacklo_epi32(f01, f23), _mm512_unpackhi_epi32(f01, f23));
    t = _mm512_add_epi32(t, _mm512_shuffle_epi32(t, _MM_PERM_BADC));
    /* block i: lane 0 = group i, lane 1 = group 4 + i */
    __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 0, 0, 0, 0, 0, 0, 0, 0);
    return _mm512_castsi512_si256(_mm512_permutexvar_epi32(idx, t));
}

#define LOAD64(p) _mm512_loadu_si512((const void *)(p))

/* Rows [begin, end) as matmul_read says: MATMUL_STREAM_ROWS's two
 * streams, or in order (far set) with each piece prefetched
 * MATMUL_PREFETCH_FAR ahead by prefetch_far (kbench, Zen 5, one core, 768
 * columns from DRAM: 27-29 GB/s -> 33-34). */
#define RUNQ8_ROWS(i, begin, end, row_bytes, far)                                                \
    for (int far = matmul_read_of(MATMUL_RUNQ8) == MATMUL_READ_AHEAD, n_ = 0,                 \
             count_ = (end) - (begin), h_ = far ? 0 : matmul_stream_half(count_, (row_bytes)), i = 0; \
         n_ < count_ && ((i = matmul_stream_row((begin), h_, n_)), 1); n_++)
#define prefetch_far(p, bytes) matmul_prefetch((p), (bytes), MATMUL_PREFETCH_FAR)

/* Weight scales 8 at a time for q8_rows_32: those of groups g .. g + 7 of a
 * row, one scale per 2^R consecutive groups of the matrix (R = 0: one
 * each; R = 1: rows of an odd number of groups of 32 under scales of 64, as
 * stories42M's w2). s0: the scale of the row's first group; odd: that
 * group's number in the matrix, modulo 2^R. */
VNNI static inline __attribute__((always_inline)) __m256 scales8(const float *s0, unsigned odd,
                                                                   int g, const int R) {
    if (R == 0) return _mm256_loadu_ps(s0 + g);
    unsigned o = odd + (unsigned)g;
    __m256i k = _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                 _mm256_set1_epi32((int)(o & ((1u << R) - 1))));
    return _mm256_i32gather_ps(s0 + (o >> R), _mm256_srli_epi32(k, R), 4);
}

/* Rows with g == 32 (stories15M's shape), one at a time, eight groups
 * (256 bytes) at a time into the eight lanes of matmul.h, then the groups
 * after the last whole block one by one. The first 256 values of x stay in
 * registers. R: the weight scales' sharing, as scales8's. */
VNNI static inline __attribute__((always_inline)) void q8_rows_32(
    float *xout, const QuantVec *xv, const int8_t *wq, const float *ws, int n, int row_begin,
    int row_end, const int R) {
    const int8_t *xq = xv->q;
    const float *xs = xv->s;
    const int32_t *bias = xv->bias;
    int groups = n / 32, full = groups / 8 * 8;
    __m512i x0 = LOAD64(xq), x1 = LOAD64(xq + 64), x2 = LOAD64(xq + 128), x3 = LOAD64(xq + 192);
    __m256i b0 = _mm256_loadu_si256((const __m256i *)bias);
    __m256 xs0 = _mm256_loadu_ps(xs);
    RUNQ8_ROWS(i, row_begin, row_end, (size_t)n, far) {
        const int8_t *w0 = wq + (size_t)i * (size_t)n;
        if (far) prefetch_far(w0, 256);
        size_t first = (size_t)i * (size_t)groups;               /* the row's first group */
        const float *s0 = ws + (first >> R);
        unsigned odd = (unsigned)(first & ((1u << R) - 1));
        __m256i isum = _mm256_sub_epi32(hsum_groups(dot64(x0, w0), dot64(x1, w0 + 64),
                                                    dot64(x2, w0 + 128), dot64(x3, w0 + 192)), b0);
        __m256 acc = _mm256_add_ps(_mm256_setzero_ps(),       /* lanes start at +0 */
                                   _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum),
                                                               scales8(s0, odd, 0, R)), xs0));
        int g = 8;
        for (; g < full; g += 8) {
            const int8_t *w = w0 + g * 32, *x = xq + g * 32;
            if (far) prefetch_far(w, 256);
            isum = _mm256_sub_epi32(
                hsum_groups(dot64(LOAD64(x), w), dot64(LOAD64(x + 64), w + 64),
                            dot64(LOAD64(x + 128), w + 128), dot64(LOAD64(x + 192), w + 192)),
                _mm256_loadu_si256((const __m256i *)(bias + g)));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum),
                                                                 scales8(s0, odd, g, R)),
                                                   _mm256_loadu_ps(xs + g)));
        }
        float sum = reduce8(acc);
        if (far && g < groups) prefetch_far(w0 + g * 32, (groups - g) * 32);
        for (; g < groups; g++) {                  /* the groups after the last whole block */
            __m256i x = _mm256_loadu_si256((const __m256i *)(xq + g * 32));
            __m256i w = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(w0 + g * 32)),
                                         _mm256_set1_epi8((char)0x80));
            __m256i e = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, x);
            __m128i h = _mm_add_epi32(_mm256_castsi256_si128(e), _mm256_extracti128_si256(e, 1));
            h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0x4e));
            h = _mm_add_epi32(h, _mm_shuffle_epi32(h, 0xb1));
            sum += ((float)(_mm_cvtsi128_si32(h) - bias[g]) * s0[(odd + (unsigned)g) >> R]) * xs[g];
        }
        xout[i] = sum;
    }
}

/* The sums of eight segments of 64 bytes from their sixteen halves: a and
 * b hold the halves of segments 0-3 and 4-7 (hsum_groups), in order. */
VNNI static inline __m256i join_halves(__m256i a, __m256i b) {
    /* hadd: a01 a23 b01 b23 | a45 a67 b45 b67; then its 64-bit pairs in order */
    return _mm256_permute4x64_epi64(_mm256_hadd_epi32(a, b), _MM_SHUFFLE(3, 1, 2, 0));
}

/* Rows with g == gs == 64 (the stories42M and stories110M shapes), as
 * q8_rows_32 but with segments of 64: each block of eight segments is read
 * as two of q8_rows_32's blocks, whose half sums are then joined. (Summing
 * each segment's sixteen lanes in one tree instead reads no faster from
 * cache and a quarter slower from DRAM: measured.) Not inlined: inlined
 * into q8_rows_vnni beside q8_rows_32, it made that one a tenth slower. */
VNNI __attribute__((noinline)) static void q8_rows_64(float *xout, const QuantVec *xv,
                                                      const int8_t *wq, const float *ws, int n,
                                                      int row_begin, int row_end) {
    const int8_t *xq = xv->q;
    const float *xs = xv->s;
    const int32_t *bias = xv->bias;
    int segs = n / 64, full = segs / 8 * 8;
    RUNQ8_ROWS(i, row_begin, row_end, (size_t)n, far) {
        const int8_t *w0 = wq + (size_t)i * (size_t)n;
        const float *s0 = ws + (size_t)i * (size_t)segs;
        __m256 acc = _mm256_setzero_ps();                     /* lanes start at +0 */
        int g = 0;
        for (; g < full; g += 8) {
            const int8_t *w = w0 + g * 64, *x = xq + g * 64;
            if (far) prefetch_far(w, 512);
            __m256i lo = hsum_groups(dot64(LOAD64(x), w), dot64(LOAD64(x + 64), w + 64),
                                     dot64(LOAD64(x + 128), w + 128), dot64(LOAD64(x + 192), w + 192));
            __m256i hi = hsum_groups(dot64(LOAD64(x + 256), w + 256), dot64(LOAD64(x + 320), w + 320),
                                     dot64(LOAD64(x + 384), w + 384), dot64(LOAD64(x + 448), w + 448));
            __m256i isum = _mm256_sub_epi32(join_halves(lo, hi),
                                            _mm256_loadu_si256((const __m256i *)(bias + g)));
            acc = _mm256_add_ps(acc, _mm256_mul_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(isum),
                                                                 _mm256_loadu_ps(s0 + g)),
                                                   _mm256_loadu_ps(xs + g)));
        }
        float sum = reduce8(acc);
        if (far && g < segs) prefetch_far(w0 + g * 64, (segs - g) * 64);
        for (; g < segs; g++) {                    /* the segments after the last whole block */
            int32_t isum = _mm512_reduce_add_epi32(dot64(LOAD64(xq + g * 64), w0 + g * 64));
            sum += ((float)(isum - bias[g]) * s0[g]) * xs[g];
        }
        xout[i] = sum;
    }
}

VNNI __attribute__((noinline)) static void q8_rows_32_own(float *xout, const QuantVec *xv,
                                                          const int8_t *wq, const float *ws,
                                                          int n, int row_begin, int row_end) {
    q8_rows_32(xout, xv, wq, ws, n, row_begin, row_end, 0);
}

/* Rows of an odd number of groups of 32 under scales of 64 (stories42M's
 * w2); not inlined, as q8_rows_64. */
VNNI __attribute__((noinline)) static void q8_rows_32_paired(float *xout, const QuantVec *xv,
                                                             const int8_t *wq, const float *ws,
                                                             int n, int row_begin, int row_end) {
    q8_rows_32(xout, xv, wq, ws, n, row_begin, row_end, 1);
}

VNNI static void q8_rows_vnni(float *xout, const QuantVec *xv, const int8_t *wq, const float *ws,
                              int n, int gs, int row_begin, int row_end) {
    if (xv->bias && xv->g == 32 && gs == 32 && n % 32 == 0 && n >= 256)
        q8_rows_32_own(xout, xv, wq, ws, n, row_begin, row_end);
    else if (xv->bias && xv->g == 32 && gs == 64 && n % 32 == 0 && n >= 256)
        q8_rows_32_paired(xout, xv, wq, ws, n, row_begin, row_end);
    else if (xv->bias && xv->g == 64 && gs == 64 && n % 64 == 0 && n >= 512)
        q8_rows_64(xout, xv, wq, ws, n, row_begin, row_end);
    else
        matmul_avx2_q8_rows(xout, xv, wq, ws, n, gs, row_begin, row_end);
}

extern const matmul_tensor_fn matmul_avx512vnni_tensor[MATMUL_KINDS], matmul_avx512vnni_ymm_tensor[MATMUL_KINDS],
    matmul_avx512_tensor[MATMUL_KINDS], matmul_avx512amx_tensor[MATMUL_KINDS];

/* VNNI's kernels, with the batched products of the blocks of 32 and of
 * Q4_K, Q5_K and Q6_K on AMX's tiles (batch_amx.c): one vector at a time,
 * the same code as VNNI's. */
const MatmulKernel matmul_kernel_avx512amx = {
    .name = "amx", .set = "amx", .needs = LLAMA_CPU_AVX512 | LLAMA_CPU_AVX512VNNI | LLAMA_CPU_AVX2 | LLAMA_CPU_AMX,
    .f32_rows = f32_rows, .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = q8_rows_vnni,
    .tensor = matmul_avx512amx_tensor,
};

const MatmulKernel matmul_kernel_avx512vnni = {
    .name = "avx512", .set = "avx512-vnni", .needs = LLAMA_CPU_AVX512 | LLAMA_CPU_AVX512VNNI | LLAMA_CPU_AVX2,
    .f32_rows = f32_rows, .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = q8_rows_vnni,
    .tensor = matmul_avx512vnni_tensor,
};

/* VNNI's with Q4_K and Q5_K by 256-bit kernels (quant_avx512.c says
 * where that pays): never selected, timed beside VNNI's by the tuner. */
const MatmulKernel matmul_kernel_avx512vnni_ymm = {
    .name = "avx512", .set = "avx512-vnni-ymm", .needs = LLAMA_CPU_AVX512 | LLAMA_CPU_AVX512VNNI | LLAMA_CPU_AVX2,
    .f32_rows = f32_rows, .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = q8_rows_vnni,
    .tensor = matmul_avx512vnni_ymm_tensor, .variant_of = &matmul_kernel_avx512vnni,
};

const MatmulKernel matmul_kernel_avx512 = {
    .name = "avx512", .set = "avx512", .needs = LLAMA_CPU_AVX512 | LLAMA_CPU_AVX2, .f32_rows = f32_rows,
    .dots = dots, .axpy = axpy, .wsum = wsum, .q8_rows = matmul_avx2_q8_rows,
    .tensor = matmul_avx512_tensor,
};

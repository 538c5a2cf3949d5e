/* Matrix-vector products and attention's dot products: the bulk of the work.
 *
 * One summation order, whatever the SIMD width, the core or the number of
 * cores, so that every build and every --simd level gives the same bits.
 *
 * fp32 ("dot16"): a dot product of two n-vectors keeps 16 partial sums
 * starting at +0; lane k adds a[j] * b[j] (multiplied and rounded, then
 * added: never fused) for j = k, k+16, k+32, ... in that order. Then the
 * lanes are added as a tree: l[k] += l[k+8] for k < 8, l[k] += l[k+4] for
 * k < 4, l[k] += l[k+2] for k < 2, and the result is l[0] + l[1]. SSE2 keeps
 * the 16 lanes in four registers, AVX2 in two, AVX-512 in one; plain C (for
 * sizes no kernel takes) in an array. This is not run.c's order (one
 * running sum): logits differ from run.c's in the last bits, and the
 * reference stories stay the same (tests/host/reference.sh checks them).
 * Each output row of a product is one dot16, so rows can be split across
 * cores any way at all.
 *
 * Q8_0 (int8 weights, runq.c's scheme): a matrix holds int8 values and one
 * fp32 scale per gs consecutive values (row-major, so a group may straddle
 * two rows when n % gs != 0). The input vector is quantized in groups of
 * g = gcd(n, gs) values (g = gs for every matrix whose rows hold whole
 * groups, as in runq.c): scale = max|x| / 127, q = round(x / scale), halves
 * away from zero. Each segment j = 0, g, 2g, ... of row i gives, as in
 * runq.c, p = ((float)isum * wscale[(i*n + j) / gs]) * xscale[j / g], isum
 * the exact int32 sum of the segment's byte products. The row adds the p
 * of its whole blocks of 8 segments in 8 lanes, lane k taking segments k,
 * k+8, k+16, ... in order from +0, then l[k] += l[k+4] for k < 4,
 * l[k] += l[k+2] for k < 2, s = l[0] + l[1]; then the p of the segments
 * after the last whole block, one by one: s = s + p (runq.c adds all in one
 * running sum, which costs a third of the speed here). */
#ifndef LIB_LLAMA_MATMUL_H
#define LIB_LLAMA_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include "lib/llama/llama.h"

/* A weight matrix (d rows of n): fp32, or Q8_0 values with their scales. */
typedef struct {
    const float *f;       /* fp32 weights, or NULL when quantized */
    const int8_t *q;      /* int8 values */
    const float *s;       /* one scale per group of gs values */
    int gs;               /* group size of the scales */
} Matrix;

/* An input vector quantized for Q8_0 products: n int8 values and one
 * scale per g of them. */
typedef struct {
    int8_t *q;
    float *s;
    int n, g;
    int32_t *bias;        /* per group: 128 times the sum of its q (for unsigned-by-signed
                             byte products), or NULL */
} QuantVec;

/* The kernels of one SIMD level. Each takes only the shapes its comment
 * says; matmul.c sends every other shape to plain C code of the same order. */
typedef struct {
    const char *name;
    unsigned needs;            /* LLAMA_CPU_* features the kernels use */
    /* Rows [row_begin, row_end) of xout = W x, W row-major (d, n); n % 16 == 0. */
    void (*f32_rows)(float *xout, const float *x, const float *w, int n,
                     int row_begin, int row_end);
    /* out[t] = dot16(q, k + t * stride) for t < count; n % 16 == 0. */
    void (*dots)(float *out, const float *q, const float *k, size_t stride, int n, int count);
    /* y[i] = y[i] + a * x[i] (unfused), any n. */
    void (*axpy)(float *y, float a, const float *x, int n);
    /* out[i] = sum of a[t] * v[t * stride + i] over t = 0, 1, ..., count-1
     * in that order, from +0 (run.c's attention-weighted values: axpy for
     * each t, the sum kept in registers); n % 16 == 0. */
    void (*wsum)(float *out, const float *a, const float *v, size_t stride, int n, int count);
    /* Rows [row_begin, row_end) of a Q8_0 product, x quantized in segments
     * of g (g % 32 == 0), wq (d, n) with scales ws, one per gs values (gs a
     * power of two). */
    void (*q8_rows)(float *xout, const QuantVec *x, const int8_t *wq, const float *ws, int n,
                    int gs, int row_begin, int row_end);
} MatmulKernel;

/* The best kernel set whose needs are all in cpu_features. */
const MatmulKernel *matmul_select(unsigned cpu_features);

/* The kernel sets of each level, best first, for tests; NULL-terminated. */
extern const MatmulKernel *const matmul_levels[];

/* How the forward pass runs its loops: which kernels, which cores. */
typedef struct {
    const MatmulKernel *kernel;
    void (*parallel_for)(void *ctx, int n, llama_range_fn fn, void *arg);
    void *ctx;
} Compute;

void compute_init(Compute *c, const llama_platform *platform);

/* Loops with less work than this (multiply-adds) run on the calling core:
 * handing them out would cost more than it saves (stories260K's products,
 * attention over the first few dozen positions). */
#define COMPUTE_MIN_PARALLEL_WORK 32768

/* fn(arg, begin, end) over [0, n), on the platform's cores if it has any
 * and the loop's work (about `work` multiply-adds in all) is worth it. */
void compute_for(const Compute *c, int n, long work, llama_range_fn fn, void *arg);

/* dot16(a, b) of n elements (see above). */
float dot16(const MatmulKernel *k, const float *a, const float *b, int n);

/* Rows [row_begin, row_end) of xout = W x: W fp32 with x, or Q8_0 with
 * xq (quantized in groups of gcd(n, W->gs)). xout must not overlap the inputs. */
void matmul_rows(const MatmulKernel *k, float *xout, const float *x, const QuantVec *xq,
                 const Matrix *w, int n, int row_begin, int row_end);

/* All d rows, on the platform's cores. */
void matmul(const Compute *c, float *xout, const float *x, const QuantVec *xq,
            const Matrix *w, int n, int d);

/* out[i] = sum over t < count of a[t] * v[t * stride + i] (see wsum). */
void matmul_wsum(const MatmulKernel *k, float *out, const float *a, const float *v,
                 size_t stride, int n, int count);

/* out[t] = dot16(q, k + t * stride), t < count. */
void matmul_dots(const MatmulKernel *k, float *out, const float *q, const float *kbase,
                 size_t stride, int n, int count);

/* Quantizes x[0..v->n) into v in groups of v->g (runq.c's quantize),
 * and fills v->bias when it is there. */
void quantize(QuantVec *v, const float *x);

/* Greatest common divisor of two positive ints. */
int gcd_int(int a, int b);

#endif

/* Matrix-vector products, the bulk of the work (W (d,n) @ x (n) -> (d)).
 *
 * Kernels sit behind a small table so that wider SIMD variants can be added
 * and chosen at start-up. Every kernel must give each output row exactly
 * run.c's value: the sum of w[i][j] * x[j] in float, j = 0, 1, ..., n-1, in
 * that order (no FMA, no reassociation). Speed comes from working on
 * several rows at once, never from reordering one row's sum; rows may be
 * split across cores in any way. */
#ifndef LIB_LLAMA_MATMUL_H
#define LIB_LLAMA_MATMUL_H

#include "lib/llama/llama.h"

/* Rows [row_begin, row_end) of xout = W x, W row-major (d, n). */
typedef void (*matmul_rows_fn)(float *xout, const float *x, const float *w, int n,
                               int row_begin, int row_end);

typedef struct {
    const char *name;
    unsigned needs;            /* LLAMA_CPU_* features the kernel uses */
    matmul_rows_fn rows;
} MatmulKernel;

/* The best kernel whose needs are all in cpu_features. */
const MatmulKernel *matmul_select(unsigned cpu_features);

/* How the forward pass runs its loops: which kernel, which cores. */
typedef struct {
    const MatmulKernel *kernel;
    void (*parallel_for)(void *ctx, int n, llama_range_fn fn, void *arg);
    void *ctx;
} Compute;

void compute_init(Compute *c, const llama_platform *platform);

/* fn(arg, begin, end) over [0, n), on the platform's cores if it has any. */
void compute_for(const Compute *c, int n, llama_range_fn fn, void *arg);

/* xout (d) = W (d, n) @ x (n); xout must not overlap x or W. */
void matmul(const Compute *c, float *xout, const float *x, const float *w, int n, int d);

#endif

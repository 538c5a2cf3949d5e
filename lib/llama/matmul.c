/* The matmul kernels and their dispatch (see matmul.h). */
#include <stddef.h>
#include "lib/llama/matmul.h"

/* Plain C, SSE2-friendly: four rows at a time, each with its own
 * accumulator, so four independent sums are in flight while every row is
 * still added up in run.c's order. */
static void matmul_rows_scalar(float *xout, const float *x, const float *w, int n,
                               int row_begin, int row_end) {
    int i = row_begin;
    for (; i + 4 <= row_end; i += 4) {
        const float *w0 = w + (size_t)i * (size_t)n;
        const float *w1 = w0 + n, *w2 = w1 + n, *w3 = w2 + n;
        float v0 = 0.0f, v1 = 0.0f, v2 = 0.0f, v3 = 0.0f;
        for (int j = 0; j < n; j++) {
            float xj = x[j];
            v0 += w0[j] * xj;
            v1 += w1[j] * xj;
            v2 += w2[j] * xj;
            v3 += w3[j] * xj;
        }
        xout[i] = v0;
        xout[i + 1] = v1;
        xout[i + 2] = v2;
        xout[i + 3] = v3;
    }
    for (; i < row_end; i++) {
        const float *wi = w + (size_t)i * (size_t)n;
        float v = 0.0f;
        for (int j = 0; j < n; j++) v += wi[j] * x[j];
        xout[i] = v;
    }
}

/* Best first. */
static const MatmulKernel kernels[] = {
    { "scalar", 0, matmul_rows_scalar },
};

const MatmulKernel *matmul_select(unsigned cpu_features) {
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++)
        if ((kernels[i].needs & ~cpu_features) == 0) return &kernels[i];
    return &kernels[sizeof kernels / sizeof kernels[0] - 1];
}

void compute_init(Compute *c, const llama_platform *platform) {
    c->kernel = matmul_select(platform ? platform->cpu_features : 0);
    c->parallel_for = platform ? platform->parallel_for : NULL;
    c->ctx = platform ? platform->ctx : NULL;
}

void compute_for(const Compute *c, int n, llama_range_fn fn, void *arg) {
    if (n <= 0) return;
    if (c->parallel_for) c->parallel_for(c->ctx, n, fn, arg);
    else fn(arg, 0, n);
}

typedef struct {
    const MatmulKernel *kernel;
    float *xout;
    const float *x, *w;
    int n;
} MatmulJob;

static void matmul_range(void *arg, int begin, int end) {
    const MatmulJob *j = arg;
    j->kernel->rows(j->xout, j->x, j->w, j->n, begin, end);
}

void matmul(const Compute *c, float *xout, const float *x, const float *w, int n, int d) {
    MatmulJob job = { c->kernel, xout, x, w, n };
    compute_for(c, d, matmul_range, &job);
}

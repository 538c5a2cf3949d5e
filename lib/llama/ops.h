/* The small vector operations of the forward pass and the sampler, in
 * run.c's exact order of float operations (so sums round the same way). */
#ifndef LIB_LLAMA_OPS_H
#define LIB_LLAMA_OPS_H

#include <stddef.h>

/* o = weight * x / sqrt(mean(x^2) + 1e-5), for m rows of size floats, ld
 * floats apart (each row's bits as if it were alone); o may be x. */
void rmsnorm_rows(float *o, const float *x, const float *weight, int size, int m, size_t ld);

/* x = exp(x - max) / sum, in place. */
void softmax(float *x, int size);
/* x[i] /= d, then softmax (run.c's attention scores). */
void softmax_divided(float *x, int size, float d);

/* ggml's rms_norm then the weight: the sum of squares (float products)
 * in double, mean = (float)(sum / size), o = (x * (1 / sqrt(mean + eps)))
 * * weight; for m rows as rmsnorm_rows. */
void rmsnorm_ggml_rows(float *o, const float *x, const float *weight, int size, float eps, int m,
                       size_t ld);

/* ggml's soft_max with a scale: x * scale, exp(x - max) summed in double
 * (four lanes, see ops.c), then each times (float)(1 / sum); in place. */
void softmax_scaled_ggml(float *x, int size, float scale);

/* h = silu(h) * g: ggml's silu x / (1 + e^-x), or run.c's
 * x * (1 / (1 + e^-x)) when ggml is 0. */
void silu_mul(float *h, const float *g, int n, int ggml);

#endif

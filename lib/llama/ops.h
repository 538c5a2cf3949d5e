/* The small vector operations of the forward pass and the sampler, in
 * run.c's exact order of float operations (so sums round the same way). */
#ifndef LIB_LLAMA_OPS_H
#define LIB_LLAMA_OPS_H

/* o = weight * x / sqrt(mean(x^2) + 1e-5); o may be x. */
void rmsnorm(float *o, const float *x, const float *weight, int size);

/* x = exp(x - max) / sum, in place. */
void softmax(float *x, int size);

#endif

/* Float math for the engine: the few libm functions that the forward pass
 * and the sampler need, under our own names, so that the kernel and the
 * host compute with the very same code.
 *
 * Exactness: llama2.c's run.c calls glibc's expf/sinf/cosf/powf, and those
 * are NOT correctly rounded (glibc 2.36's expf alone differs from the
 * correctly rounded result on about 170,000 inputs). To print the same
 * stories, these functions reproduce glibc 2.36's results bit for bit: they
 * follow the same evaluation scheme with the same tables and polynomial
 * coefficients, operation for operation, including the fused multiply-adds
 * that glibc's x86-64 FMA variants use (glibc picks those on every CPU that
 * has FMA, which is where the reference outputs were made).
 *
 * Without an FMA unit the same formulas run unfused, and wherever that
 * could change the rounded result (about once in 2^18 calls) the fused
 * operations are emulated exactly in software: the results never depend on
 * the CPU. m_set_fma(1) switches to the hardware instruction for speed;
 * call it only when the CPU and OS support FMA/AVX (llama_cpu_detect()
 * tells). tests/host/test_mathf.c compares against the host's libm. */
#ifndef LIB_LLAMA_MATHF_H
#define LIB_LLAMA_MATHF_H

float m_expf(float x);
float m_sinf(float x);
float m_cosf(float x);
float m_powf(float x, float y);
float m_sqrtf(float x);          /* IEEE square root (exact by definition) */

/* 0 (default): software (unfused, exact emulation where it matters);
 * 1: the FMA instruction; 2: exact emulation everywhere (slow; tests). */
void m_set_fma(int mode);

/* y[i] = m_expf(x[i] * sign - sub) for i < n, the same bits; y may be x.
 * With m_set_vector(4) (and the FMA instruction chosen), four at a time
 * in AVX2: only where the CPU and OS support AVX2 and FMA; with 8, eight
 * at a time in AVX-512 (the rest four at a time): only where they
 * support AVX-512F too. 0: one at a time. */
void m_expf_array(float *y, const float *x, int n, float sign, float sub);
void m_set_vector(int width);

/* fma(a, b, c) = a*b + c rounded once, in software (exposed for tests). */
double m_fma_soft(double a, double b, double c);

#endif

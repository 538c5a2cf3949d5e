/* The compiler's SIMD intrinsics, for the per-level kernel files
 * (matmul_sse2.c, matmul_avx2.c, matmul_avx512.c). Each kernel function is
 * compiled for its level with __attribute__((target(...))), so the rest of
 * the engine stays baseline x86-64 and one binary runs on any CPU.
 *
 * <immintrin.h> pulls in <mm_malloc.h>, which needs a hosted <stdlib.h>;
 * the engine never uses _mm_malloc, so that header is skipped in every
 * build (the kernel has no stdlib.h of its own). */
#ifndef LIB_LLAMA_SIMD_H
#define LIB_LLAMA_SIMD_H

#define _MM_MALLOC_H_INCLUDED 1
#include <immintrin.h>
#include <stdint.h>

/* Four bytes from any address (a dword to broadcast). */
static inline uint32_t load32(const void *p) {
    uint32_t v;
    __builtin_memcpy(&v, p, 4);      /* inlined even in the freestanding build */
    return v;
}

/* The pointer p's value hidden from the compiler, so that what it points
 * to is loaded where it is used (from L1). Where four rows read together
 * share their activations, GCC otherwise loads each vector of x once for
 * the four, holds more than the registers can and spills them to the
 * stack. Used for the K-quants' x: kbench, Zen 4, one core from DRAM,
 * Q4_K and Q5_K 25.4 -> 26.3-27.1 GB/s (256-bit VNNI), 19.5 -> 24.3-25.3
 * (512-bit); Q2_K, Q3_K, Q6_K +1-2%. Not for the blocks of 32, whose x
 * the compiler keeps in registers: there it made Q4_0 20% slower. */
#define OPAQUE_PTR(p) __asm__("" : "+r"(p))

#endif

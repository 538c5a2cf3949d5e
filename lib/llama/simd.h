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

#endif

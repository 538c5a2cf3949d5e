/* half4: four binary16 values as fp32 in SSE2 integer code, for the SSE
 * kernels (matmul_sse2.c, quant_sse4.c): F16C needs AVX's state, which
 * those CPUs may lack. */
#ifndef LIB_LLAMA_HALF4_SSE2_H
#define LIB_LLAMA_HALF4_SSE2_H
#include "lib/llama/simd.h"

/* Four binary16 values (the low halves of the int32 lanes of h) as fp32,
 * exactly as f16_to_f32, by half8_avx2.h's method: normals by rebiasing
 * the exponent, subnormals as their integer times 2^-24, infinities and
 * NaNs (quieted) by their bits. SSE2 has no blend: AND, ANDNOT, OR. */
static inline __attribute__((always_inline)) __m128 half4(__m128i h) {
    __m128i em = _mm_and_si128(h, _mm_set1_epi32(0x7fff));
    __m128i sign = _mm_slli_epi32(_mm_and_si128(h, _mm_set1_epi32(0x8000)), 16);
    __m128i normal = _mm_add_epi32(_mm_slli_epi32(em, 13), _mm_set1_epi32(112 << 23));
    __m128i sub = _mm_castps_si128(_mm_mul_ps(_mm_cvtepi32_ps(em), _mm_set1_ps(0x1p-24f)));
    __m128i is_sub = _mm_cmpgt_epi32(_mm_set1_epi32(0x400), em);
    __m128i infnan = _mm_cmpgt_epi32(em, _mm_set1_epi32(0x7bff));
    __m128i nan = _mm_cmpgt_epi32(em, _mm_set1_epi32(0x7c00));
    __m128i special = _mm_or_si128(_mm_and_si128(infnan, _mm_set1_epi32(0x7f800000)),
                                   _mm_and_si128(nan, _mm_set1_epi32(0x400000)));
    __m128i v = _mm_or_si128(_mm_and_si128(is_sub, sub), _mm_andnot_si128(is_sub, normal));
    return _mm_castsi128_ps(_mm_or_si128(_mm_or_si128(v, special), sign));
}

/* The eight binary16 values of h as fp32: lanes 0-3 in *lo, 4-7 in *hi. */
static inline __attribute__((always_inline)) void half8_sse2(__m128i h, __m128 *lo, __m128 *hi) {
    *lo = half4(_mm_unpacklo_epi16(h, _mm_setzero_si128()));
    *hi = half4(_mm_unpackhi_epi16(h, _mm_setzero_si128()));
}

#endif

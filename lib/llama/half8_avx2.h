/* half8: eight binary16 values as fp32 in AVX2 integer code, for the AVX2
 * kernels (quant_avx2.c, batch_avx2.c), which may not assume F16C. */
#ifndef LIB_LLAMA_HALF8_AVX2_H
#define LIB_LLAMA_HALF8_AVX2_H
#include "lib/llama/simd.h"

/* Eight binary16 values (the low halves of the int32 lanes of h) as fp32,
 * exactly as f16_to_f32: normals by rebiasing the exponent, subnormals as
 * their integer times 2^-24 (no subnormal float is ever an operand: those
 * cost a microcode assist), infinities and NaNs (quieted) by their bits. */
__attribute__((target("avx2"), always_inline)) static inline __m256 half8(__m256i h) {
    __m256i em = _mm256_and_si256(h, _mm256_set1_epi32(0x7fff));
    __m256i sign = _mm256_slli_epi32(_mm256_and_si256(h, _mm256_set1_epi32(0x8000)), 16);
    __m256i normal = _mm256_add_epi32(_mm256_slli_epi32(em, 13), _mm256_set1_epi32(112 << 23));
    __m256 sub = _mm256_mul_ps(_mm256_cvtepi32_ps(em), _mm256_set1_ps(0x1p-24f));
    __m256i is_sub = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x400), em);
    __m256i infnan = _mm256_cmpgt_epi32(em, _mm256_set1_epi32(0x7bff));
    __m256i nan = _mm256_cmpgt_epi32(em, _mm256_set1_epi32(0x7c00));
    __m256i special = _mm256_or_si256(_mm256_and_si256(infnan, _mm256_set1_epi32(0x7f800000)),
                                      _mm256_and_si256(nan, _mm256_set1_epi32(0x400000)));
    __m256i v = _mm256_blendv_epi8(normal, _mm256_castps_si256(sub), is_sub);
    return _mm256_castsi256_ps(_mm256_or_si256(_mm256_or_si256(v, special), sign));
}

#endif

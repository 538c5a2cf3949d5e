/* The tree that ends every float dot product of matmul.h, over eight
 * lanes: l[k] += l[k+4], l[k] += l[k+2], then l[0] + l[1]; once, and for
 * eight vectors at once (the attention scores of eight keys), for the
 * AVX2 and AVX-512 kernels. */
#ifndef LIB_LLAMA_LANES8_AVX2_H
#define LIB_LLAMA_LANES8_AVX2_H
#include "lib/llama/simd.h"

__attribute__((target("avx2"), always_inline)) static inline float reduce8(__m256 acc) {
    __m128 t4 = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    __m128 t2 = _mm_add_ps(t4, _mm_movehl_ps(t4, t4));
    return _mm_cvtss_f32(_mm_add_ss(t2, _mm_shuffle_ps(t2, t2, 1)));
}

/* Lane u of the result = reduce8(s[u]): the same additions of the same
 * pairs, done across vectors after shuffles (a + b and b + a round alike). */
__attribute__((target("avx2"), always_inline)) static inline __m256 reduce8x8(const __m256 s[8]) {
    __m256 t4[4];                  /* t4[p]: keys 2p (low half), 2p+1 (high half) */
    for (int p = 0; p < 4; p++)
        t4[p] = _mm256_add_ps(_mm256_permute2f128_ps(s[2 * p], s[2 * p + 1], 0x20),
                              _mm256_permute2f128_ps(s[2 * p], s[2 * p + 1], 0x31));
    __m256 t2[2];                  /* t2[q]: keys 4q, 4q+2 | 4q+1, 4q+3, two lanes each */
    for (int q = 0; q < 2; q++)
        t2[q] = _mm256_add_ps(_mm256_shuffle_ps(t4[2 * q], t4[2 * q + 1], 0x44),
                              _mm256_shuffle_ps(t4[2 * q], t4[2 * q + 1], 0xee));
    __m256 t1 = _mm256_add_ps(_mm256_shuffle_ps(t2[0], t2[1], 0x88),    /* keys 0 2 4 6 | 1 3 5 7 */
                              _mm256_shuffle_ps(t2[0], t2[1], 0xdd));
    return _mm256_permutevar8x32_ps(t1, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

#endif

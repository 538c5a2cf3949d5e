/* AVX2's 256-bit vectors as pairs of SSE4.1 registers, so that the AVX2
 * kernels of quant_body.h compile for CPUs without AVX2 (quant_sse4.c):
 * Atom, Celeron and Pentium Silver, Sandy and Ivy Bridge, AMD before
 * Excavator. Every operation here is the AVX2 intrinsic's, lane for lane
 * (AVX2's integer operations work within each 128-bit half, and the few
 * that cross the halves are written out), so the kernels keep their bits.
 *
 * Include after simd.h with V2_TARGET defined (the function attribute of
 * the level, at least SSSE3 and SSE4.1); it renames __m256i, __m256 and
 * the _mm256_ intrinsics that quant_body.h uses for the rest of the
 * translation unit. Not a header to include anywhere else. */
#ifndef LIB_LLAMA_VEC256_SSE4_H
#define LIB_LLAMA_VEC256_SSE4_H
#include "lib/llama/simd.h"

typedef struct { __m128i lo, hi; } v2i;
typedef struct { __m128 lo, hi; } v2f;

#define V2 V2_TARGET static inline __attribute__((always_inline))
/* op on each half of a and b */
#define V2_EACH(op, a, b) ((v2i){ op((a).lo, (b).lo), op((a).hi, (b).hi) })
#define V2_EACHF(op, a, b) ((v2f){ op((a).lo, (b).lo), op((a).hi, (b).hi) })

/* ---------------------------------------------------------------- making and loading */

V2 v2i v2_loadu_si256(const void *p) {
    return (v2i){ _mm_loadu_si128((const __m128i *)p), _mm_loadu_si128((const __m128i *)p + 1) };
}
V2 v2i v2_setzero_si256(void) { return (v2i){ _mm_setzero_si128(), _mm_setzero_si128() }; }
V2 v2i v2_set1_epi8(char a) { return (v2i){ _mm_set1_epi8(a), _mm_set1_epi8(a) }; }
V2 v2i v2_set1_epi16(short a) { return (v2i){ _mm_set1_epi16(a), _mm_set1_epi16(a) }; }
V2 v2i v2_set1_epi32(int a) { return (v2i){ _mm_set1_epi32(a), _mm_set1_epi32(a) }; }
V2 v2i v2_set1_epi64x(long long a) { return (v2i){ _mm_set1_epi64x(a), _mm_set1_epi64x(a) }; }
V2 v2i v2_setr_epi32(int a0, int a1, int a2, int a3, int a4, int a5, int a6, int a7) {
    return (v2i){ _mm_setr_epi32(a0, a1, a2, a3), _mm_setr_epi32(a4, a5, a6, a7) };
}
V2 v2i v2_setr_epi16(short a0, short a1, short a2, short a3, short a4, short a5, short a6, short a7, short b0,
                     short b1, short b2, short b3, short b4, short b5, short b6, short b7) {
    return (v2i){ _mm_setr_epi16(a0, a1, a2, a3, a4, a5, a6, a7), _mm_setr_epi16(b0, b1, b2, b3, b4, b5, b6, b7) };
}
V2 v2i v2_setr_epi8(char a0, char a1, char a2, char a3, char a4, char a5, char a6, char a7, char a8, char a9,
                    char a10, char a11, char a12, char a13, char a14, char a15, char b0, char b1, char b2, char b3,
                    char b4, char b5, char b6, char b7, char b8, char b9, char b10, char b11, char b12, char b13,
                    char b14, char b15) {
    return (v2i){ _mm_setr_epi8(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15),
                  _mm_setr_epi8(b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12, b13, b14, b15) };
}
V2 v2i v2_broadcastsi128_si256(__m128i a) { return (v2i){ a, a }; }
V2 v2i v2_castsi128_si256(__m128i a) { return (v2i){ a, _mm_setzero_si128() }; }   /* high half: AVX leaves it undefined */
V2 __m128i v2_castsi256_si128(v2i a) { return a.lo; }
V2 __m128i v2_extracti128_si256(v2i a, const int k) { return k ? a.hi : a.lo; }
V2 v2i v2_inserti128_si256(v2i a, __m128i b, const int k) { return k ? (v2i){ a.lo, b } : (v2i){ b, a.hi }; }
V2 int v2_cvtsi256_si32(v2i a) { return _mm_cvtsi128_si32(a.lo); }

/* VPERM2I128: each half from either half of a or b (imm bits 0-1, 4-5), or zero (bits 3, 7). */
V2 __m128i v2_pick128(v2i a, v2i b, const int sel) {
    if (sel & 8) return _mm_setzero_si128();
    switch (sel & 3) {
    case 0: return a.lo;
    case 1: return a.hi;
    case 2: return b.lo;
    default: return b.hi;
    }
}
V2 v2i v2_permute2x128_si256(v2i a, v2i b, const int imm) {
    return (v2i){ v2_pick128(a, b, imm & 15), v2_pick128(a, b, imm >> 4 & 15) };
}

/* Whole and masked loads: a masked-off lane is not read (VMASKMOV's
 * rule, which a row's last blocks rely on at the end of an array). */
V2 v2i v2_maskload_epi32(const int *p, v2i mask) {
    int m[8], v[8];
    _mm_storeu_si128((__m128i *)(void *)m, mask.lo);
    _mm_storeu_si128((__m128i *)(void *)(m + 4), mask.hi);
    for (int k = 0; k < 8; k++) v[k] = m[k] < 0 ? p[k] : 0;
    return v2_loadu_si256(v);
}

/* ---------------------------------------------------------------- integer */

V2 v2i v2_and_si256(v2i a, v2i b) { return V2_EACH(_mm_and_si128, a, b); }
V2 v2i v2_or_si256(v2i a, v2i b) { return V2_EACH(_mm_or_si128, a, b); }
V2 v2i v2_xor_si256(v2i a, v2i b) { return V2_EACH(_mm_xor_si128, a, b); }
V2 v2i v2_andnot_si256(v2i a, v2i b) { return V2_EACH(_mm_andnot_si128, a, b); }
V2 v2i v2_add_epi8(v2i a, v2i b) { return V2_EACH(_mm_add_epi8, a, b); }
V2 v2i v2_add_epi16(v2i a, v2i b) { return V2_EACH(_mm_add_epi16, a, b); }
V2 v2i v2_add_epi32(v2i a, v2i b) { return V2_EACH(_mm_add_epi32, a, b); }
V2 v2i v2_sub_epi32(v2i a, v2i b) { return V2_EACH(_mm_sub_epi32, a, b); }
V2 v2i v2_mullo_epi32(v2i a, v2i b) { return V2_EACH(_mm_mullo_epi32, a, b); }
V2 v2i v2_cmpeq_epi8(v2i a, v2i b) { return V2_EACH(_mm_cmpeq_epi8, a, b); }
V2 v2i v2_cmpeq_epi32(v2i a, v2i b) { return V2_EACH(_mm_cmpeq_epi32, a, b); }
V2 v2i v2_cmpgt_epi32(v2i a, v2i b) { return V2_EACH(_mm_cmpgt_epi32, a, b); }
V2 v2i v2_shuffle_epi8(v2i a, v2i b) { return V2_EACH(_mm_shuffle_epi8, a, b); }
V2 v2i v2_maddubs_epi16(v2i a, v2i b) { return V2_EACH(_mm_maddubs_epi16, a, b); }
V2 v2i v2_madd_epi16(v2i a, v2i b) { return V2_EACH(_mm_madd_epi16, a, b); }
V2 v2i v2_sign_epi8(v2i a, v2i b) { return V2_EACH(_mm_sign_epi8, a, b); }
V2 v2i v2_hadd_epi32(v2i a, v2i b) { return V2_EACH(_mm_hadd_epi32, a, b); }
V2 v2i v2_packs_epi32(v2i a, v2i b) { return V2_EACH(_mm_packs_epi32, a, b); }
V2 v2i v2_unpacklo_epi32(v2i a, v2i b) { return V2_EACH(_mm_unpacklo_epi32, a, b); }
V2 v2i v2_unpacklo_epi64(v2i a, v2i b) { return V2_EACH(_mm_unpacklo_epi64, a, b); }
V2 v2i v2_unpackhi_epi8(v2i a, v2i b) { return V2_EACH(_mm_unpackhi_epi8, a, b); }
V2 v2i v2_abs_epi8(v2i a) { return (v2i){ _mm_abs_epi8(a.lo), _mm_abs_epi8(a.hi) }; }
V2 v2i v2_slli_epi16(v2i a, int n) { return (v2i){ _mm_slli_epi16(a.lo, n), _mm_slli_epi16(a.hi, n) }; }
V2 v2i v2_srli_epi16(v2i a, int n) { return (v2i){ _mm_srli_epi16(a.lo, n), _mm_srli_epi16(a.hi, n) }; }
V2 v2i v2_slli_epi32(v2i a, int n) { return (v2i){ _mm_slli_epi32(a.lo, n), _mm_slli_epi32(a.hi, n) }; }
V2 v2i v2_srai_epi32(v2i a, int n) { return (v2i){ _mm_srai_epi32(a.lo, n), _mm_srai_epi32(a.hi, n) }; }
V2 v2i v2_blendv_epi8(v2i a, v2i b, v2i m) {
    return (v2i){ _mm_blendv_epi8(a.lo, b.lo, m.lo), _mm_blendv_epi8(a.hi, b.hi, m.hi) };
}
/* VPBLENDD: int32 lane k from b where bit k of imm is set */
V2 v2i v2_blend_epi32(v2i a, v2i b, const int imm) {
    v2i m = v2_setr_epi32(-(imm & 1), -(imm >> 1 & 1), -(imm >> 2 & 1), -(imm >> 3 & 1), -(imm >> 4 & 1),
                          -(imm >> 5 & 1), -(imm >> 6 & 1), -(imm >> 7 & 1));
    return v2_blendv_epi8(a, b, m);
}

/* Widening from 128 bits: the low half from the low bytes, the high half from the next ones. */
V2 v2i v2_cvtepi8_epi16(__m128i a) { return (v2i){ _mm_cvtepi8_epi16(a), _mm_cvtepi8_epi16(_mm_srli_si128(a, 8)) }; }
V2 v2i v2_cvtepu8_epi16(__m128i a) { return (v2i){ _mm_cvtepu8_epi16(a), _mm_cvtepu8_epi16(_mm_srli_si128(a, 8)) }; }
V2 v2i v2_cvtepu8_epi32(__m128i a) { return (v2i){ _mm_cvtepu8_epi32(a), _mm_cvtepu8_epi32(_mm_srli_si128(a, 4)) }; }
V2 v2i v2_cvtepu16_epi32(__m128i a) {
    return (v2i){ _mm_cvtepu16_epi32(a), _mm_cvtepu16_epi32(_mm_srli_si128(a, 8)) };
}

/* quant_body.h's INTERLEAVE_HALVES32: int32 lanes 0 4 1 5 2 6 3 7 (AVX2's VPERMD with that pattern). */
V2 v2i v2_interleave_halves32(v2i a) { return (v2i){ _mm_unpacklo_epi32(a.lo, a.hi), _mm_unpackhi_epi32(a.lo, a.hi) }; }

/* ---------------------------------------------------------------- fp32 */

V2 v2f v2_loadu_ps(const float *p) { return (v2f){ _mm_loadu_ps(p), _mm_loadu_ps(p + 4) }; }
V2 v2f v2_setzero_ps(void) { return (v2f){ _mm_setzero_ps(), _mm_setzero_ps() }; }
V2 v2f v2_set1_ps(float a) { return (v2f){ _mm_set1_ps(a), _mm_set1_ps(a) }; }
V2 v2f v2_add_ps(v2f a, v2f b) { return V2_EACHF(_mm_add_ps, a, b); }
V2 v2f v2_sub_ps(v2f a, v2f b) { return V2_EACHF(_mm_sub_ps, a, b); }
V2 v2f v2_mul_ps(v2f a, v2f b) { return V2_EACHF(_mm_mul_ps, a, b); }
V2 v2f v2_cvtepi32_ps(v2i a) { return (v2f){ _mm_cvtepi32_ps(a.lo), _mm_cvtepi32_ps(a.hi) }; }
V2 v2f v2_castsi256_ps(v2i a) { return (v2f){ _mm_castsi128_ps(a.lo), _mm_castsi128_ps(a.hi) }; }
V2 v2f v2_blendv_ps(v2f a, v2f b, v2f m) {
    return (v2f){ _mm_blendv_ps(a.lo, b.lo, m.lo), _mm_blendv_ps(a.hi, b.hi, m.hi) };
}
V2 __m128 v2_castps256_ps128(v2f a) { return a.lo; }
V2 __m128 v2_extractf128_ps(v2f a, const int k) { return k ? a.hi : a.lo; }
V2 float v2_cvtss_f32(v2f a) { return _mm_cvtss_f32(a.lo); }
V2 v2f v2_maskload_ps(const float *p, v2i mask) {
    v2i v = v2_maskload_epi32((const int *)(const void *)p, mask);
    return v2_castsi256_ps(v);
}

/* ---------------------------------------------------------------- the names */

/* (each undefined first: the intrinsics with immediate operands are
 * macros in clang's headers, and in gcc's without optimization) */

#define __m256i v2i
#define __m256 v2f
#undef _mm256_loadu_si256
#define _mm256_loadu_si256 v2_loadu_si256
#undef _mm256_setzero_si256
#define _mm256_setzero_si256 v2_setzero_si256
#undef _mm256_set1_epi8
#define _mm256_set1_epi8 v2_set1_epi8
#undef _mm256_set1_epi16
#define _mm256_set1_epi16 v2_set1_epi16
#undef _mm256_set1_epi32
#define _mm256_set1_epi32 v2_set1_epi32
#undef _mm256_set1_epi64x
#define _mm256_set1_epi64x v2_set1_epi64x
#undef _mm256_setr_epi32
#define _mm256_setr_epi32 v2_setr_epi32
#undef _mm256_setr_epi16
#define _mm256_setr_epi16 v2_setr_epi16
#undef _mm256_setr_epi8
#define _mm256_setr_epi8 v2_setr_epi8
#undef _mm256_broadcastsi128_si256
#define _mm256_broadcastsi128_si256 v2_broadcastsi128_si256
#undef _mm256_castsi128_si256
#define _mm256_castsi128_si256 v2_castsi128_si256
#undef _mm256_castsi256_si128
#define _mm256_castsi256_si128 v2_castsi256_si128
#undef _mm256_extracti128_si256
#define _mm256_extracti128_si256 v2_extracti128_si256
#undef _mm256_inserti128_si256
#define _mm256_inserti128_si256 v2_inserti128_si256
#undef _mm256_cvtsi256_si32
#define _mm256_cvtsi256_si32 v2_cvtsi256_si32
#undef _mm256_permute2x128_si256
#define _mm256_permute2x128_si256 v2_permute2x128_si256
#undef _mm256_maskload_epi32
#define _mm256_maskload_epi32 v2_maskload_epi32
#undef _mm256_and_si256
#define _mm256_and_si256 v2_and_si256
#undef _mm256_or_si256
#define _mm256_or_si256 v2_or_si256
#undef _mm256_xor_si256
#define _mm256_xor_si256 v2_xor_si256
#undef _mm256_andnot_si256
#define _mm256_andnot_si256 v2_andnot_si256
#undef _mm256_add_epi8
#define _mm256_add_epi8 v2_add_epi8
#undef _mm256_add_epi16
#define _mm256_add_epi16 v2_add_epi16
#undef _mm256_add_epi32
#define _mm256_add_epi32 v2_add_epi32
#undef _mm256_sub_epi32
#define _mm256_sub_epi32 v2_sub_epi32
#undef _mm256_mullo_epi32
#define _mm256_mullo_epi32 v2_mullo_epi32
#undef _mm256_cmpeq_epi8
#define _mm256_cmpeq_epi8 v2_cmpeq_epi8
#undef _mm256_cmpeq_epi32
#define _mm256_cmpeq_epi32 v2_cmpeq_epi32
#undef _mm256_cmpgt_epi32
#define _mm256_cmpgt_epi32 v2_cmpgt_epi32
#undef _mm256_shuffle_epi8
#define _mm256_shuffle_epi8 v2_shuffle_epi8
#undef _mm256_maddubs_epi16
#define _mm256_maddubs_epi16 v2_maddubs_epi16
#undef _mm256_madd_epi16
#define _mm256_madd_epi16 v2_madd_epi16
#undef _mm256_sign_epi8
#define _mm256_sign_epi8 v2_sign_epi8
#undef _mm256_hadd_epi32
#define _mm256_hadd_epi32 v2_hadd_epi32
#undef _mm256_packs_epi32
#define _mm256_packs_epi32 v2_packs_epi32
#undef _mm256_unpacklo_epi32
#define _mm256_unpacklo_epi32 v2_unpacklo_epi32
#undef _mm256_unpacklo_epi64
#define _mm256_unpacklo_epi64 v2_unpacklo_epi64
#undef _mm256_unpackhi_epi8
#define _mm256_unpackhi_epi8 v2_unpackhi_epi8
#undef _mm256_abs_epi8
#define _mm256_abs_epi8 v2_abs_epi8
#undef _mm256_slli_epi16
#define _mm256_slli_epi16 v2_slli_epi16
#undef _mm256_srli_epi16
#define _mm256_srli_epi16 v2_srli_epi16
#undef _mm256_slli_epi32
#define _mm256_slli_epi32 v2_slli_epi32
#undef _mm256_srai_epi32
#define _mm256_srai_epi32 v2_srai_epi32
#undef _mm256_blendv_epi8
#define _mm256_blendv_epi8 v2_blendv_epi8
#undef _mm256_blend_epi32
#define _mm256_blend_epi32 v2_blend_epi32
#undef _mm256_cvtepi8_epi16
#define _mm256_cvtepi8_epi16 v2_cvtepi8_epi16
#undef _mm256_cvtepu8_epi16
#define _mm256_cvtepu8_epi16 v2_cvtepu8_epi16
#undef _mm256_cvtepu8_epi32
#define _mm256_cvtepu8_epi32 v2_cvtepu8_epi32
#undef _mm256_cvtepu16_epi32
#define _mm256_cvtepu16_epi32 v2_cvtepu16_epi32
#define INTERLEAVE_HALVES32 v2_interleave_halves32
#undef _mm256_loadu_ps
#define _mm256_loadu_ps v2_loadu_ps
#undef _mm256_setzero_ps
#define _mm256_setzero_ps v2_setzero_ps
#undef _mm256_set1_ps
#define _mm256_set1_ps v2_set1_ps
#undef _mm256_add_ps
#define _mm256_add_ps v2_add_ps
#undef _mm256_sub_ps
#define _mm256_sub_ps v2_sub_ps
#undef _mm256_mul_ps
#define _mm256_mul_ps v2_mul_ps
#undef _mm256_cvtepi32_ps
#define _mm256_cvtepi32_ps v2_cvtepi32_ps
#undef _mm256_castsi256_ps
#define _mm256_castsi256_ps v2_castsi256_ps
#undef _mm256_blendv_ps
#define _mm256_blendv_ps v2_blendv_ps
#undef _mm256_castps256_ps128
#define _mm256_castps256_ps128 v2_castps256_ps128
#undef _mm256_extractf128_ps
#define _mm256_extractf128_ps v2_extractf128_ps
#undef _mm256_cvtss_f32
#define _mm256_cvtss_f32 v2_cvtss_f32
#undef _mm256_maskload_ps
#define _mm256_maskload_ps v2_maskload_ps

#endif

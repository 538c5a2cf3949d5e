/* AVX2's 256-bit vectors as pairs of SSE registers, so that the AVX2
 * kernels of quant_body.h compile for CPUs without AVX2: with SSSE3 and
 * SSE4.1 (quant_sse4.c: Atom, Celeron and Pentium Silver, Sandy and Ivy
 * Bridge, AMD before Excavator) and with SSE2 alone (quant_sse2.c: every
 * x86-64, QEMU's default CPU model among them). Every operation here is
 * the AVX2 intrinsic's, lane for lane (AVX2's integer operations work
 * within each 128-bit half, and the few that cross the halves are written
 * out), so the kernels keep their bits.
 *
 * Include after simd.h with V2_TARGET defined (the function attribute of
 * the level) and V2_SSE4 defined for the SSSE3 and SSE4.1 build; without
 * it, those extensions' instructions are SSE2 sequences of the same
 * results (x_ below). It renames __m256i, __m256, the _mm256_ intrinsics
 * that quant_body.h uses and (SSE2) _mm_shuffle_epi8 for the rest of the
 * translation unit. Not a header to include anywhere else. */
#ifndef LIB_LLAMA_VEC256_SSE_H
#define LIB_LLAMA_VEC256_SSE_H
#include "lib/llama/simd.h"
#include "lib/llama/half4_sse2.h"

typedef struct { __m128i lo, hi; } v2i;
typedef struct { __m128 lo, hi; } v2f;

#define V2 V2_TARGET static inline __attribute__((always_inline))
/* op on each half of a and b */
#define V2_EACH(op, a, b) ((v2i){ op((a).lo, (b).lo), op((a).hi, (b).hi) })
#define V2_EACHF(op, a, b) ((v2f){ op((a).lo, (b).lo), op((a).hi, (b).hi) })

/* ---------------------------------------------------------------- SSSE3 and SSE4.1, or SSE2 */

#ifdef V2_SSE4
#define x_maddubs_epi16 _mm_maddubs_epi16
#define x_sign_epi8 _mm_sign_epi8
#define x_abs_epi8 _mm_abs_epi8
#define x_hadd_epi32 _mm_hadd_epi32
#define x_shuffle_epi8 _mm_shuffle_epi8
#define x_mullo_epi32 _mm_mullo_epi32
#define x_blendv_epi8 _mm_blendv_epi8
#define x_blendv_ps _mm_blendv_ps
#define x_cvtepi8_epi16 _mm_cvtepi8_epi16
#define x_cvtepu8_epi16 _mm_cvtepu8_epi16
#define x_cvtepu8_epi32 _mm_cvtepu8_epi32
#define x_cvtepu16_epi32 _mm_cvtepu16_epi32
#else
/* PMADDUBSW: unsigned bytes of a times signed bytes of b, each even and
 * odd pair added with signed saturation (every product fits int16) */
V2 __m128i x_maddubs_epi16(__m128i a, __m128i b) {
    __m128i ae = _mm_and_si128(a, _mm_set1_epi16(0xff)), ao = _mm_srli_epi16(a, 8);
    __m128i be = _mm_srai_epi16(_mm_slli_epi16(b, 8), 8), bo = _mm_srai_epi16(b, 8);
    return _mm_adds_epi16(_mm_mullo_epi16(ae, be), _mm_mullo_epi16(ao, bo));
}
/* PSIGNB: a where b > 0, -a where b < 0, 0 where b is 0 */
V2 __m128i x_sign_epi8(__m128i a, __m128i b) {
    __m128i neg = _mm_cmpgt_epi8(_mm_setzero_si128(), b);
    return _mm_andnot_si128(_mm_cmpeq_epi8(b, _mm_setzero_si128()), _mm_sub_epi8(_mm_xor_si128(a, neg), neg));
}
V2 __m128i x_abs_epi8(__m128i a) {
    __m128i neg = _mm_cmpgt_epi8(_mm_setzero_si128(), a);
    return _mm_sub_epi8(_mm_xor_si128(a, neg), neg);
}
/* PHADDD: a0 + a1, a2 + a3, b0 + b1, b2 + b3 */
V2 __m128i x_hadd_epi32(__m128i a, __m128i b) {
    __m128 fa = _mm_castsi128_ps(a), fb = _mm_castsi128_ps(b);
    return _mm_add_epi32(_mm_castps_si128(_mm_shuffle_ps(fa, fb, _MM_SHUFFLE(2, 0, 2, 0))),
                         _mm_castps_si128(_mm_shuffle_ps(fa, fb, _MM_SHUFFLE(3, 1, 3, 1))));
}
/* PSHUFB: byte k is a's byte idx[k] & 15, or 0 where idx[k] has bit 7
 * (through memory, and a call: inlined at every use, its 16 byte moves
 * took gcc a minute to compile) */
V2_TARGET static __attribute__((noinline)) __m128i x_shuffle_epi8(__m128i a, __m128i idx) {
    unsigned char s[16], i[16], o[16];
    _mm_storeu_si128((__m128i *)(void *)s, a);
    _mm_storeu_si128((__m128i *)(void *)i, idx);
    for (int k = 0; k < 16; k++) o[k] = i[k] & 0x80 ? 0 : s[i[k] & 15];
    return _mm_loadu_si128((const __m128i *)(const void *)o);
}
/* PMULLD: the low 32 bits of each product, by two PMULUDQ (the low bits
 * of a product do not depend on the signs) */
V2 __m128i x_mullo_epi32(__m128i a, __m128i b) {
    __m128i even = _mm_mul_epu32(a, b), odd = _mm_mul_epu32(_mm_srli_si128(a, 4), _mm_srli_si128(b, 4));
    return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                              _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
}
/* PBLENDVB, BLENDVPS: b where m's byte (lane) has its top bit set */
V2 __m128i x_blendv_epi8(__m128i a, __m128i b, __m128i m) {
    m = _mm_cmpgt_epi8(_mm_setzero_si128(), m);
    return _mm_or_si128(_mm_and_si128(m, b), _mm_andnot_si128(m, a));
}
V2 __m128 x_blendv_ps(__m128 a, __m128 b, __m128 m) {
    __m128 f = _mm_castsi128_ps(_mm_srai_epi32(_mm_castps_si128(m), 31));
    return _mm_or_ps(_mm_and_ps(f, b), _mm_andnot_ps(f, a));
}
/* PMOVSXBW, PMOVZXBW, PMOVZXBD, PMOVZXWD: the low bytes (words) widened */
V2 __m128i x_cvtepi8_epi16(__m128i a) { return _mm_srai_epi16(_mm_unpacklo_epi8(a, a), 8); }
V2 __m128i x_cvtepu8_epi16(__m128i a) { return _mm_unpacklo_epi8(a, _mm_setzero_si128()); }
V2 __m128i x_cvtepu8_epi32(__m128i a) { return _mm_unpacklo_epi16(x_cvtepu8_epi16(a), _mm_setzero_si128()); }
V2 __m128i x_cvtepu16_epi32(__m128i a) { return _mm_unpacklo_epi16(a, _mm_setzero_si128()); }
#endif

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
V2 v2i v2_mullo_epi32(v2i a, v2i b) { return V2_EACH(x_mullo_epi32, a, b); }
V2 v2i v2_cmpeq_epi8(v2i a, v2i b) { return V2_EACH(_mm_cmpeq_epi8, a, b); }
V2 v2i v2_cmpeq_epi32(v2i a, v2i b) { return V2_EACH(_mm_cmpeq_epi32, a, b); }
V2 v2i v2_cmpgt_epi32(v2i a, v2i b) { return V2_EACH(_mm_cmpgt_epi32, a, b); }
V2 v2i v2_shuffle_epi8(v2i a, v2i b) { return V2_EACH(x_shuffle_epi8, a, b); }
V2 v2i v2_maddubs_epi16(v2i a, v2i b) { return V2_EACH(x_maddubs_epi16, a, b); }
V2 v2i v2_madd_epi16(v2i a, v2i b) { return V2_EACH(_mm_madd_epi16, a, b); }
V2 v2i v2_sign_epi8(v2i a, v2i b) { return V2_EACH(x_sign_epi8, a, b); }
V2 v2i v2_hadd_epi32(v2i a, v2i b) { return V2_EACH(x_hadd_epi32, a, b); }
V2 v2i v2_packs_epi32(v2i a, v2i b) { return V2_EACH(_mm_packs_epi32, a, b); }
V2 v2i v2_unpacklo_epi32(v2i a, v2i b) { return V2_EACH(_mm_unpacklo_epi32, a, b); }
V2 v2i v2_unpacklo_epi64(v2i a, v2i b) { return V2_EACH(_mm_unpacklo_epi64, a, b); }
V2 v2i v2_unpackhi_epi8(v2i a, v2i b) { return V2_EACH(_mm_unpackhi_epi8, a, b); }
V2 v2i v2_abs_epi8(v2i a) { return (v2i){ x_abs_epi8(a.lo), x_abs_epi8(a.hi) }; }
V2 v2i v2_slli_epi16(v2i a, int n) { return (v2i){ _mm_slli_epi16(a.lo, n), _mm_slli_epi16(a.hi, n) }; }
V2 v2i v2_srli_epi16(v2i a, int n) { return (v2i){ _mm_srli_epi16(a.lo, n), _mm_srli_epi16(a.hi, n) }; }
V2 v2i v2_slli_epi32(v2i a, int n) { return (v2i){ _mm_slli_epi32(a.lo, n), _mm_slli_epi32(a.hi, n) }; }
V2 v2i v2_srai_epi32(v2i a, int n) { return (v2i){ _mm_srai_epi32(a.lo, n), _mm_srai_epi32(a.hi, n) }; }
V2 v2i v2_blendv_epi8(v2i a, v2i b, v2i m) {
    return (v2i){ x_blendv_epi8(a.lo, b.lo, m.lo), x_blendv_epi8(a.hi, b.hi, m.hi) };
}
/* VPBLENDD: int32 lane k from b where bit k of imm is set */
V2 v2i v2_blend_epi32(v2i a, v2i b, const int imm) {
    v2i m = v2_setr_epi32(-(imm & 1), -(imm >> 1 & 1), -(imm >> 2 & 1), -(imm >> 3 & 1), -(imm >> 4 & 1),
                          -(imm >> 5 & 1), -(imm >> 6 & 1), -(imm >> 7 & 1));
    return v2_blendv_epi8(a, b, m);
}

/* Widening from 128 bits: the low half from the low bytes, the high half from the next ones. */
V2 v2i v2_cvtepi8_epi16(__m128i a) { return (v2i){ x_cvtepi8_epi16(a), x_cvtepi8_epi16(_mm_srli_si128(a, 8)) }; }
V2 v2i v2_cvtepu8_epi16(__m128i a) { return (v2i){ x_cvtepu8_epi16(a), x_cvtepu8_epi16(_mm_srli_si128(a, 8)) }; }
V2 v2i v2_cvtepu8_epi32(__m128i a) { return (v2i){ x_cvtepu8_epi32(a), x_cvtepu8_epi32(_mm_srli_si128(a, 4)) }; }
V2 v2i v2_cvtepu16_epi32(__m128i a) {
    return (v2i){ x_cvtepu16_epi32(a), x_cvtepu16_epi32(_mm_srli_si128(a, 8)) };
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
    return (v2f){ x_blendv_ps(a.lo, b.lo, m.lo), x_blendv_ps(a.hi, b.hi, m.hi) };
}
V2 __m128 v2_castps256_ps128(v2f a) { return a.lo; }
V2 __m128 v2_extractf128_ps(v2f a, const int k) { return k ? a.hi : a.lo; }
V2 float v2_cvtss_f32(v2f a) { return _mm_cvtss_f32(a.lo); }
V2 v2f v2_maskload_ps(const float *p, v2i mask) {
    v2i v = v2_maskload_epi32((const int *)(const void *)p, mask);
    return v2_castsi256_ps(v);
}

/* Eight binary16 values as fp32 (the blocks' scales): F16C needs AVX's
 * state, which these CPUs may lack. */
V2 v2f v2_halves8(__m128i h) {
    v2f v;
    half8_sse2(h, &v.lo, &v.hi);
    return v;
}

/* ---------------------------------------------------------------- the names */

/* (each undefined first: the intrinsics with immediate operands are
 * macros in clang's headers, and in gcc's without optimization) */
#ifndef V2_SSE4
#undef _mm_shuffle_epi8
#define _mm_shuffle_epi8 x_shuffle_epi8
#endif

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

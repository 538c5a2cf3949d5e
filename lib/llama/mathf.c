/* Float math that reproduces glibc 2.36 bit for bit (see mathf.h).
 *
 * The evaluation schemes, tables and coefficients below are those of
 * glibc's expf, sinf/cosf and powf (which come from Arm's
 * optimized-routines); they are needed verbatim, since any other
 * approximation, even a more accurate one, rounds differently on some
 * inputs. The main paths live in mathf_body.h, written once in terms of
 * FMA() and instantiated three times (hardware, exact software, fast
 * unfused); this file holds the data, the special cases, the range
 * reductions, and the choice between the instances.
 *
 * Without an FMA unit: the fast instance computes the same formulas with
 * separate multiplies and adds. Its double result differs from glibc's
 * fused one by far less than 2^-42 relative (the reductions are made
 * exact without FMA, so only a few roundings inside the polynomials
 * differ), so wherever the result is not within 2^-42 of a halfway point
 * between two floats, both round to the same float (Ziv's rounding test).
 * Otherwise, about once in 2^18 calls, the exact instance recomputes it. */
#include <stddef.h>
#include <stdint.h>
#include "lib/llama/mathf.h"
#include "lib/llama/simd.h"

/* ---------------------------------------------------------------- bits */

static inline double as_double(uint64_t u) {
    union { uint64_t u; double d; } v = { .u = u };
    return v.d;
}

static inline uint64_t double_bits(double d) {
    union { double d; uint64_t u; } v = { .d = d };
    return v.u;
}

static inline float as_float(uint32_t u) {
    union { uint32_t u; float f; } v = { .u = u };
    return v.f;
}

static inline uint32_t float_bits(float f) {
    union { float f; uint32_t u; } v = { .f = f };
    return v.u;
}

#define F_INF as_float(0x7f800000u)

/* 1 if the float with bits iy is an odd integer, 2 if an even integer,
 * 0 if not an integer (iy nonzero, finite). */
static inline int integer_kind(uint32_t iy) {
    int e = (int)((iy >> 23) & 0xff);
    if (e < 0x7f) return 0;
    if (e > 0x7f + 23) return 2;
    uint32_t unit = 1u << (0x7f + 23 - e);
    if (iy & (unit - 1)) return 0;
    return (iy & unit) ? 1 : 2;
}

/* Bits of +-0, +-inf or NaN. */
static inline int zero_inf_nan(uint32_t ix) {
    return 2 * ix - 1 >= 2u * 0x7f800000u - 1;
}

static inline int is_signaling(float x) {
    uint32_t ix = float_bits(x);
    return 2 * (ix ^ 0x00400000u) > 2u * 0x7fc00000u;
}

/* ---------------------------------------------------------------- data */

/* exp2_table[i] = bits of 2^(i/32), minus i << 47 so that adding k << 47
 * for k = 32*e + i gives 2^e * 2^(i/32). */
static const uint64_t exp2_table[32] = {
    0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
    0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
    0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
    0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
    0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
    0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
    0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
    0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
};

/* 2^r ~ 1 + C2 r + C1 r^2 + C0 r^3 for |r| <= 1/64 (exp2 in powf) ... */
#define EXP_C0 0x1.c6af84b912394p-5
#define EXP_C1 0x1.ebfce50fac4f3p-3
#define EXP_C2 0x1.62e42ff0c52d6p-1
#define EXP2_SHIFT 0x1.8p+47            /* 1.5 * 2^52 / 32 */
/* ... and scaled by 1/32 per power for expf, whose r is in units of 1/32 */
#define EXP_INV_LN2_N 0x1.71547652b82fep+5   /* 32 / ln 2 */
/* the same split in 29 + 21 significant bits: x * each part is exact */
#define EXP_INV_LN2_N_HI 0x1.7154765p+5
#define EXP_INV_LN2_N_LO 0x1.5c17fp-26
#define EXP_SHIFT 0x1.8p+52
#define EXP_C0_N (EXP_C0 / 32 / 32 / 32)
#define EXP_C1_N (EXP_C1 / 32 / 32)
#define EXP_C2_N (EXP_C2 / 32)

/* sin and cos of |x| <= pi/4 (the second set has the cosine negated). */
struct sincos_coeffs { double c0, c1, c2, c3, c4, s1, s2, s3; };
static const struct sincos_coeffs sincos_coeffs[2] = {
    { 0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5,
      -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
      -0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13 },
    { -0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5,
      0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
      -0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13 },
};
static const double sincos_sign[4] = { 1.0, -1.0, -1.0, 1.0 };
#define SINCOS_HPI_INV_2_24 0x1.45f306dc9c883p+23   /* 2/pi * 2^24 */
#define SINCOS_HPI 0x1.921fb54442d18p0              /* pi/2 */
/* the same split in 26 + 24 significant bits: n * each part is exact */
#define SINCOS_HPI_HI 0x1.921fb5p0
#define SINCOS_HPI_LO 0x1.110b46p-26
#define SINCOS_PI63 0x1.921fb54442d18p-62           /* 2pi * 2^-64 */

/* 4/pi in 192 bits; entry j holds bits 8j-24 .. 8j+8 (8 new bits each). */
static const uint32_t inv_pio4[24] = {
    0xa2,       0xa2f9,     0xa2f983,   0xa2f9836e,
    0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
    0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
    0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
    0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
    0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
};

/* log2 x = k + log2 c + log1p(z/c - 1)/ln2, c near the centre of the
 * interval of z; the table holds 1/c and log2 c. */
static const struct { double invc, logc; } powf_log2_table[16] = {
    { 0x1.661ec79f8f3bep+0, -0x1.efec65b963019p-2 },
    { 0x1.571ed4aaf883dp+0, -0x1.b0b6832d4fca4p-2 },
    { 0x1.49539f0f010bp+0,  -0x1.7418b0a1fb77bp-2 },
    { 0x1.3c995b0b80385p+0, -0x1.39de91a6dcf7bp-2 },
    { 0x1.30d190c8864a5p+0, -0x1.01d9bf3f2b631p-2 },
    { 0x1.25e227b0b8eap+0,  -0x1.97c1d1b3b7afp-3 },
    { 0x1.1bb4a4a1a343fp+0, -0x1.2f9e393af3c9fp-3 },
    { 0x1.12358f08ae5bap+0, -0x1.960cbbf788d5cp-4 },
    { 0x1.0953f419900a7p+0, -0x1.a6f9db6475fcep-5 },
    { 0x1p+0, 0x0p+0 },
    { 0x1.e608cfd9a47acp-1, 0x1.338ca9f24f53dp-4 },
    { 0x1.ca4b31f026aap-1,  0x1.476a9543891bap-3 },
    { 0x1.b2036576afce6p-1, 0x1.e840b4ac4e4d2p-3 },
    { 0x1.9c2d163a1aa2dp-1, 0x1.40645f0c6651cp-2 },
    { 0x1.886e6037841edp-1, 0x1.88e9c2c1b9ff8p-2 },
    { 0x1.767dcf5534862p-1, 0x1.ce0a44eb17bccp-2 },
};
#define POWF_A0 0x1.27616c9496e0bp-2
#define POWF_A1 (-0x1.71969a075c67ap-2)
#define POWF_A2 0x1.ec70a6ca7baddp-2
#define POWF_A3 (-0x1.7154748bef6c8p-1)
#define POWF_A4 0x1.71547652ab82bp0

/* x mod pi/2 for |x| >= 120 (xi: the bits of x, sign ignored), by integer
 * multiplication with 4/pi: a 2.62 fixed-point result, the quadrant in the
 * top bits. Same for both instantiations (no FMA). */
static double reduce_large(uint32_t xi, int *np) {
    const uint32_t *arr = &inv_pio4[(xi >> 26) & 15];
    int shift = (int)((xi >> 23) & 7);
    xi = (xi & 0xffffff) | 0x800000;
    xi <<= shift;
    uint64_t res0 = (uint32_t)(xi * arr[0]);
    uint64_t res1 = (uint64_t)xi * arr[4];
    uint64_t res2 = (uint64_t)xi * arr[8];
    res0 = (res2 >> 32) | (res0 << 32);
    res0 += res1;
    uint64_t n = (res0 + (1ull << 61)) >> 62;
    res0 -= n << 62;
    *np = (int)n;
    return (double)(int64_t)res0 * SINCOS_PI63;
}

/* ---------------------------------------------------------------- soft fma */

static inline int clz128(unsigned __int128 v) {
    uint64_t hi = (uint64_t)(v >> 64), lo = (uint64_t)v;
    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(lo);
}

/* a*b + c with a single rounding to nearest even, by exact integer
 * arithmetic: the 106-bit product and c are aligned in 128 bits (values
 * shifted out below become a sticky bit), added, and rounded once. */
double m_fma_soft(double a, double b, double c) {
    uint64_t ua = double_bits(a), ub = double_bits(b), uc = double_bits(c);
    int ea = (int)((ua >> 52) & 0x7ff), eb = (int)((ub >> 52) & 0x7ff);
    int ec = (int)((uc >> 52) & 0x7ff);
    if (ea == 0x7ff || eb == 0x7ff || ec == 0x7ff) return a * b + c; /* inf, NaN */
    uint64_t ma = (ua & 0x000fffffffffffffull) | ((uint64_t)(ea != 0) << 52);
    uint64_t mb = (ub & 0x000fffffffffffffull) | ((uint64_t)(eb != 0) << 52);
    uint64_t mc = (uc & 0x000fffffffffffffull) | ((uint64_t)(ec != 0) << 52);
    if (ma == 0 || mb == 0) return a * b + c;   /* exact zero product */
    if (mc == 0) return a * b;                  /* one rounding already */

    int sp = (int)((ua ^ ub) >> 63), sc = (int)(uc >> 63);
    /* value = m * 2^e with integer m */
    int ep = (ea ? ea : 1) + (eb ? eb : 1) - 2 * 1075;
    int e2 = (ec ? ec : 1) - 1075;
    unsigned __int128 p = (unsigned __int128)ma * mb;
    unsigned __int128 q = mc;
    /* put both leading bits at bit 125 (2 bits of headroom for a carry) */
    int sh = clz128(p) - 2;
    p <<= sh; ep -= sh;
    sh = clz128(q) - 2;
    q <<= sh; e2 -= sh;

    /* make p the operand with the larger exponent */
    if (e2 > ep || (e2 == ep && q > p)) {
        unsigned __int128 t = p; p = q; q = t;
        int te = ep; ep = e2; e2 = te;
        int ts = sp; sp = sc; sc = ts;
    }
    int d = ep - e2;
    if (d > 0) {
        if (d >= 128) {
            q = 1;                              /* sticky only */
        } else {
            unsigned __int128 lost = q & (((unsigned __int128)1 << d) - 1);
            q = (q >> d) | (lost != 0);
        }
    }
    /* The unshifted operand has at least 20 zero low bits, so the result
     * with a sticky bit is odd and never sits exactly on a rounding tie. */
    unsigned __int128 s;
    if (sp == sc) {
        s = p + q;
    } else {
        s = p - q;                              /* p >= q by the swap */
        if (s == 0) return 0.0;                 /* exact cancellation: +0 */
    }
    int e = ep;                                 /* value = s * 2^e */
    int msb = 127 - clz128(s);
    /* keep 53 bits, or fewer where the result is subnormal */
    int drop = msb - 52;
    if (drop < -1074 - e) drop = -1074 - e;
    uint64_t m;
    if (drop <= 0) {
        m = (uint64_t)(s << -drop);
    } else {
        unsigned __int128 rem = s & (((unsigned __int128)1 << drop) - 1);
        unsigned __int128 half = (unsigned __int128)1 << (drop - 1);
        m = (uint64_t)(s >> drop);
        if (rem > half || (rem == half && (m & 1))) m++;
    }
    e += drop;
    if (m >> 53) { m >>= 1; e++; }              /* rounding carried out */
    uint64_t sign = (uint64_t)sp << 63;
    if (m == 0) return as_double(sign);
    if (m < (1ull << 52)) return as_double(sign | m);          /* subnormal */
    int biased = e + 1075;
    if (biased >= 0x7ff) return as_double(sign | 0x7ff0000000000000ull);
    return as_double(sign | ((uint64_t)biased << 52) | (m & 0x000fffffffffffffull));
}

/* ---------------------------------------------------------------- instances */

#define FAST_PATH 0
#define FMA(a, b, c) m_fma_soft((a), (b), (c))
#define NAME(f) f##_exact
#include "lib/llama/mathf_body.h"
#undef FMA
#undef NAME
#undef FAST_PATH

#define FAST_PATH 1
#define FMA(a, b, c) ((a) * (b) + (c))
#define NAME(f) f##_fast
#include "lib/llama/mathf_body.h"
#undef FMA
#undef NAME
#undef FAST_PATH

#pragma GCC push_options
#pragma GCC target("fma")
#define FAST_PATH 0
#define FMA(a, b, c) __builtin_fma((a), (b), (c))
#define NAME(f) f##_hw
#include "lib/llama/mathf_body.h"
#undef FMA
#undef NAME
#undef FAST_PATH
#pragma GCC pop_options

static int fma_mode;                /* see m_set_fma */
#define use_hw_fma (fma_mode == 1)
#define try_fast (fma_mode == 0)

void m_set_fma(int mode) { fma_mode = mode; }

/* Whether rounding y to float gives the same float for every value within
 * 2^-42 (relative) of y: y is a normal float's size and the 29 bits the
 * conversion drops are not within 2^10 units of one half. */
#define ROUND_TOLERANCE (1u << 10)
static int rounds_safely(double y) {
    uint64_t b = double_bits(y) & 0x7fffffffffffffffull;
    if (b < 0x3810000000000000ull) return 0;    /* below 2^-126: subnormal float */
    uint32_t low = (uint32_t)(b & 0x1fffffff);
    uint32_t dist = low >= 0x10000000u ? low - 0x10000000u : 0x10000000u - low;
    return dist > ROUND_TOLERANCE;
}

/* ---------------------------------------------------------------- expf */

float m_expf(float x) {
    uint32_t ix = float_bits(x);
    uint32_t abstop = (ix >> 20) & 0x7ff;
    if (abstop >= 0x42b) {                      /* |x| >= 88, inf or NaN */
        if (ix == 0xff800000u) return 0.0f;     /* e^-inf */
        if (abstop >= 0x7f8) return x + x;      /* +inf, NaN */
        if (x > 0x1.62e42ep6f) return F_INF;    /* beyond FLT_MAX */
        if (x < -0x1.9fe368p6f) return 0.0f;    /* below 2^-150 */
        if (x < -0x1.9d1d9ep6f) return 0x1p-149f; /* in (2^-150, 2^-149) */
    }
    int hard = 0;
    if (use_hw_fma) return (float)expf_main_hw(x, &hard);
    if (try_fast) {
        double y = expf_main_fast(x, &hard);
        if (!hard && rounds_safely(y)) return (float)y;
    }
    return (float)expf_main_exact(x, &hard);
}

/* expf_main_hw on four lanes: the same FMAs on the same doubles, so the
 * same bits. For x in [-0x1.9fe368p6, 0x1.62e42ep6], which holds every
 * lane that m_expf sends to its main path. */
#define AVX2_FMA __attribute__((target("avx2,fma")))
AVX2_FMA static inline __m128 expf_main4(__m128 v) {
    __m256d xd = _mm256_cvtps_pd(v);
    __m256d kd = _mm256_fmadd_pd(_mm256_set1_pd(EXP_INV_LN2_N), xd, _mm256_set1_pd(EXP_SHIFT));
    __m256i ki = _mm256_castpd_si256(kd);
    kd = _mm256_sub_pd(kd, _mm256_set1_pd(EXP_SHIFT));
    __m256d r = _mm256_fmsub_pd(_mm256_set1_pd(EXP_INV_LN2_N), xd, kd);
    /* four loads, not VPGATHERQQ: QEMU 7.2's TCG reads a VSIB index in
     * register 4 as "no index" (tests/boot/story_15m.sh caught it) */
    uint64_t k[4];
    _mm256_storeu_si256((__m256i *)(void *)k, ki);
    __m256i tab = _mm256_set_epi64x((long long)exp2_table[k[3] % 32], (long long)exp2_table[k[2] % 32],
                                    (long long)exp2_table[k[1] % 32], (long long)exp2_table[k[0] % 32]);
    __m256d sc = _mm256_castsi256_pd(_mm256_add_epi64(tab, _mm256_slli_epi64(ki, 47)));
    __m256d z2 = _mm256_fmadd_pd(_mm256_set1_pd(EXP_C0_N), r, _mm256_set1_pd(EXP_C1_N));
    __m256d r2 = _mm256_mul_pd(r, r);
    __m256d p = _mm256_fmadd_pd(_mm256_set1_pd(EXP_C2_N), r, _mm256_set1_pd(1.0));
    p = _mm256_fmadd_pd(z2, r2, p);
    return _mm256_cvtpd_ps(_mm256_mul_pd(p, sc));
}

/* m_expf's special cases on four lanes, the main path on the lanes
 * clamped into its range: no call to the SSE m_expf from here (each cost
 * 70-100 ns on the AMX Xeon, not 3: a random model whose activations pass
 * 88 ran its prompt at a quarter of the speed). */
AVX2_FMA static inline __m128 expf_special4(__m128 v) {
    const __m128 hi = _mm_set1_ps(0x1.62e42ep6f), lo = _mm_set1_ps(-0x1.9fe368p6f);
    __m128 r = expf_main4(_mm_min_ps(_mm_max_ps(v, lo), hi));
    r = _mm_blendv_ps(r, _mm_set1_ps(__builtin_inff()), _mm_cmpgt_ps(v, hi));   /* beyond FLT_MAX */
    r = _mm_blendv_ps(r, _mm_set1_ps(0x1p-149f), _mm_cmplt_ps(v, _mm_set1_ps(-0x1.9d1d9ep6f)));
    r = _mm_blendv_ps(r, _mm_setzero_ps(), _mm_cmplt_ps(v, lo));                 /* below 2^-150, -inf */
    return _mm_blendv_ps(r, _mm_add_ps(v, v), _mm_cmpunord_ps(v, v));            /* NaN */
}

/* expf_main4 and expf_special4 on eight lanes (AVX-512F): the same
 * operations on the same doubles, the table looked up by two VPERMT2Q of
 * its halves in registers instead of eight loads. */
#define AVX512 __attribute__((target("avx512f,avx2,fma")))
AVX512 static inline __m256 expf_main8(__m256 v, const __m512i tab[4]) {
    __m512d xd = _mm512_cvtps_pd(v);
    __m512d kd = _mm512_fmadd_pd(_mm512_set1_pd(EXP_INV_LN2_N), xd, _mm512_set1_pd(EXP_SHIFT));
    __m512i ki = _mm512_castpd_si512(kd);
    kd = _mm512_sub_pd(kd, _mm512_set1_pd(EXP_SHIFT));
    __m512d r = _mm512_fmsub_pd(_mm512_set1_pd(EXP_INV_LN2_N), xd, kd);
    /* exp2_table[k % 32]: entries 0-15 or 16-31 by bit 4 */
    __m512i t = _mm512_mask_blend_epi64(_mm512_test_epi64_mask(ki, _mm512_set1_epi64(16)),
                                        _mm512_permutex2var_epi64(tab[0], ki, tab[1]),
                                        _mm512_permutex2var_epi64(tab[2], ki, tab[3]));
    __m512d sc = _mm512_castsi512_pd(_mm512_add_epi64(t, _mm512_slli_epi64(ki, 47)));
    __m512d z2 = _mm512_fmadd_pd(_mm512_set1_pd(EXP_C0_N), r, _mm512_set1_pd(EXP_C1_N));
    __m512d r2 = _mm512_mul_pd(r, r);
    __m512d p = _mm512_fmadd_pd(_mm512_set1_pd(EXP_C2_N), r, _mm512_set1_pd(1.0));
    p = _mm512_fmadd_pd(z2, r2, p);
    return _mm512_cvtpd_ps(_mm512_mul_pd(p, sc));
}

AVX512 static inline __m256 expf_special8(__m256 v, const __m512i tab[4]) {
    const __m256 hi = _mm256_set1_ps(0x1.62e42ep6f), lo = _mm256_set1_ps(-0x1.9fe368p6f);
    __m256 r = expf_main8(_mm256_min_ps(_mm256_max_ps(v, lo), hi), tab);
    r = _mm256_blendv_ps(r, _mm256_set1_ps(__builtin_inff()), _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
    r = _mm256_blendv_ps(r, _mm256_set1_ps(0x1p-149f), _mm256_cmp_ps(v, _mm256_set1_ps(-0x1.9d1d9ep6f), _CMP_LT_OQ));
    r = _mm256_blendv_ps(r, _mm256_setzero_ps(), _mm256_cmp_ps(v, lo, _CMP_LT_OQ));
    return _mm256_blendv_ps(r, _mm256_add_ps(v, v), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
}

static int vector_width;

void m_set_vector(int width) { vector_width = width; }

AVX2_FMA static int expf_array_avx2(float *y, const float *x, int n, float sign, float sub) {
    const __m128 sg = _mm_set1_ps(sign), sb = _mm_set1_ps(sub);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128 v = _mm_sub_ps(_mm_mul_ps(_mm_loadu_ps(x + i), sg), sb);   /* x * sign exact: one rounding */
        __m128i top = _mm_and_si128(_mm_srli_epi32(_mm_castps_si128(v), 20), _mm_set1_epi32(0x7ff));
        int special = _mm_movemask_epi8(_mm_cmpgt_epi32(top, _mm_set1_epi32(0x42a)));   /* |x| >= 88 */
        _mm_storeu_ps(y + i, special ? expf_special4(v) : expf_main4(v));
    }
    return i;
}

AVX512 static int expf_array_avx512(float *y, const float *x, int n, float sign, float sub) {
    __m512i tab[4];
    for (int k = 0; k < 4; k++) tab[k] = _mm512_loadu_si512((const void *)(exp2_table + 8 * k));
    const __m256 sg = _mm256_set1_ps(sign), sb = _mm256_set1_ps(sub);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_sub_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), sg), sb);
        __m256i top = _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(v), 20), _mm256_set1_epi32(0x7ff));
        int special = _mm256_movemask_epi8(_mm256_cmpgt_epi32(top, _mm256_set1_epi32(0x42a)));   /* |x| >= 88 */
        _mm256_storeu_ps(y + i, special ? expf_special8(v, tab) : expf_main8(v, tab));
    }
    return i;
}

void m_expf_array(float *y, const float *x, int n, float sign, float sub) {
    int i = 0;
    if (use_hw_fma && vector_width == 8) i = expf_array_avx512(y, x, n, sign, sub);
    if (use_hw_fma && vector_width >= 4) i += expf_array_avx2(y + i, x + i, n - i, sign, sub);
    for (; i < n; i++) y[i] = m_expf(x[i] * sign - sub);
}

/* ---------------------------------------------------------------- sinf, cosf */

/* |x| < 120: x - n*pi/2 with n = the quadrant. glibc computes it with one
 * FMA; here n * (the two halves of pi/2) are exact products, x minus the
 * first is exact too, leaving the same single rounding. */
static double reduce_fast(double x, int *np) {
    double r = x * SINCOS_HPI_INV_2_24;
    int n = ((int32_t)r + 0x800000) >> 24;
    *np = n;
    double nd = (double)n;
    return (x - nd * SINCOS_HPI_HI) - nd * SINCOS_HPI_LO;
}

static float sincos_eval(double x, double x2, const struct sincos_coeffs *p, int n) {
    if (use_hw_fma) return (float)sincos_poly_hw(x, x2, p, n);
    if (try_fast) {
        double y = sincos_poly_fast(x, x2, p, n);
        if (rounds_safely(y)) return (float)y;
    }
    return (float)sincos_poly_exact(x, x2, p, n);
}

/* sinf (want_cos 0) or cosf (want_cos 1). */
static float sin_or_cos(float y, int want_cos) {
    uint32_t iy = float_bits(y);
    uint32_t abstop = (iy >> 20) & 0x7ff;
    double x = (double)y;
    int n;
    if (abstop < 0x3f4) {                       /* |y| < ~pi/4 */
        if (abstop < 0x398)                     /* |y| < 2^-12 */
            return want_cos ? 1.0f : y;
        return sincos_eval(x, x * x, &sincos_coeffs[0], want_cos);
    }
    if (abstop < 0x42f) {                       /* |y| < 120 */
        x = reduce_fast(x, &n);
        double s = sincos_sign[n & 3];
        return sincos_eval(x * s, x * x, &sincos_coeffs[(n & 2) ? 1 : 0], n ^ want_cos);
    }
    if (abstop < 0x7f8) {                       /* finite */
        int sign = (int)(iy >> 31);
        x = reduce_large(iy, &n);
        double s = sincos_sign[(n + sign) & 3];
        return sincos_eval(x * s, x * x, &sincos_coeffs[((n + sign) & 2) ? 1 : 0], n ^ want_cos);
    }
    return (y - y) / (y - y);                   /* inf, NaN -> NaN */
}

float m_sinf(float x) { return sin_or_cos(x, 0); }
float m_cosf(float x) { return sin_or_cos(x, 1); }

/* ---------------------------------------------------------------- powf */

/* The end of powf once ylogx = y * log2 x is known. */
static float pow_finish(double ylogx, uint32_t sign_bias,
                        double (*exp2_inline)(double, uint32_t)) {
    if (((double_bits(ylogx) >> 47) & 0xffff) >= (double_bits(126.0) >> 47)) {
        /* |y log2 x| >= 126 */
        float sgn = sign_bias ? -1.0f : 1.0f;
        if (ylogx > 0x1.fffffffd1d571p+6) return sgn * F_INF;
        if (ylogx <= -150.0) return sgn * 0.0f;
        if (ylogx < -149.0) return sgn * 0x1p-149f;
    }
    return (float)exp2_inline(ylogx, sign_bias);
}

float m_powf(float x, float y) {
    uint32_t sign_bias = 0;
    uint32_t ix = float_bits(x), iy = float_bits(y);
    if (ix - 0x00800000u >= 0x7f800000u - 0x00800000u || zero_inf_nan(iy)) {
        /* x < 2^-126, x negative, inf or NaN; or y zero, inf or NaN */
        if (zero_inf_nan(iy)) {
            if (2 * iy == 0) return is_signaling(x) ? x + y : 1.0f;
            if (ix == 0x3f800000u) return is_signaling(y) ? x + y : 1.0f;
            if (2 * ix > 2u * 0x7f800000u || 2 * iy > 2u * 0x7f800000u) return x + y;
            if (2 * ix == 2u * 0x3f800000u) return 1.0f;
            if ((2 * ix < 2u * 0x3f800000u) == !(iy & 0x80000000u)) return 0.0f;
            return y * y;                       /* +inf */
        }
        if (zero_inf_nan(ix)) {                 /* x is +-0 or +-inf */
            float x2 = x * x;
            int odd = (ix & 0x80000000u) && integer_kind(iy) == 1;
            if (odd) x2 = -x2;
            if (2 * ix == 0 && (iy & 0x80000000u)) return (odd ? -1.0f : 1.0f) / 0.0f;
            return (iy & 0x80000000u) ? 1.0f / x2 : x2;
        }
        if (ix & 0x80000000u) {                 /* finite x < 0 */
            int kind = integer_kind(iy);
            if (kind == 0) return (x - x) / (x - x);
            if (kind == 1) sign_bias = 1u << 16; /* becomes the sign bit */
            ix &= 0x7fffffffu;
        }
        if (ix < 0x00800000u) {                 /* subnormal: normalise */
            ix = float_bits(x * 0x1p23f) & 0x7fffffffu;
            ix -= 23u << 23;
        }
    }
    if (use_hw_fma) return pow_finish((double)y * log2_inline_hw(ix), sign_bias, exp2_inline_hw);
    if (try_fast) {
        double ylogx = (double)y * log2_inline_fast(ix);
        if (ylogx > -125.0 && ylogx < 125.0) {  /* no threshold nearby */
            double r = exp2_inline_fast(ylogx, sign_bias);
            if (rounds_safely(r)) return (float)r;
        }
    }
    return pow_finish((double)y * log2_inline_exact(ix), sign_bias, exp2_inline_exact);
}

/* ---------------------------------------------------------------- sqrt */

float m_sqrtf(float x) {
    /* The SSE instruction itself: __builtin_sqrtf keeps a call to libm's
     * sqrtf for negative inputs (errno), and the kernel has no libm. */
    float r;
    __asm__("sqrtss %1, %0" : "=x"(r) : "x"(x));
    return r;
}

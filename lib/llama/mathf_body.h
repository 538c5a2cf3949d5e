/* The main paths of expf, sinf/cosf and powf, written once in terms of
 * FMA(a, b, c). mathf.c includes this file three times:
 *   _hw     FMA is the instruction                 (glibc's FMA build, exactly)
 *   _exact  FMA is the exact software emulation    (the same results, slowly)
 *   _fast   FMA is an unfused multiply and add    (FAST_PATH set: close, and
 *           it flags the inputs where that could matter; see mathf.c)
 * Special inputs (NaN, inf, overflow, tiny) are handled in mathf.c before
 * these run. Each returns the double that glibc rounds to float.
 * Not a header to include anywhere else. */

/* ---------------------------------------------------------------- expf
 * e^x = 2^(k/32) * 2^(r/32) with x*32/ln2 = k + r, k integer, |r| <= 1/2;
 * 2^(k/32) from the table with its exponent patched, 2^(r/32) a cubic.
 * For x in (-103.97, 88.72]. */
static double NAME(expf_main)(float x, int *hard) {
    double xd = (double)x;
    double kd, r;
    uint64_t ki;
#if FAST_PATH
    /* k: round x*32/ln2 unfused; glibc rounds the exact product, which
     * differs only within 2^-41 of a half-integer. */
    double z = EXP_INV_LN2_N * xd;
    kd = z + EXP_SHIFT;
    ki = double_bits(kd);
    kd -= EXP_SHIFT;
    double frac = z - kd;
    if (frac > 0.5 - 0x1p-30 || frac < -0.5 + 0x1p-30) *hard = 1;
    /* r = RN(x*32/ln2 - k) exactly: both partial products are exact and
     * so is the first difference, leaving one rounding, as with an FMA. */
    r = (xd * EXP_INV_LN2_N_HI - kd) + xd * EXP_INV_LN2_N_LO;
#else
    (void)hard;
    kd = FMA(EXP_INV_LN2_N, xd, EXP_SHIFT);
    ki = double_bits(kd);
    kd -= EXP_SHIFT;
    r = FMA(EXP_INV_LN2_N, xd, -kd);
#endif
    double s = as_double(exp2_table[ki % 32] + (ki << 47));
    double z2 = FMA(EXP_C0_N, r, EXP_C1_N);
    double r2 = r * r;
    double y = FMA(EXP_C2_N, r, 1.0);
    y = FMA(z2, r2, y);
    return y * s;
}

/* ---------------------------------------------------------------- sinf, cosf
 * On the reduced argument x (x2 = x*x, quadrant n): the sine polynomial
 * for even n, the cosine one for odd n (the reduction is in mathf.c). */
static double NAME(sincos_poly)(double x, double x2, const struct sincos_coeffs *p, int n) {
    if ((n & 1) == 0) {
        double x3 = x * x2;
        double s1 = FMA(x2, p->s3, p->s2);
        double x7 = x3 * x2;
        double s = FMA(x3, p->s1, x);
        return FMA(s1, x7, s);
    } else {
        double x4 = x2 * x2;
        double c2 = FMA(x2, p->c4, p->c3);
        double c1 = FMA(x2, p->c1, p->c0);
        double x6 = x4 * x2;
        double c = FMA(x4, p->c2, c1);
        return FMA(c2, x6, c);
    }
}

/* ---------------------------------------------------------------- powf
 * x^y = 2^(y log2 x): log2 from a 16-entry table and a degree-5
 * polynomial, exp2 from expf's table and cubic. */

/* log2 of the float with bits ix (positive, normalised: a subnormal has
 * been scaled and its exponent field made negative). */
static double NAME(log2_inline)(uint32_t ix) {
    uint32_t tmp = ix - 0x3f330000u;            /* x = 2^k z, z in [0.7, 1.4) */
    int i = (int)((tmp >> 19) % 16);
    uint32_t top = tmp & 0xff800000u;
    uint32_t iz = ix - top;
    int k = (int32_t)top >> 23;
    double invc = powf_log2_table[i].invc;
    double logc = powf_log2_table[i].logc;
    double z = (double)as_float(iz);
    double r = FMA(z, invc, -1.0);
    double y0 = logc + (double)k;
    double r2 = r * r;
    double y = FMA(POWF_A0, r, POWF_A1);
    double p = FMA(POWF_A2, r, POWF_A3);
    double r4 = r2 * r2;
    double q = FMA(POWF_A4, r, y0);
    q = FMA(p, r2, q);
    return FMA(y, r4, q);
}

/* 2^xd for |xd| < 150; sign_bias (1 << 16) makes the result negative. */
static double NAME(exp2_inline)(double xd, uint32_t sign_bias) {
    double kd = xd + EXP2_SHIFT;                /* k/32 + shift: round */
    uint64_t ki = double_bits(kd);
    kd -= EXP2_SHIFT;
    double r = xd - kd;
    uint64_t t = exp2_table[ki % 32] + ((ki + sign_bias) << 47);
    double s = as_double(t);
    double z = FMA(EXP_C0, r, EXP_C1);
    double r2 = r * r;
    double y = FMA(EXP_C2, r, 1.0);
    y = FMA(z, r2, y);
    return y * s;
}

/* The float functions, written once in terms of FMA(a, b, c) = a*b + c with
 * one rounding. mathf.c includes this file twice: once with the software
 * FMA, once compiled for the FMA instruction. Not a header to include
 * anywhere else.
 *
 * Each function reproduces glibc 2.36's result for every input (see
 * mathf.h): same reduction, same table, same polynomial, and an FMA exactly
 * where glibc's FMA build has one. The data lives in mathf.c. */

/* ---------------------------------------------------------------- expf
 * e^x = 2^(k/32) * 2^(r/32), k integer, |r| <= 1/2, with x*32/ln2 = k + r;
 * 2^(k/32) comes from the table (its exponent bits patched with k/32),
 * 2^(r/32) from a cubic. */
static float NAME(expf)(float x) {
    uint32_t ix = float_bits(x);
    uint32_t abstop = (ix >> 20) & 0x7ff;
    if (abstop >= 0x42b) {                      /* |x| >= 88, inf or NaN */
        if (ix == 0xff800000u) return 0.0f;     /* e^-inf */
        if (abstop >= 0x7f8) return x + x;      /* +inf, NaN */
        if (x > 0x1.62e42ep6f) return F_INF;    /* beyond FLT_MAX */
        if (x < -0x1.9fe368p6f) return 0.0f;    /* below 2^-150 */
        if (x < -0x1.9d1d9ep6f) return 0x1p-149f; /* (2^-150, 2^-149) */
    }
    double xd = (double)x;
    double kd = FMA(EXP_INV_LN2_N, xd, EXP_SHIFT);   /* k + shift: round */
    uint64_t ki = double_bits(kd);
    kd -= EXP_SHIFT;
    double r = FMA(EXP_INV_LN2_N, xd, -kd);
    double s = as_double(exp2_table[ki % 32] + (ki << 47));
    double z = FMA(EXP_C0_N, r, EXP_C1_N);
    double r2 = r * r;
    double y = FMA(EXP_C2_N, r, 1.0);
    y = FMA(z, r2, y);
    return (float)(y * s);
}

/* ---------------------------------------------------------------- sinf, cosf
 * Reduce x by multiples of pi/2 (quadrant n), then evaluate the sine or
 * the cosine polynomial on the remainder; the quadrant picks which one and
 * the signs (the second coefficient set has the cosine negated). */
static float NAME(sincos_poly)(double x, double x2, const struct sincos_coeffs *p, int n) {
    if ((n & 1) == 0) {
        double x3 = x * x2;
        double s1 = FMA(x2, p->s3, p->s2);
        double x7 = x3 * x2;
        double s = FMA(x3, p->s1, x);
        return (float)FMA(s1, x7, s);
    } else {
        double x4 = x2 * x2;
        double c2 = FMA(x2, p->c4, p->c3);
        double c1 = FMA(x2, p->c1, p->c0);
        double x6 = x4 * x2;
        double c = FMA(x4, p->c2, c1);
        return (float)FMA(c2, x6, c);
    }
}

/* |x| < 120: one multiply-subtract of n*pi/2 is accurate enough. The
 * quadrant comes from a truncating conversion of x*2/pi scaled by 2^24. */
static double NAME(reduce_fast)(double x, int *np) {
    double r = x * SINCOS_HPI_INV_2_24;
    int n = ((int32_t)r + 0x800000) >> 24;
    *np = n;
    return FMA(-(double)n, SINCOS_HPI, x);
}

/* sin for both quadrant-0 entry points (sinf, and cosf via n ^ 1). */
static float NAME(sincosf)(float y, int want_cos) {
    uint32_t iy = float_bits(y);
    uint32_t abstop = (iy >> 20) & 0x7ff;
    double x = (double)y;
    int n;
    if (abstop < 0x3f4) {                       /* |y| < ~pi/4 */
        double x2 = x * x;
        if (abstop < 0x398) {                   /* |y| < 2^-12 */
            return want_cos ? 1.0f : y;
        }
        return NAME(sincos_poly)(x, x2, &sincos_coeffs[0], want_cos);
    }
    if (abstop < 0x42f) {                       /* |y| < 120 */
        x = NAME(reduce_fast)(x, &n);
        double s = sincos_sign[n & 3];
        const struct sincos_coeffs *p = &sincos_coeffs[(n & 2) ? 1 : 0];
        return NAME(sincos_poly)(x * s, x * x, p, n ^ want_cos);
    }
    if (abstop < 0x7f8) {                       /* finite */
        int sign = (int)(iy >> 31);
        x = reduce_large(iy, &n);
        double s = sincos_sign[(n + sign) & 3];
        const struct sincos_coeffs *p = &sincos_coeffs[((n + sign) & 2) ? 1 : 0];
        return NAME(sincos_poly)(x * s, x * x, p, n ^ want_cos);
    }
    return (y - y) / (y - y);                   /* inf, NaN -> NaN */
}

/* ---------------------------------------------------------------- powf
 * x^y = 2^(y log2 x): log2 from a 16-entry table and a degree-5
 * polynomial, then the exp2 of expf's table and cubic. */
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

static float NAME(powf)(float x, float y) {
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
    double logx = NAME(log2_inline)(ix);
    double ylogx = (double)y * logx;
    if (((double_bits(ylogx) >> 47) & 0xffff) >= (double_bits(126.0) >> 47)) {
        /* |y log2 x| >= 126 */
        float sgn = sign_bias ? -1.0f : 1.0f;
        if (ylogx > 0x1.fffffffd1d571p+6) return sgn * F_INF;
        if (ylogx <= -150.0) return sgn * 0.0f;
        if (ylogx < -149.0) return sgn * 0x1p-149f;
    }
    return (float)NAME(exp2_inline)(ylogx, sign_bias);
}

/* lib/llama/mathf against the host's libm (glibc), bit for bit.
 *
 * Every mode is checked: software (what runs on a CPU without FMA: the
 * unfused fast path with exact emulation where needed), exact emulation
 * alone, and, when this CPU has FMA, the instruction. By default the whole
 * float range is swept with a stride (a few seconds); set
 * LLAMA_MATHF_EXHAUSTIVE=1 to try every one of the 2^32 inputs (minutes).
 * The inputs the engine really produces for sin, cos and pow (RoPE angles
 * for every even head size up to 256 and 4096 positions) are all checked.
 * Each test prints its mismatch count on an "info:" line. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "lib/llama/llama.h"
#include "lib/llama/mathf.h"

static int have_fma, have_avx2_fma, have_avx512;

static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static uint64_t dbits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double from_dbits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }

/* Equal bits, or both NaN. */
static int same(float a, float b) {
    return to_bits(a) == to_bits(b) || (isnan(a) && isnan(b));
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next64(void) {             /* splitmix64 */
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t stride(uint64_t fast) {
    const char *e = getenv("LLAMA_MATHF_EXHAUSTIVE");
    return e && *e && *e != '0' ? 1 : CHECK_SCALE(fast, fast * 16 + 1);
}

/* Sweeps bit patterns with the given stride through fn (1 = libm), in one
 * mode; returns mismatches and prints the first few. */
typedef float (*unary)(float);
static const char *mode_name(int mode) { return mode == 1 ? "hw" : mode == 0 ? "soft" : "exact"; }

static long sweep(const char *name, unary mine, unary ref, uint64_t step, int hw) {
    m_set_fma(hw);
    long bad = 0, n = 0;
    for (uint64_t u = 0; u <= 0xffffffffull; u += step) {
        float x = from_bits((uint32_t)u);
        float a = mine(x), b = ref(x);
        n++;
        if (!same(a, b)) {
            if (bad < 3) printf("  info: %s(%a) = %a, libm %a (%s FMA)\n", name, x, a, b, mode_name(hw));
            bad++;
        }
    }
    printf("  info: %s %s FMA: %ld inputs, %ld mismatches\n", name, mode_name(hw), n, bad);
    m_set_fma(0);
    return bad;
}

static float libm_expf(float x) { return expf(x); }
static float libm_sinf(float x) { return sinf(x); }
static float libm_cosf(float x) { return cosf(x); }

/* ---------------------------------------------------------------- FMA */

/* Products and sums of every kind: random bits, cancellation (c near -ab),
 * exact halfway cases, subnormal results. Oracle: libm fma (exact). */
TEST(soft_fma_matches_fma) {
    long bad = 0, n = 0;
    for (int i = 0, n_ = CHECK_SCALE(3000000, 200000); i < n_; i++) {
        double a, b, c;
        uint64_t r = next64();
        switch (i % 6) {
        case 0:                                  /* any bits */
            a = from_dbits(next64()); b = from_dbits(next64()); c = from_dbits(next64());
            break;
        case 1:                                  /* moderate exponents */
            a = from_dbits((next64() & 0x800fffffffffffffull) | (uint64_t)(1023 + (int)(r % 40) - 20) << 52);
            b = from_dbits((next64() & 0x800fffffffffffffull) | (uint64_t)(1023 + (int)(r >> 8) % 40 - 20) << 52);
            c = from_dbits((next64() & 0x800fffffffffffffull) | (uint64_t)(1023 + (int)(r >> 16) % 80 - 40) << 52);
            break;
        case 2:                                  /* cancellation */
            a = from_dbits((next64() & 0x800fffffffffffffull) | 0x3ff0000000000000ull);
            b = from_dbits((next64() & 0x800fffffffffffffull) | 0x3fe0000000000000ull);
            c = -(a * b) + from_dbits(dbits(a * b) & 0x7ff0000000000000ull) * ldexp((double)(int64_t)(r % 64) - 32, -60);
            break;
        case 3: {                                /* halfway: product of two short mantissas */
            a = ldexp((double)((r & 0x3ffffff) | 0x2000000), -25);
            b = ldexp((double)(((r >> 26) & 0x3ffffff) | 0x2000001), -25);
            double p = a * b;
            c = ldexp(1.0, (int)(r >> 60) - 60) * ((r >> 59) & 1 ? 1 : -1) + (p - p);
            break;
        }
        case 4:                                  /* tiny: subnormal results */
            a = from_dbits((next64() & 0x800fffffffffffffull) | (uint64_t)(1 + r % 60) << 52);
            b = from_dbits((next64() & 0x800fffffffffffffull) | (uint64_t)(1023 - 500 - (int)(r >> 8) % 30) << 52);
            c = from_dbits(next64() & 0x801fffffffffffffull);
            break;
        default: {                               /* glibc's use: x*c + d near 1 */
            a = ldexp((double)(int64_t)(next64() >> 11), -53) - 0.5;
            b = from_dbits(0x3fc0000000000000ull | (next64() & 0xfffffffffffffull));
            c = 1.0 + ldexp((double)(int64_t)(r >> 40), -60);
            break;
        }
        }
        double want = fma(a, b, c), got = m_fma_soft(a, b, c);
        n++;
        if (dbits(want) != dbits(got) && !(isnan(want) && isnan(got))) {
            if (bad < 3) printf("  info: fma(%a, %a, %a) = %a, want %a\n", a, b, c, got, want);
            bad++;
        }
    }
    printf("  info: soft fma: %ld cases, %ld mismatches\n", n, bad);
    CHECK(bad == 0, "%ld of %ld soft FMA results differ from fma()", bad, n);
}

/* ---------------------------------------------------------------- sweeps */

TEST(expf_all_floats) {
    long bad = 0;
    if (have_fma) bad += sweep("expf", m_expf, libm_expf, stride(11), 1);
    bad += sweep("expf", m_expf, libm_expf, stride(13), 0);
    bad += sweep("expf", m_expf, libm_expf, stride(997), 2);
    CHECK(bad == 0, "%ld expf mismatches", bad);
}

TEST(sinf_cosf_all_floats) {
    long bad = 0;
    if (have_fma) {
        bad += sweep("sinf", m_sinf, libm_sinf, stride(41), 1);
        bad += sweep("cosf", m_cosf, libm_cosf, stride(43), 1);
    }
    bad += sweep("sinf", m_sinf, libm_sinf, stride(47), 0);
    bad += sweep("cosf", m_cosf, libm_cosf, stride(53), 0);
    bad += sweep("sinf", m_sinf, libm_sinf, stride(1999), 2);
    bad += sweep("cosf", m_cosf, libm_cosf, stride(2003), 2);
    CHECK(bad == 0, "%ld sinf/cosf mismatches", bad);
}

/* Near 0 and below 2^-12, around pi/4, 120 (the fast/slow reduction
 * boundary) and the over/underflow thresholds of expf, every float. */
TEST(boundaries_every_float) {
    static const float centers[] = { 0.0f, 0x1p-12f, 0.785398f, 120.0f, 88.72284f, -87.33655f,
                                     -103.27893f, -103.97208f, 1.0f, 1e-30f };
    long bad = 0;
    for (int mi = have_fma ? 0 : 1; mi < 3; mi++) {
        int hw = (int[]){1, 0, 2}[mi];
        m_set_fma(hw);
        for (size_t c = 0; c < sizeof centers / sizeof centers[0]; c++) {
            for (int sign = 0; sign < 2; sign++) {
                uint32_t base = to_bits(centers[c]) | (uint32_t)sign << 31;
                for (int64_t d = -CHECK_SCALE(20000, 1000); d <= CHECK_SCALE(20000, 1000); d++) {
                    float x = from_bits((uint32_t)((int64_t)base + d));
                    if (!same(m_expf(x), expf(x))) bad++;
                    if (!same(m_sinf(x), sinf(x))) bad++;
                    if (!same(m_cosf(x), cosf(x))) bad++;
                }
            }
        }
    }
    m_set_fma(0);
    printf("  info: boundaries: %ld mismatches\n", bad);
    CHECK(bad == 0, "%ld mismatches near the boundaries", bad);
}

/* What the forward pass computes: freq = 1 / powf(10000, head_dim /
 * head_size), then sinf/cosf(pos * freq). */
TEST(rope_arguments) {
    long bad = 0, n = 0;
    for (int mi = have_fma ? 0 : 1; mi < 3; mi++) {
        int hw = (int[]){1, 0, 2}[mi];
        m_set_fma(hw);
        for (int hs = 2; hs <= 256; hs += 2) {
            for (int hd = 0; hd < hs; hd += 2) {
                float e = hd / (float)hs;
                float mine = m_powf(10000.0f, e), ref = powf(10000.0f, e);
                n++;
                if (!same(mine, ref)) { bad++; continue; }
                float freq = 1.0f / ref;
                for (int pos = 0; pos < (hw == 2 ? 256 : CHECK_SCALE(4096, 256)); pos++) {
                    float val = pos * freq;
                    n += 2;
                    if (!same(m_sinf(val), sinf(val))) bad++;
                    if (!same(m_cosf(val), cosf(val))) bad++;
                }
            }
        }
    }
    m_set_fma(0);
    printf("  info: RoPE arguments: %ld values, %ld mismatches\n", n, bad);
    CHECK(bad == 0, "%ld of %ld RoPE values differ from libm", bad, n);
}

TEST(powf_values) {
    static const float special[] = { 0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 2.0f, -2.0f, 3.0f,
                                     -3.0f, 10000.0f, 1e-40f, -1e-40f, 1e30f, -1e30f, 0x1p-149f,
                                     INFINITY, -INFINITY, NAN, 0.25f, 1.5f, -1.5f, 127.0f, 150.0f };
    const size_t ns = sizeof special / sizeof special[0];
    long bad = 0, n = 0;
    for (int mi = have_fma ? 0 : 1; mi < 3; mi++) {
        int hw = (int[]){1, 0, 2}[mi];
        m_set_fma(hw);
        for (size_t i = 0; i < ns; i++)
            for (size_t j = 0; j < ns; j++) {
                float x = special[i], y = special[j];
                n++;
                if (!same(m_powf(x, y), powf(x, y))) {
                    if (bad < 3) printf("  info: powf(%a, %a) = %a, libm %a\n", x, y, m_powf(x, y), powf(x, y));
                    bad++;
                }
            }
        for (int i = 0; i < (hw == 2 ? 200000 : CHECK_SCALE(2000000, 200000)); i++) {
            uint64_t r = next64();
            /* x: any positive normal or subnormal, y: a moderate value */
            float x = from_bits((uint32_t)(r & 0x7fffffff));
            float y = from_bits((uint32_t)((r >> 32) & 0x80ffffff) | (uint32_t)(100 + (r >> 56) % 40) << 23);
            if (i % 4 == 0) y = (float)(int)((r >> 33) % 64) - 32.0f;   /* integers */
            if (i % 8 == 1) x = -x;
            n++;
            float a = m_powf(x, y), b = powf(x, y);
            if (!same(a, b)) {
                if (bad < 3) printf("  info: powf(%a, %a) = %a, libm %a\n", x, y, a, b);
                bad++;
            }
        }
    }
    m_set_fma(0);
    printf("  info: powf: %ld values, %ld mismatches\n", n, bad);
    CHECK(bad == 0, "%ld of %ld powf values differ from libm", bad, n);
}

TEST(sqrtf_exact) {
    long bad = 0;
    for (uint64_t u = 0; u <= 0xffffffffull; u += CHECK_SCALE(4099, 65537)) {
        float x = from_bits((uint32_t)u);
        if (!same(m_sqrtf(x), sqrtf(x))) bad++;
    }
    CHECK(bad == 0, "%ld sqrtf mismatches", bad);
}

/* m_expf_array against m_expf (itself checked against libm above), bit
 * for bit: every float pattern with a stride, as x * sign - sub, in place
 * and not, in every length's tail, one at a time, four-wide and
 * eight-wide (those the CPU can). */
TEST(expf_array_same_bits) {
    static float x[4099], y[4099], z[4099];
    static const float subs[] = { 0.0f, 0.5f, -3.25f, 87.5f };
    static const int widths[] = { 0, 4, 8 };
    long bad = 0, n = 0;
    for (int wi = 0; wi < 3; wi++) {
        int vec = widths[wi];
        if ((vec == 4 && !have_avx2_fma) || (vec == 8 && !have_avx512)) {
            printf("  info: no %s here: the %d-wide path is not tried\n", vec == 4 ? "AVX2 and FMA" : "AVX-512", vec);
            break;
        }
        m_set_fma(vec || have_fma ? 1 : 0);
        m_set_vector(vec);
        /* every pattern with a stride, then as many in the main range,
         * (-104, 88), where the arithmetic is (and the rounding is hard) */
        uint64_t u = 0, step = CHECK_SCALE(4099, 40961);
        for (int round = 0; u <= 0x1ffffffffull; round++) {
            int len = 4099 - round % 8;               /* every tail length */
            for (int i = 0; i < len; i++, u += step) {
                x[i] = from_bits((uint32_t)u);
                if (u > 0xffffffffull) x[i] = (float)((double)(next64() >> 11) * 0x1p-53 * 191.0 - 103.0);
            }
            float sign = round % 2 ? -1.0f : 1.0f, sub = subs[round % 4];
            memcpy(z, x, sizeof x);
            m_expf_array(y, x, len, sign, sub);
            m_expf_array(z, z, len, sign, sub);        /* in place */
            for (int i = 0; i < len; i++) {
                float want = m_expf(x[i] * sign - sub);
                n++;
                if (!same(y[i], want) || !same(z[i], want)) {
                    if (bad < 3)
                        printf("  info: expf_array(%a * %g - %g) = %a, in place %a, m_expf %a (%s)\n", x[i],
                               sign, sub, y[i], z[i], want, vec == 8 ? "eight-wide" : vec ? "four-wide" : "one at a time");
                    bad++;
                }
            }
        }
        /* the only two floats of magnitude 2^-8 and more whose result
         * changes when r's multiply-subtract is not fused, and the edges
         * of m_expf's special cases and their neighbours; in every lane,
         * beside ordinary values and beside a special one */
        static const float hard[] = { 0x1.04845ep+5f, -0x1.f8cbb2p+5f, 0x1.62e42ep6f, 0x1.62e430p6f,
                                      0x1.62e42cp6f, -0x1.9fe368p6f, -0x1.9fe36ap6f, -0x1.9fe366p6f,
                                      -0x1.9d1d9ep6f, -0x1.9d1da0p6f, -0x1.9d1d9cp6f, 88.0f, -88.0f,
                                      -87.5f, -100.0f, INFINITY, -INFINITY, NAN, -0.0f, 0x1p-149f };
        const int nh = (int)(sizeof hard / sizeof hard[0]);
        for (int h = 0; h < 2 * nh; h++)
            for (int lane = 0; lane < 8; lane++) {
                float sign = h < nh ? 1.0f : -1.0f, v = hard[h % nh];
                for (int i = 0; i < 16; i++) x[i] = (lane & 1) ? 200.0f : 0.5f * (float)i;
                x[lane] = v * sign;
                m_expf_array(y, x, 16, sign, 0.0f);
                n++;
                if (!same(y[lane], m_expf(v))) {
                    printf("  info: expf_array(%a) = %a, m_expf %a\n", v, y[lane], m_expf(v));
                    bad++;
                }
            }
    }
    m_set_vector(0);
    m_set_fma(0);
    printf("  info: expf_array: %ld values, %ld mismatches\n", n, bad);
    CHECK(bad == 0, "%ld of %ld m_expf_array values differ from m_expf", bad, n);
}

static void setup(void) {
    unsigned f = llama_cpu_detect();
    have_fma = (f & LLAMA_CPU_FMA) != 0;
    have_avx2_fma = (f & (LLAMA_CPU_FMA | LLAMA_CPU_AVX2)) == (LLAMA_CPU_FMA | LLAMA_CPU_AVX2);
    have_avx512 = have_avx2_fma && (f & LLAMA_CPU_AVX512);
}

int main(void) {
    int failures_ = 0;
    setup();
    printf("  info: this CPU %s FMA\n", have_fma ? "has" : "has no");
    RUN(soft_fma_matches_fma);
    RUN(expf_all_floats);
    RUN(sinf_cosf_all_floats);
    RUN(boundaries_every_float);
    RUN(rope_arguments);
    RUN(powf_values);
    RUN(sqrtf_exact);
    RUN(expf_array_same_bits);
    return failures_ != 0;
}

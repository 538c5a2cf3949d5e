/* Tests lib/format.c against the host C library's snprintf (glibc), which
 * is the reference: same formats, same arguments, byte-for-byte the same
 * output and return value, for fixed edge cases and thousands of random
 * values, including truncated buffers and the callback entry. */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "lib/format.h"

/* The tests hand odd formats to printf on purpose. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-truncation"

static int compared;

/* glibc bug: "%#g" drops the trailing zeros that '#' must keep when rounding
 * carries into a new power of ten and the result switches to e-style
 * (glibc prints 999999.5 with "%#g" as "1.e+06", C wants "1.00000e+06").
 * For those cases the reference is glibc's (correct) "%#.{P-1}e". */
static int glibc_hash_g_bug(const char *fmt, const char *out)
{
    size_t n = strlen(fmt);
    return strchr(fmt, '#') && (fmt[n - 1] == 'g' || fmt[n - 1] == 'G') &&
           strpbrk(out, "eE");
}

static int hash_g_as_e(char *buf, size_t size, const char *fmt, double d)
{
    char f[32];
    const char *dot = strchr(fmt, '.');
    size_t n = strlen(fmt), k = dot ? (size_t)(dot - fmt) : n - 1;
    int p = dot ? atoi(dot + 1) : 6;
    memcpy(f, fmt, k);
    snprintf(f + k, sizeof f - k, ".%d%c", (p ? p : 1) - 1, fmt[n - 1] == 'g' ? 'e' : 'E');
    return snprintf(buf, size, f, d);
}

/* Formats with both, compares, records the first difference. */
static void same(const char *fmt, ...)
{
    char want[4096], got[4096];
    va_list ap, aq;

    va_start(ap, fmt);
    va_copy(aq, ap);
    int rw = vsnprintf(want, sizeof want, fmt, ap);
    int rg = fmt_vsnprintf(got, sizeof got, fmt, aq);
    va_end(aq);
    va_end(ap);
    compared++;
    if ((rw != rg || strcmp(want, got) != 0) && glibc_hash_g_bug(fmt, want)) {
        va_start(ap, fmt);
        rw = hash_g_as_e(want, sizeof want, fmt, va_arg(ap, double));
        va_end(ap);
    }
    CHECK(rw == rg && strcmp(want, got) == 0,
          "format \"%s\": want %d \"%.200s\", got %d \"%.200s\"", fmt, rw, want, rg, got);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

TEST(integers_fixed)
{
    static const char *fmts[] = {
        "%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+ d", "%.3d", "%.0d",
        "%8.3d", "%-8.3d|", "%08.3d", "%+.0d", "% .0d", "%u", "%o", "%#o", "%#.0o",
        "%#5o", "%x", "%X", "%#x", "%#X", "%#08x", "%#.0x", "%#10.4x", "%-#10x|",
        "%0-8d|", "%1d", "%20d", "%.20d", "%#.3o",
    };
    static const int vals[] = {0, 1, -1, 7, -7, 42, 255, -255, 1000000, INT32_MAX, INT32_MIN, 0x7fff};
    for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++)
        for (size_t v = 0; v < sizeof vals / sizeof *vals; v++)
            same(fmts[f], vals[v]);
}

TEST(integers_lengths)
{
    same("%hhd %hhu %hhx", 300, 300, -1);
    same("%hd %hu %hx", 70000, 70000, -1);
    same("%ld %lu %lx %lo", LONG_MIN, ULONG_MAX, ULONG_MAX, ULONG_MAX);
    same("%lld %llu %llX", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL);
    same("%zu %zd %zx", (size_t)SIZE_MAX, (ptrdiff_t)-5, (size_t)4096);
    same("%td %tu", (ptrdiff_t)-123456789012345, (ptrdiff_t)99);
    same("%jd %ju", INTMAX_MIN, UINTMAX_MAX);
    same("%d%%%d %5%", 1, 2);
    same("a%cb%-3cc%3c|", 'x', 'y', 'z');
    same("%c", 0);
    same("%*d|%-*d|%*d", 6, 42, 6, 42, -6, 42);
    same("%.*d|%.*d", 5, 42, -1, 42);
    same("%*.*f|", 12, 3, 3.14159);
}

TEST(integers_random)
{
    static const char *flagset = "-+ #0";
    static const char *convs = "diuoxX";
    static const char *lens[] = {"", "hh", "h", "l", "ll", "z", "j"};
    for (int i = 0; i < 20000 && !check_failed_; i++) {
        char f[32];
        int k = 0;
        f[k++] = '%';
        for (int j = 0; j < 5; j++)
            if (rnd() % 3 == 0)
                f[k++] = flagset[j];
        if (rnd() % 2)
            k += sprintf(f + k, "%d", (int)(rnd() % 25));
        if (rnd() % 2)
            k += sprintf(f + k, ".%d", (int)(rnd() % 25));
        k += sprintf(f + k, "%s", lens[rnd() % 7]);
        f[k++] = convs[rnd() % 6];
        f[k] = 0;
        uint64_t v = rnd();
        switch (rnd() % 4) {       /* small values often */
        case 0: v %= 20; break;
        case 1: v = (uint64_t)-(int64_t)(v % 1000); break;
        case 2: v %= 100000; break;
        }
        if (strchr(f, 'l') || strchr(f, 'j') || strchr(f, 'z'))
            same(f, (long long)v);
        else
            same(f, (int)v);
    }
}

TEST(strings_and_pointers)
{
    same("%s|%10s|%-10s|%.2s|%10.2s|%-10.2s|%.0s|", "hello", "hello", "hello",
         "hello", "hello", "hello", "hello");
    same("%s %.10s %.3s %8s", (char *)0, (char *)0, (char *)0, (char *)0);
    same("%s", "");
    same("%05s|%-05s", "ab", "ab");
    same("%.*s", 3, "abcdef");
    int x;
    same("%p %20p %-20p| %+p %.16p %020p", (void *)&x, (void *)&x, (void *)&x,
         (void *)&x, (void *)&x, (void *)&x);
    same("%p %10p %-10p|", (void *)0, (void *)0, (void *)0);
    same("%p", (void *)0x1234);
}

static const double edge[] = {
    0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, 3.5, -0.5, 0.05, 0.15, 0.25, 0.35, 0.125,
    1e-7, 1e-5, 1e-4, 9.9999e-5, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 9.5, 99.5, 999.5,
    0.9999995, 0.99999949999, 9.9999995, 123.456789, 123.4567894, 123.4567895,
    12.3456785, 0.000123456, 1e20, 1e21, 1e22, 1e23, 123456789012345678.0, 1e100,
    1e300, 1e308, DBL_MAX, DBL_MIN, 4.9406564584124654e-324, 2.2250738585072009e-308,
    1e-300, 1e-320, 999999.5, 9999995.0, 0.0000095, 0.5e-4, 100000.0, 1000000.0,
    1e15, 1e16, 1e17, 4503599627370496.5, 9007199254740993.0, 12345.6789,
    18446744073709551616.0, 0.1 + 0.2, 5e-324, 1.7976931348623157e308,
};

TEST(doubles_edge)
{
    static const char *fmts[] = {
        "%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.10f", "%.17f", "%.20f", "%#.0f",
        "%e", "%.0e", "%.1e", "%.3e", "%.16e", "%.20e", "%#.0e", "%E",
        "%g", "%.0g", "%.1g", "%.2g", "%.3g", "%.10g", "%.17g", "%#g", "%#.3g", "%G",
        "%F", "%+f", "% f", "%10.3f", "%-10.3f|", "%010.3f", "%+010.3f", "% 010.3f",
        "%15e", "%-15e|", "%015e", "%+.3e", "%12g", "%012g", "%-12g|", "%#10.0f",
        "%.400f", "%.1100f", "%.800e",
    };
    for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++)
        for (size_t v = 0; v < sizeof edge / sizeof *edge; v++) {
            same(fmts[f], edge[v]);
            same(fmts[f], -edge[v]);
        }
}

TEST(glibc_hash_g_bug_cases)
{
    char b[64];
    const char *f = "%#g|%#.3g|%#.2g|%#.3g";
    fmt_snprintf(b, sizeof b, f, 999999.5, 999.5, 99.5, 9995.0);
    CHECK(strcmp(b, "1.00000e+06|1.00e+03|1.0e+02|1.00e+04") == 0, "%s", b);
}

TEST(doubles_special)
{
    double inf = INFINITY, nan_ = NAN;
    static const char *fmts[] = {"%f", "%F", "%e", "%E", "%g", "%G", "%10f", "%-10f|",
                                 "%010f", "%+f", "% f", "%.3f", "%+010E", "%#g"};
    for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++) {
        same(fmts[f], inf);
        same(fmts[f], -inf);
        same(fmts[f], nan_);
        same(fmts[f], -nan_);
    }
}

static double random_double(void)
{
    uint64_t b = rnd();
    double d;
    switch (rnd() % 6) {
    case 0:                          /* any bit pattern, finite */
        memcpy(&d, &b, sizeof d);
        return isfinite(d) ? d : 1.0;
    case 1:                          /* tok/s-like: a few hundred, many digits */
        return (double)(b % 100000000) / 100000.0;
    case 2:                          /* ms-like: exact halves and quarters */
        return (double)(b % 10000) / 4.0;
    case 3:                          /* decimal ties such as x.xx5 */
        return ((double)(b % 100000) + 0.5) / 1000.0;
    case 4:                          /* wide exponent range */
        return ldexp((double)(b >> 11) / 9007199254740992.0, (int)(rnd() % 200) - 100);
    default:                         /* a float widened, as the engine prints */
        return (double)(float)((double)(b % 1000000) / 997.0);
    }
}

TEST(doubles_random)
{
    static const char *fmts[] = {"%f", "%.0f", "%.1f", "%.2f", "%.3f", "%.4f", "%.5f",
                                 "%.6f", "%.7f", "%.9f", "%.12f", "%.15f", "%.20f",
                                 "%e", "%.0e", "%.3e", "%.10e", "%.17e", "%g", "%.1g",
                                 "%.3g", "%.8g", "%.12g", "%.17g", "%#.5g", "%12.4f",
                                 "%-+14.3e|", "%010.2f"};
    for (int i = 0; i < 8000 && !check_failed_; i++) {
        double d = random_double();
        for (size_t f = 0; f < sizeof fmts / sizeof *fmts; f++)
            same(fmts[f], d);
    }
    for (int i = 0; i < 3000 && !check_failed_; i++) {   /* random precisions */
        double d = random_double();
        int p = (int)(rnd() % 60);
        same("%.*f", p, d);
        same("%.*e", p, d);
        same("%.*g", p, d);
    }
}

TEST(truncation_and_return)
{
    static const char *text = "tok/s: %f, ms: %.3f, n=%d %s";
    char want[256], got[256];
    for (size_t n = 0; n < 60; n++) {
        memset(want, 'Q', sizeof want);
        memset(got, 'Q', sizeof got);
        int rw = snprintf(want, n, text, 123.456789, 0.5, -42, "end");
        int rg = fmt_snprintf(got, n, text, 123.456789, 0.5, -42, "end");
        CHECK(rw == rg, "n=%zu: want %d got %d", n, rw, rg);
        CHECK(memcmp(want, got, sizeof want) == 0, "n=%zu: \"%s\" vs \"%s\"", n, want, got);
    }
    CHECK(fmt_snprintf(NULL, 0, "%d%s", 12345, "abc") == 8);
    CHECK(fmt_snprintf(got, sizeof got, "%d", 7) == 1 && strcmp(got, "7") == 0);
    CHECK(fmt_snprintf(got, sizeof got, "%.*f", 300, 1.0) == 302);
}

TEST(unsupported_and_errors)
{
    char b[64];
    const char *f1 = "a%", *f2 = "x%99999999999d", *f3 = "%*d", *f4 = "[%n]", *f5 = "%Lf|";
    int n;
    CHECK(fmt_snprintf(b, sizeof b, f1) == 2 && strcmp(b, "a%") == 0, "%s", b);
    CHECK(fmt_snprintf(b, sizeof b, f2, 1) == -1);
    CHECK(fmt_snprintf(b, sizeof b, f3, INT_MIN, 1) == -1);
    CHECK(fmt_snprintf(b, sizeof b, f4, &n) == 4 && strcmp(b, "[%n]") == 0, "%s", b);
    CHECK(fmt_snprintf(b, sizeof b, f5, 1.0) == 4 && strcmp(b, "%Lf|") == 0, "%s", b);
}

static void collect(void *ctx, const char *s, size_t n)
{
    char **p = ctx;
    memcpy(*p, s, n);
    *p += n;
}

TEST(callback)
{
    char want[512], got[512], *p = got;
    int rw = snprintf(want, sizeof want, "%-8s|%08.3f|%x|%+e|%c", "abc", -3.14159, 0xbeefu, 1e-10, '!');
    int rg = fmt_callback(collect, &p, "%-8s|%08.3f|%x|%+e|%c", "abc", -3.14159, 0xbeefu, 1e-10, '!');
    *p = 0;
    CHECK(rw == rg && strcmp(want, got) == 0, "\"%s\" vs \"%s\"", want, got);
    CHECK(fmt_callback(NULL, NULL, "%5d", 1) == 5);
}

TEST(count)
{
    printf("    (%d comparisons with the host snprintf)\n", compared);
    CHECK(compared > 100000, "%d", compared);
}

RUN_TESTS(integers_fixed, integers_lengths, integers_random, strings_and_pointers,
          doubles_edge, glibc_hash_g_bug_cases, doubles_special, doubles_random, truncation_and_return,
          unsupported_and_errors, callback, count)

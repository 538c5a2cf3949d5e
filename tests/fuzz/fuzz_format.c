/* Fuzzes lib/format.c against the host C library (glibc), as
 * tests/host/test_format.c does with chosen and random cases: the input
 * picks one conversion with its flags, width, precision, length modifier
 * and argument, and literal text around it, and fmt_snprintf must give the
 * bytes and the return value glibc's snprintf gives, both into a big
 * buffer and into a short one (cut output, still NUL-terminated). Only
 * combinations whose meaning C defines are built (no '0' with %s, no
 * precision with %c, no '#' with %d, ...).
 *
 * glibc prints "%#g" wrongly when rounding carries into a new power of ten
 * and the result switches to e-style (see test_format.c); such outputs are
 * not compared. */
#include <stdarg.h>

#include "lib/format.h"
#include "tests/fuzz/fuzz.h"

#pragma GCC diagnostic ignored "-Wformat-nonliteral"

typedef struct {
    const uint8_t *p;
    size_t n;
} In;

static unsigned take(In *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint64_t take64(In *in)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | take(in);
    return v;
}

static char out_ref[4096], out_fmt[4096];

static void compare(const char *fmt, ...)
{
    va_list ap, aq;
    va_start(ap, fmt);
    va_copy(aq, ap);
    int want = vsnprintf(out_ref, sizeof out_ref, fmt, ap);
    int got = fmt_vsnprintf(out_fmt, sizeof out_fmt, fmt, aq);
    va_end(aq);
    va_end(ap);
    if (want < 0 || (size_t)want >= sizeof out_ref)
        return;                               /* too long to compare here */
    size_t n = strlen(fmt);
    if (strchr(fmt, '#') && (fmt[n - 1] == 'g' || fmt[n - 1] == 'G') &&
        strpbrk(out_ref, "eE"))
        return;                               /* glibc's %#g bug */
    FUZZ_ASSERT(got == want && memcmp(out_fmt, out_ref, (size_t)want + 1) == 0,
                "format [%s]: fmt_snprintf gives %d [%s], glibc %d [%s]", fmt, got, out_fmt,
                want, out_ref);

    /* The same into a short buffer: cut, NUL-terminated, same return. */
    size_t cut = (size_t)want / 2;
    char *small = malloc(cut + 1);
    va_start(ap, fmt);
    got = fmt_vsnprintf(small, cut + 1, fmt, ap);
    va_end(ap);
    FUZZ_ASSERT(got == want && memcmp(small, out_ref, cut) == 0 && small[cut] == 0,
                "format [%s] into %zu bytes: %d [%.*s]", fmt, cut + 1, got, (int)cut, small);
    free(small);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    In in = {data, size};
    char fmt[64];
    size_t k = 0;
    static const char convs[] = "diuoxXcsp%fFeEgG";

    unsigned c0 = take(&in);
    char conv = convs[c0 % 16];
    int is_float = strchr("fFeEgG", conv) != NULL, is_int = strchr("diuoxX", conv) != NULL;

    if (c0 & 0x10)
        k += (size_t)snprintf(fmt + k, sizeof fmt - k, "a");
    fmt[k++] = '%';
    if (conv != '%') {
        unsigned fl = take(&in);
        if (fl & 1) fmt[k++] = '-';
        if ((fl & 2) && (is_int || is_float) && conv != 'u' && !strchr("oxX", conv)) fmt[k++] = '+';
        if ((fl & 4) && (is_int || is_float) && conv != 'u' && !strchr("oxX", conv)) fmt[k++] = ' ';
        if ((fl & 8) && (is_float || strchr("oxX", conv))) fmt[k++] = '#';
        if ((fl & 16) && (is_int || is_float)) fmt[k++] = '0';
        unsigned w = take(&in);
        if (w & 0x80)
            k += (size_t)snprintf(fmt + k, sizeof fmt - k, "%u", (w & 0x7f) * ((w & 0x40) ? 3 : 1));
        unsigned pr = take(&in);
        if ((pr & 0x80) && conv != 'c' && conv != 'p')
            k += (size_t)snprintf(fmt + k, sizeof fmt - k, ".%u",
                                  (pr & 0x7f) * ((pr & 0x40) && is_float ? 7 : 1));
    }
    unsigned lm = take(&in) % 8;              /* length modifier for integers */
    static const char *const lens[8] = {"", "hh", "h", "l", "ll", "z", "t", "j"};
    if (is_int)
        k += (size_t)snprintf(fmt + k, sizeof fmt - k, "%s", lens[lm]);
    fmt[k++] = conv;
    if (c0 & 0x20)
        fmt[k++] = 'z';
    fmt[k] = 0;

    uint64_t v = take64(&in);
    if (is_float) {
        double d;
        memcpy(&d, &v, sizeof d);
        compare(fmt, d);
    } else if (is_int) {
        int sign = conv == 'd' || conv == 'i';
        switch (lm) {
        case 0: case 1: case 2:               /* hh and h take an int (promoted) */
            compare(fmt, (int)v); break;
        case 3: sign ? compare(fmt, (long)v) : compare(fmt, (unsigned long)v); break;
        case 4: sign ? compare(fmt, (long long)v) : compare(fmt, (unsigned long long)v); break;
        case 5: sign ? compare(fmt, (ssize_t)v) : compare(fmt, (size_t)v); break;
        case 6: compare(fmt, (ptrdiff_t)v); break;
        default: sign ? compare(fmt, (intmax_t)v) : compare(fmt, (uintmax_t)v); break;
        }
    } else if (conv == 'c') {
        compare(fmt, (int)(v & 0xff));
    } else if (conv == 's') {
        char *s = fuzz_strndup(in.p, in.n);   /* the rest of the input */
        compare(fmt, s);
        free(s);
    } else if (conv == 'p') {
        compare(fmt, (void *)(uintptr_t)v);
    } else {
        compare(fmt);
    }
    return 0;
}

/* printf-style formatting (see format.h), the same in the kernel and on the
 * host.
 *
 * Integers and strings follow C99 to the letter. Doubles are printed from
 * their exact decimal expansion: a double is m * 2^e, which is the integer
 * m * 2^e when e >= 0 and (m * 5^-e) / 10^-e when e < 0, so one big integer
 * (base 10^9 limbs, at most 767 digits) gives every digit exactly. Rounding
 * that digit string to the precision (ties to even, the only rounding an
 * exact expansion needs) is what glibc does, so %f, %e and %g agree with it
 * byte for byte. This costs a few microseconds per number, which is nothing
 * for statistics lines. */
#include <stdint.h>
#include <limits.h>

#include "lib/format.h"
#include "lib/libc.h"

enum { F_MINUS = 1, F_PLUS = 2, F_SPACE = 4, F_HASH = 8, F_ZERO = 16 };
enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_T, L_J };

typedef struct {
    fmt_out_fn out;
    void *ctx;
    size_t count;
} Sink;

typedef struct {
    unsigned flags;
    int width;  /* >= 0 */
    int prec;   /* < 0: none given */
} Spec;

static void put(Sink *s, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (s->out)
        s->out(s->ctx, p, n);
    s->count += n;
}

static void pad(Sink *s, char c, size_t n)
{
    static const char spaces[16] = "                ";
    static const char zeros[16] = "0000000000000000";
    const char *src = c == '0' ? zeros : spaces;

    while (n > 0) {
        size_t k = n < 16 ? n : 16;
        put(s, src, k);
        n -= k;
    }
}

/* Writes a field of body_len bytes (the caller writes the body itself
 * between field_start and field_end) with its prefix (sign, "0x") and
 * width padding: spaces before, zeros after the prefix, or spaces after. */
static void field_start(Sink *s, const Spec *sp, const char *prefix, size_t plen,
                        size_t body_len, int zero_ok)
{
    size_t len = plen + body_len;
    size_t w = (size_t)sp->width > len ? (size_t)sp->width - len : 0;

    if (!(sp->flags & F_MINUS) && !(zero_ok && (sp->flags & F_ZERO)))
        pad(s, ' ', w);
    put(s, prefix, plen);
    if (!(sp->flags & F_MINUS) && zero_ok && (sp->flags & F_ZERO))
        pad(s, '0', w);
}

static void field_end(Sink *s, const Spec *sp, size_t len)
{
    if ((sp->flags & F_MINUS) && (size_t)sp->width > len)
        pad(s, ' ', (size_t)sp->width - len);
}

/* ------------------------------------------------------------ integers */

static void fmt_int(Sink *s, Spec sp, uintmax_t v, int neg, char conv)
{
    char digits[3 * sizeof v + 1];
    const char *xdig = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    char prefix[3];
    size_t plen = 0, len = 0, zeros;
    char *p = digits + sizeof digits;

    while (v) {
        *--p = xdig[v % base];
        v /= base;
        len++;
    }
    if (sp.prec < 0)
        sp.prec = 1;
    else
        sp.flags &= ~(unsigned)F_ZERO;    /* a precision turns off 0 padding */

    /* Sign for the signed conversions (and %p, as glibc does), then "0x". */
    if (conv == 'd' || conv == 'i' || conv == 'p') {
        if (neg)
            prefix[plen++] = '-';
        else if (sp.flags & F_PLUS)
            prefix[plen++] = '+';
        else if (sp.flags & F_SPACE)
            prefix[plen++] = ' ';
    }
    if ((conv == 'x' || conv == 'X' || conv == 'p') && (sp.flags & F_HASH) && len > 0) {
        prefix[plen++] = '0';
        prefix[plen++] = conv == 'X' ? 'X' : 'x';
    }
    /* %#o: the precision grows so that the first digit is a 0. */
    if (conv == 'o' && (sp.flags & F_HASH) && (size_t)sp.prec <= len)
        sp.prec = (int)len + 1;

    zeros = (size_t)sp.prec > len ? (size_t)sp.prec - len : 0;
    field_start(s, &sp, prefix, plen, zeros + len, 1);
    pad(s, '0', zeros);
    put(s, p, len);
    field_end(s, &sp, plen + zeros + len);
}

/* ------------------------------------------------------------- doubles */

#define LIMB_BASE 1000000000u
#define MAX_LIMBS 90              /* 767 digits need 86 limbs */
#define MAX_DIGITS (MAX_LIMBS * 9)

/* Multiplies the little-endian base-10^9 number a[0..*n) by k <= 2^31. */
static void big_mul(uint32_t *a, int *n, uint32_t k)
{
    uint64_t carry = 0;

    for (int i = 0; i < *n; i++) {
        uint64_t t = (uint64_t)a[i] * k + carry;
        a[i] = (uint32_t)(t % LIMB_BASE);
        carry = t / LIMB_BASE;
    }
    while (carry) {
        a[(*n)++] = (uint32_t)(carry % LIMB_BASE);
        carry /= LIMB_BASE;
    }
}

/* The exact decimal expansion of a finite x > 0: digits d[0..n), first and
 * last not '0', with x = 0.d[0]d[1]... * 10^*exp10. Returns n. */
static int exact_digits(double x, char *d, int *exp10)
{
    uint32_t a[MAX_LIMBS];
    uint64_t bits, m;
    int e, n = 0, nd = 0;

    memcpy(&bits, &x, sizeof bits);
    m = bits & ((UINT64_C(1) << 52) - 1);
    e = (int)(bits >> 52 & 0x7ff);
    if (e == 0) {
        e = -1074;                       /* subnormal */
    } else {
        m |= UINT64_C(1) << 52;
        e -= 1075;
    }
    while (!(m & 1)) {                   /* fewer bits, less work */
        m >>= 1;
        e++;
    }
    a[n++] = (uint32_t)(m % LIMB_BASE);
    if (m >= LIMB_BASE)
        a[n++] = (uint32_t)(m / LIMB_BASE);   /* m < 2^53 < 10^18 */
    for (int k = e; k > 0; k -= 29)
        big_mul(a, &n, UINT32_C(1) << (k < 29 ? k : 29));
    for (int k = -e; k > 0; k -= 13) {
        uint32_t p = 1;
        for (int i = 0; i < (k < 13 ? k : 13); i++)
            p *= 5;                      /* 5^13 < 2^31 */
        big_mul(a, &n, p);
    }

    /* Most significant limb without leading zeros, then 9 digits each. */
    for (uint32_t top = a[n - 1], div = LIMB_BASE / 10; div; div /= 10)
        if (nd > 0 || top / div % 10 || div == 1)
            d[nd++] = (char)('0' + top / div % 10);
    for (int i = n - 2; i >= 0; i--)
        for (uint32_t div = LIMB_BASE / 10; div; div /= 10)
            d[nd++] = (char)('0' + a[i] / div % 10);

    *exp10 = e >= 0 ? nd : nd + e;       /* value = digits / 10^-e */
    while (d[nd - 1] == '0')
        nd--;
    return nd;
}

/* Rounds d[0..*n) to its first keep digits, ties to even. A carry out of
 * the first digit becomes "1" with *exp10 one higher. */
static void round_digits(char *d, int *n, int *exp10, long long keep)
{
    int up;

    if (keep >= *n)
        return;
    if (keep < 0) {                      /* below half a unit: rounds to 0 */
        *n = 0;
        return;
    }
    if (d[keep] != '5')
        up = d[keep] > '5';
    else if (keep + 1 < *n)              /* more non-zero digits follow */
        up = 1;
    else
        up = keep > 0 && ((d[keep - 1] - '0') & 1);
    *n = (int)keep;
    if (up) {
        int i = *n - 1;
        while (i >= 0 && d[i] == '9')
            i--;
        if (i < 0) {
            d[0] = '1';
            *n = 1;
            (*exp10)++;
        } else {
            d[i]++;
            *n = i + 1;
        }
    }
    while (*n > 0 && d[*n - 1] == '0')
        (*n)--;
}

/* Writes the digits at positions from .. from+count-1 of d[0..n), where
 * positions before 0 and from n on are zeros. */
static void put_digits(Sink *s, const char *d, int n, long long from, long long count)
{
    if (count <= 0)
        return;
    if (from < 0) {
        long long z = -from < count ? -from : count;
        pad(s, '0', (size_t)z);
        from += z;
        count -= z;
    }
    if (count > 0 && from < n) {
        long long k = n - from < count ? n - from : count;
        put(s, d + from, (size_t)k);
        count -= k;
    }
    pad(s, '0', (size_t)count);
}

static void fmt_double(Sink *s, Spec sp, double x, char conv)
{
    char d[MAX_DIGITS];
    char sign[1];
    size_t slen = 0;
    int upper = conv == 'F' || conv == 'E' || conv == 'G';
    int n = 0, exp10 = 1, style;
    uint64_t bits;

    memcpy(&bits, &x, sizeof bits);
    if (bits >> 63)
        sign[slen++] = '-';
    else if (sp.flags & F_PLUS)
        sign[slen++] = '+';
    else if (sp.flags & F_SPACE)
        sign[slen++] = ' ';

    if ((bits >> 52 & 0x7ff) == 0x7ff) {         /* inf or nan: no 0 padding */
        const char *w = (bits << 12) ? (upper ? "NAN" : "nan") : (upper ? "INF" : "inf");
        field_start(s, &sp, sign, slen, 3, 0);
        put(s, w, 3);
        field_end(s, &sp, slen + 3);
        return;
    }

    if (sp.prec < 0)
        sp.prec = 6;
    if (bits << 1)
        n = exact_digits(x, d, &exp10);

    style = conv | 32;                   /* 'f', 'e' or 'g' */
    if (style == 'g') {
        int P = sp.prec ? sp.prec : 1, X;
        if (P > INT_MAX - 8)
            P = INT_MAX - 8;             /* keeps P - 1 - X in range */
        round_digits(d, &n, &exp10, P);
        X = n ? exp10 - 1 : 0;
        if (P > X && X >= -4) {
            style = 'f';
            sp.prec = P - 1 - X;
        } else {
            style = 'e';
            sp.prec = P - 1;
        }
        if (!(sp.flags & F_HASH)) {      /* drop trailing zeros */
            int have = style == 'f' ? n - exp10 : n - 1;
            if (have < 0)
                have = 0;
            if (have < sp.prec)
                sp.prec = have;
        }
    }

    int point = sp.prec > 0 || (sp.flags & F_HASH);
    if (style == 'f') {
        round_digits(d, &n, &exp10, (long long)exp10 + sp.prec);
        if (n == 0)
            exp10 = 1;                   /* zero prints as "0" */
        long long ilen = exp10 > 0 ? exp10 : 1;
        size_t len = slen + (size_t)ilen + (size_t)point + (size_t)sp.prec;
        field_start(s, &sp, sign, slen, len - slen, 1);
        put_digits(s, d, n, exp10 > 0 ? 0 : -1, ilen);
        if (point)
            put(s, ".", 1);
        put_digits(s, d, n, exp10, sp.prec);
        field_end(s, &sp, len);
    } else {
        char ebuf[8];
        int elen = 0, X;
        round_digits(d, &n, &exp10, (long long)sp.prec + 1);
        X = n ? exp10 - 1 : 0;
        ebuf[elen++] = upper ? 'E' : 'e';
        ebuf[elen++] = X < 0 ? '-' : '+';
        if (X < 0)
            X = -X;
        if (X >= 100)
            ebuf[elen++] = (char)('0' + X / 100);
        ebuf[elen++] = (char)('0' + X / 10 % 10);
        ebuf[elen++] = (char)('0' + X % 10);
        size_t len = slen + 1 + (size_t)point + (size_t)sp.prec + (size_t)elen;
        field_start(s, &sp, sign, slen, len - slen, 1);
        put_digits(s, d, n, 0, 1);
        if (point)
            put(s, ".", 1);
        put_digits(s, d, n, 1, sp.prec);
        put(s, ebuf, (size_t)elen);
        field_end(s, &sp, len);
    }
}

/* ------------------------------------------------- strings and the loop */

static void fmt_str(Sink *s, const Spec *sp, const char *p, size_t len)
{
    field_start(s, sp, "", 0, len, 0);
    put(s, p, len);
    field_end(s, sp, len);
}

static intmax_t get_int(va_list *ap, int len)
{
    switch (len) {
    case L_HH: return (signed char)va_arg(*ap, int);
    case L_H:  return (short)va_arg(*ap, int);
    case L_L:  return va_arg(*ap, long);
    case L_LL: return va_arg(*ap, long long);
    case L_Z:  return va_arg(*ap, ptrdiff_t);   /* the signed size_t */
    case L_T:  return va_arg(*ap, ptrdiff_t);
    case L_J:  return va_arg(*ap, intmax_t);
    default:   return va_arg(*ap, int);
    }
}

static uintmax_t get_uint(va_list *ap, int len)
{
    switch (len) {
    case L_HH: return (unsigned char)va_arg(*ap, unsigned);
    case L_H:  return (unsigned short)va_arg(*ap, unsigned);
    case L_L:  return va_arg(*ap, unsigned long);
    case L_LL: return va_arg(*ap, unsigned long long);
    case L_Z:  return va_arg(*ap, size_t);
    case L_T:  return va_arg(*ap, size_t);      /* the unsigned ptrdiff_t */
    case L_J:  return va_arg(*ap, uintmax_t);
    default:   return va_arg(*ap, unsigned);
    }
}

/* Reads a decimal width or precision; -1 if it does not fit in an int. */
static int parse_num(const char **fmt, int *out)
{
    int v = 0;

    for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
        if (v > (INT_MAX - (**fmt - '0')) / 10)
            return -1;
        v = v * 10 + (**fmt - '0');
    }
    *out = v;
    return 0;
}

static int format(Sink *s, const char *fmt, va_list *ap)
{
    while (*fmt) {
        const char *start = fmt;
        Spec sp = {0, 0, -1};
        int len = L_NONE;
        char conv;

        if (*fmt != '%') {
            while (*fmt && *fmt != '%')
                fmt++;
            put(s, start, (size_t)(fmt - start));
            continue;
        }
        for (fmt++;; fmt++) {
            if (*fmt == '-')      sp.flags |= F_MINUS;
            else if (*fmt == '+') sp.flags |= F_PLUS;
            else if (*fmt == ' ') sp.flags |= F_SPACE;
            else if (*fmt == '#') sp.flags |= F_HASH;
            else if (*fmt == '0') sp.flags |= F_ZERO;
            else break;
        }
        if (*fmt == '*') {
            int w = va_arg(*ap, int);
            fmt++;
            if (w < 0) {                 /* a negative width means '-' */
                if (w == INT_MIN)
                    return -1;
                sp.flags |= F_MINUS;
                w = -w;
            }
            sp.width = w;
        } else if (parse_num(&fmt, &sp.width) < 0) {
            return -1;
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = va_arg(*ap, int);
                fmt++;
                sp.prec = p < 0 ? -1 : p;    /* negative: as if omitted */
            } else if (parse_num(&fmt, &sp.prec) < 0) {
                return -1;
            }
        }
        switch (*fmt) {
        case 'h': fmt++; len = L_H; if (*fmt == 'h') { fmt++; len = L_HH; } break;
        case 'l': fmt++; len = L_L; if (*fmt == 'l') { fmt++; len = L_LL; } break;
        case 'z': fmt++; len = L_Z; break;
        case 't': fmt++; len = L_T; break;
        case 'j': fmt++; len = L_J; break;
        }
        conv = *fmt;
        if (conv)
            fmt++;

        switch (conv) {
        case 'd': case 'i': {
            intmax_t v = get_int(ap, len);
            fmt_int(s, sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, v < 0, 'd');
            break;
        }
        case 'u': case 'o': case 'x': case 'X':
            fmt_int(s, sp, get_uint(ap, len), 0, conv);
            break;
        case 'p': {
            const void *p = va_arg(*ap, const void *);
            if (p) {
                sp.flags |= F_HASH;
                fmt_int(s, sp, (uintptr_t)p, 0, 'p');
            } else {
                fmt_str(s, &sp, "(nil)", 5);     /* glibc's spelling */
            }
            break;
        }
        case 'c':
            if (len != L_NONE)
                goto unsupported;
            {
                char c = (char)va_arg(*ap, int);
                fmt_str(s, &sp, &c, 1);
            }
            break;
        case 's': {
            const char *str;
            size_t n = 0;
            if (len != L_NONE)
                goto unsupported;
            str = va_arg(*ap, const char *);
            if (!str)                            /* glibc: "(null)" or nothing */
                str = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
            while (str[n] && (sp.prec < 0 || n < (size_t)sp.prec))
                n++;
            fmt_str(s, &sp, str, n);
            break;
        }
        case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
            fmt_double(s, sp, va_arg(*ap, double), conv);
            break;
        case '%':
            put(s, "%", 1);
            break;
        default:
        unsupported:                             /* copy it as written */
            put(s, start, (size_t)(fmt - start));
            break;
        }
    }
    return s->count > INT_MAX ? -1 : (int)s->count;
}

/* ------------------------------------------------------------- entries */

int fmt_vcallback(fmt_out_fn out, void *ctx, const char *fmt, va_list ap)
{
    Sink s = {out, ctx, 0};
    va_list aq;
    int r;

    va_copy(aq, ap);
    r = format(&s, fmt, &aq);
    va_end(aq);
    return r;
}

int fmt_callback(fmt_out_fn out, void *ctx, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = fmt_vcallback(out, ctx, fmt, ap);
    va_end(ap);
    return r;
}

typedef struct {
    char *buf;
    size_t room;   /* bytes that may still be stored, leaving one for NUL */
} BufSink;

static void buf_out(void *ctx, const char *s, size_t n)
{
    BufSink *b = ctx;

    if (n > b->room)
        n = b->room;
    if (n == 0)
        return;
    memcpy(b->buf, s, n);
    b->buf += n;
    b->room -= n;
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
    BufSink b = {buf, n ? n - 1 : 0};
    int r = fmt_vcallback(buf_out, &b, fmt, ap);

    if (n)
        *b.buf = 0;
    return r;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = fmt_vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

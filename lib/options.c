/* The run options (see options.h): llama2.c run's -x value flags plus ours.
 *
 * run.c reads its numbers with atoi/atof, which take "warm" as 0 and
 * "12abc" as 12. This parser is strict instead: a value must be a complete
 * number that fits, or the run stops with an error naming the flag and the
 * value. run.c's clamps (negative temperature, top-p outside [0,1], negative
 * steps) are kept, but they are reported in a note.
 *
 * Temperature and top-p go straight into the sampler, so they must be the
 * floats strtof would give: parse_float converts decimal text to the
 * nearest float, ties to even. It takes a first guess through double and
 * then settles it with exact big-integer comparisons of the number against
 * the midpoints between neighbouring floats (the usual correct method, in
 * its simplest form; inputs are limited to 200 significant digits). */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>

#include "lib/options.h"
#include "lib/format.h"
#include "lib/libc.h"

/* ----------------------------------------------- exact decimal -> float */

#define BIG_LIMBS 48                     /* 1536 bits; the worst case is ~960 */
#define MAX_SIG_DIGITS 200

typedef struct {
    uint32_t w[BIG_LIMBS];               /* little-endian base 2^32 */
    int n;
} Big;

static void big_set(Big *b, uint64_t v)
{
    b->n = 0;
    for (; v; v >>= 32)
        b->w[b->n++] = (uint32_t)v;
}

static void big_muladd(Big *b, uint32_t mul, uint32_t add)
{
    uint64_t carry = add;

    for (int i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * mul + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry)
        b->w[b->n++] = (uint32_t)carry;
}

static void big_mul_pow5(Big *b, int k)
{
    for (; k >= 13; k -= 13)
        big_muladd(b, 1220703125u, 0);   /* 5^13 */
    uint32_t p = 1;
    while (k-- > 0)
        p *= 5;
    big_muladd(b, p, 0);
}

static void big_shl(Big *b, int bits)
{
    int words = bits / 32, r = bits % 32;

    if (b->n == 0)
        return;
    b->w[b->n] = 0;
    for (int i = b->n; i >= 0; i--) {
        uint32_t hi = b->w[i] << r;
        if (r && i > 0)
            hi |= b->w[i - 1] >> (32 - r);
        b->w[i + words] = hi;
    }
    for (int i = 0; i < words; i++)
        b->w[i] = 0;
    b->n += words + 1;
    while (b->n > 0 && b->w[b->n - 1] == 0)
        b->n--;
}

static int big_cmp(const Big *a, const Big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* Compares M * 10^e10 with a * 2^e2, exactly. */
static int cmp_exact(const Big *M, int e10, uint64_t a, int e2)
{
    Big l = *M, r;
    int l2 = e10;                        /* l stands for l * 2^l2 */

    big_set(&r, a);
    if (e10 >= 0)
        big_mul_pow5(&l, e10);
    else
        big_mul_pow5(&r, -e10);
    if (l2 >= e2)
        big_shl(&l, l2 - e2);
    else
        big_shl(&r, e2 - l2);
    return big_cmp(&l, &r);
}

enum { NUM_OK, NUM_BAD, NUM_NONFINITE, NUM_RANGE, NUM_LONG };

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int is_word(const char *s, const char *w)   /* case-insensitive */
{
    for (; *w; s++, w++)
        if (lower((unsigned char)*s) != *w)
            return 0;
    return *s == 0;
}

/* A whole string [+-]digits[.digits][(e|E)[+-]digits] to the nearest float. */
static int parse_float(const char *s, float *out)
{
    char dig[MAX_SIG_DIGITS];
    int nd = 0, e10 = 0, any = 0, neg = 0, point = 0;
    uint32_t bits;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (is_word(s, "inf") || is_word(s, "infinity") || is_word(s, "nan"))
        return NUM_NONFINITE;
    for (;; s++) {
        if (*s == '.' && !point) {
            point = 1;
            continue;
        }
        if (*s < '0' || *s > '9')
            break;
        any = 1;
        if (*s == '0' && nd == 0) {      /* a leading zero */
            e10 -= point;
        } else if (nd < MAX_SIG_DIGITS) {
            dig[nd++] = *s;
            e10 -= point;
        } else if (*s != '0') {
            return NUM_LONG;
        } else {
            e10 += !point;               /* a zero beyond what is kept */
        }
    }
    if (!any)
        return NUM_BAD;
    if (*s == 'e' || *s == 'E') {
        int eneg = 0, x = 0;
        s++;
        if (*s == '+' || *s == '-')
            eneg = *s++ == '-';
        if (*s < '0' || *s > '9')
            return NUM_BAD;
        for (; *s >= '0' && *s <= '9'; s++)
            if (x < 100000)
                x = x * 10 + (*s - '0');
        e10 += eneg ? -x : x;
    }
    if (*s)
        return NUM_BAD;
    while (nd > 0 && dig[nd - 1] == '0') {
        nd--;
        e10++;
    }

    /* value = D * 10^e10, D the integer of dig[0..nd); 10^(nd-1+e10) <= value */
    if (nd == 0 || nd + e10 <= -46) {            /* below half the least float */
        bits = 0;
    } else if (nd + e10 > 39) {                  /* at least 1e39 > FLT_MAX */
        return NUM_RANGE;
    } else {
        Big M = {{0}, 0};
        uint64_t head = 0;
        int used = nd < 19 ? nd : 19;
        for (int i = 0; i < nd; i++)
            big_muladd(&M, 10, (uint32_t)(dig[i] - '0'));
        for (int i = 0; i < used; i++)
            head = head * 10 + (uint64_t)(dig[i] - '0');

        /* First guess: within a float ulp or two, never more. */
        double approx = (double)head;
        for (int k = e10 + nd - used; k > 0; k--)
            approx *= 10;
        for (int k = e10 + nd - used; k < 0; k++)
            approx /= 10;
        float f = approx > 3.4028234663852886e38 ? 3.4028234663852886e38f : (float)approx;
        memcpy(&bits, &f, sizeof bits);

        /* The float is m * 2^e with m < 2^24, e >= -149; m < 2^23 only at
         * e == -149 (the subnormals). */
        uint64_t m = bits & 0x7fffff;
        int e = (int)(bits >> 23);
        if (e) {
            m |= 0x800000;
            e -= 150;
        } else {
            e = -149;
        }
        for (;;) {
            int c = cmp_exact(&M, e10, 2 * m + 1, e - 1);   /* the upper midpoint */
            if (c > 0 || (c == 0 && (m & 1))) {
                if (++m == 0x1000000) {
                    m = 0x800000;
                    if (++e > 104)
                        return NUM_RANGE;
                }
                continue;
            }
            if (m == 0)
                break;
            if (m == 0x800000 && e > -149)                 /* the lower midpoint */
                c = cmp_exact(&M, e10, 4 * m - 1, e - 2);
            else
                c = cmp_exact(&M, e10, 2 * m - 1, e - 1);
            if (c < 0 || (c == 0 && (m & 1))) {
                if (m == 0x800000 && e > -149) {
                    m = 0xffffff;
                    e--;
                } else {
                    m--;
                }
                continue;
            }
            break;
        }
        bits = m >= 0x800000 ? (uint32_t)(e + 150) << 23 | (uint32_t)(m - 0x800000)
                             : (uint32_t)m;
    }
    bits |= (uint32_t)neg << 31;
    memcpy(out, &bits, sizeof *out);
    return NUM_OK;
}

/* A whole string [+-]digits into an int. */
static int parse_int(const char *s, int *out)
{
    int neg = 0;
    long long v = 0;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (!*s)
        return NUM_BAD;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return NUM_BAD;
        v = v * 10 + (*s - '0');
        if (v > (long long)INT_MAX + neg)
            return NUM_RANGE;
    }
    *out = (int)(neg ? -v : v);
    return NUM_OK;
}

/* A whole string [+]digits into a uint64_t. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;

    if (*s == '+')
        s++;
    if (!*s)
        return NUM_BAD;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return NUM_BAD;
        if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return NUM_RANGE;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return NUM_OK;
}

/* ------------------------------------------------------------- the parse */

static const char usage_host[] =
    "usage: MODEL [-t temperature] [-p topp] [-s seed] [-n steps] [-i prompt] "
    "[-z tokenizer] [-m generate|chat] [-y system_prompt] [--threads N] "
    "[--simd sse2|sse4|avx2|avx512|amx]";
static const char usage_kernel[] =
    "valid flags: [-t temperature] [-p topp] [-s seed] [-n steps] [-i prompt] "
    "[-m generate|chat] [-y system_prompt] [--threads N] [--simd sse2|sse4|avx2|avx512|amx] "
    "[--model NAME] [--tokenizer NAME] [--exit] [--ask] [--verbose] "
    "[--crash divide|ud|pagefault|gpf|stackoverflow]";

typedef struct {
    enum options_host host;
    char *err;
    size_t errlen;
} Ctx;

/* Writes "<what>; <usage>" into err and returns -1. */
__attribute__((format(printf, 2, 3)))
static int fail(const Ctx *c, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = fmt_vsnprintf(c->err, c->errlen, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < c->errlen)
        fmt_snprintf(c->err + n, c->errlen - (size_t)n, "; %s",
                     c->host == OPTIONS_HOST ? usage_host : usage_kernel);
    /* A quoted argument may hold any byte (a newline from an escaped or
     * quoted one on the command line): keep the message on one line. */
    for (size_t k = 0; k < c->errlen && c->err[k]; k++)
        if ((unsigned char)c->err[k] < 0x20 || c->err[k] == 0x7f)
            c->err[k] = '?';
    return -1;
}

static int bad_number(const Ctx *c, const char *flag, const char *v, int why, const char *kind)
{
    switch (why) {
    case NUM_NONFINITE: return fail(c, "%s: %.64s is not a finite number", flag, v);
    case NUM_RANGE:     return fail(c, "%s: %.64s is out of range", flag, v);
    case NUM_LONG:      return fail(c, "%s: %.24s... has more than %d significant digits", flag,
                                    v, MAX_SIG_DIGITS);
    default:            return fail(c, "%s: \"%.64s\" is not %s", flag, v, kind);
    }
}

/* Returns the index of s in the NULL-terminated list, or -1. */
static int one_of(const char *s, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(s, list[i]) == 0)
            return i;
    return -1;
}

static const char *const value_flags[] = {"-t", "-p", "-s", "-n", "-i", "-z", "-m", "-y",
                                          "--threads", "--simd", "--crash", "--model",
                                          "--tokenizer", NULL};
static const char *const modes[] = {"generate", "chat", NULL};
static const char *const simds[] = {"sse2", "sse4", "avx2", "avx512", "amx", NULL};
static const char *const crashes[] = {"divide", "ud", "pagefault", "gpf", "stackoverflow", NULL};

static void add_note(char *note, size_t notelen, const char *fmt, const char *v, const char *use)
{
    size_t have = notelen ? strlen(note) : 0;

    if (have + 1 >= notelen)
        return;
    if (have)
        have += (size_t)fmt_snprintf(note + have, notelen - have, "; ");
    if (have < notelen)
        fmt_snprintf(note + have, notelen - have, fmt, v, use);
}

int options_parse(Options *opt, int argc, char **argv, enum options_host host,
                  char *err, size_t errlen, char *note, size_t notelen)
{
    Ctx c = {host, err, errlen};
    const char *t_text = NULL, *p_text = NULL, *n_text = NULL;
    int is_host = host == OPTIONS_HOST;

    memset(opt, 0, sizeof *opt);
    opt->tokenizer_path = is_host ? "tokenizer.bin" : NULL;
    opt->temperature = 1.0f;
    opt->topp = 0.9f;
    opt->steps = 256;
    opt->mode = "generate";
    if (errlen)
        err[0] = 0;
    if (notelen)
        note[0] = 0;

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        int r;

        if (a[0] != '-') {                       /* a positional argument */
            if (!is_host)
                return fail(&c, "unexpected argument \"%.64s\": the kernel takes no MODEL "
                                "(the checkpoint is a GRUB module, or --model NAME on a disk)", a);
            if (opt->checkpoint_path)
                return fail(&c, "unexpected argument \"%.64s\" (MODEL is already \"%.64s\")", a,
                            opt->checkpoint_path);
            if (!a[0])
                return fail(&c, "MODEL is an empty string");
            opt->checkpoint_path = a;
            continue;
        }
        if (strcmp(a, "--exit") == 0 || strcmp(a, "--ask") == 0 || strcmp(a, "--verbose") == 0 ||
            strcmp(a, "--crash") == 0 || strcmp(a, "--model") == 0 || strcmp(a, "--tokenizer") == 0) {
            if (is_host)
                return fail(&c, "%s is a kernel-only flag", a);
        } else if (strcmp(a, "-z") == 0) {
            if (!is_host)
                return fail(&c, "-z is a host-only flag: the kernel takes the tokenizer "
                                "as a GRUB module, or --tokenizer NAME on a disk");
        } else if (one_of(a, value_flags) < 0) {
            return fail(&c, "unknown flag \"%.64s\"", a);
        }
        if (strcmp(a, "--exit") == 0) {
            opt->exit_when_done = 1;
            continue;
        }
        if (strcmp(a, "--ask") == 0) {
            opt->ask = 1;
            continue;
        }
        if (strcmp(a, "--verbose") == 0) {
            opt->verbose = 1;
            continue;
        }
        if (i + 1 >= argc)
            return fail(&c, "%s needs a value", a);
        v = argv[++i];

        if (strcmp(a, "-t") == 0) {
            if ((r = parse_float(v, &opt->temperature)) != NUM_OK)
                return bad_number(&c, a, v, r, "a number");
            t_text = v;
        } else if (strcmp(a, "-p") == 0) {
            if ((r = parse_float(v, &opt->topp)) != NUM_OK)
                return bad_number(&c, a, v, r, "a number");
            p_text = v;
        } else if (strcmp(a, "-s") == 0) {
            if ((r = parse_u64(v, &opt->seed)) != NUM_OK)
                return bad_number(&c, a, v, r, "an unsigned whole number");
            opt->seed_given = opt->seed != 0;   /* run.c: 0 means "use the time" */
        } else if (strcmp(a, "-n") == 0) {
            if ((r = parse_int(v, &opt->steps)) != NUM_OK)
                return bad_number(&c, a, v, r, "a whole number");
            n_text = v;
        } else if (strcmp(a, "--threads") == 0) {
            if ((r = parse_int(v, &opt->threads)) != NUM_OK)
                return bad_number(&c, a, v, r, "a whole number");
            if (opt->threads < 0)
                return fail(&c, "--threads: %.64s is negative (0 means all cores)", v);
        } else if (strcmp(a, "-i") == 0) {
            opt->prompt = v;
        } else if (strcmp(a, "-y") == 0) {
            opt->system_prompt = v;
        } else if (strcmp(a, "-z") == 0) {
            opt->tokenizer_path = v;
        } else if (strcmp(a, "--model") == 0 || strcmp(a, "--tokenizer") == 0) {
            if (!v[0])
                return fail(&c, "%s needs a file name, not an empty string", a);
            if (a[2] == 'm')
                opt->model_file = v;
            else
                opt->tokenizer_file = v;
        } else if (strcmp(a, "-m") == 0) {
            if (one_of(v, modes) < 0)
                return fail(&c, "-m: \"%.64s\" is not a mode (generate or chat)", v);
            opt->mode = v;
        } else if (strcmp(a, "--simd") == 0) {
            if (one_of(v, simds) < 0)
                return fail(&c, "--simd: \"%.64s\" is not one of sse2, sse4, avx2, avx512, amx", v);
            opt->simd = v;
        } else {                                 /* --crash */
            if (one_of(v, crashes) < 0)
                return fail(&c, "--crash: \"%.64s\" is not one of divide, ud, pagefault, gpf, "
                                "stackoverflow", v);
            opt->crash = v;
        }
    }
    if (is_host && !opt->checkpoint_path)
        return fail(&c, "missing MODEL, the checkpoint file");

    /* run.c's clamps, applied after all flags as run.c does. */
    if (opt->temperature < 0.0f) {
        opt->temperature = 0.0f;
        add_note(note, notelen, "-t %.32s is negative, using %s as run.c does", t_text, "0");
    }
    if (opt->topp < 0.0f || opt->topp > 1.0f) {
        opt->topp = 0.9f;
        add_note(note, notelen, "-p %.32s is outside [0,1], using %s as run.c does", p_text, "0.9");
    }
    if (opt->steps < 0) {
        opt->steps = 0;
        add_note(note, notelen, "-n %.32s is negative, using %s as run.c does", n_text,
                 "0 (the model's seq_len)");
    }
    return 0;
}

/* The checks that fuzz_cmdline.c and fuzz_options.c make on options_parse:
 * its messages are well formed, and on success every field is what a plain
 * re-reading of argv says it must be, with numbers as the host C library
 * reads them (strtof for -t and -p: options.c promises the same float;
 * strtoull and strtol for the whole numbers), after run.c's clamps. */
#ifndef TESTS_FUZZ_OPTIONS_ORACLE_H
#define TESTS_FUZZ_OPTIONS_ORACLE_H

#include <errno.h>
#include <limits.h>

#include "lib/options.h"
#include "tests/fuzz/fuzz.h"

/* The value of a number flag as the C library reads it; the whole string
 * must be used (options.c accepted it as a complete number). */
static float oracle_float(const char *s)
{
    char *end;
    float f = strtof(s, &end);
    FUZZ_ASSERT(end != s && *end == 0, "options accepted [%s], strtof stops at [%s]", s, end);
    return f;
}

static long long oracle_int(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    FUZZ_ASSERT(end != s && *end == 0 && errno == 0 && v >= INT_MIN && v <= INT_MAX,
                "options accepted [%s] as an int, strtoll says %lld (errno %d, rest [%s])",
                s, v, errno, end);
    return v;
}

static uint64_t oracle_u64(const char *s)
{
    char *end;
    errno = 0;
    FUZZ_ASSERT(s[0] != '-', "options accepted the negative seed [%s]", s);
    unsigned long long v = strtoull(s, &end, 10);
    FUZZ_ASSERT(end != s && *end == 0 && errno == 0,
                "options accepted [%s] as a seed, strtoull says %llu (errno %d, rest [%s])",
                s, v, errno, end);
    return v;
}

static int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Parses argv for one platform with messages of errlen and notelen bytes
 * (exact heap buffers), and checks the outcome. */
static void oracle_options(int argc, char **argv, enum options_host host, size_t errlen,
                           size_t notelen)
{
    Options o;
    char *err = errlen ? malloc(errlen) : NULL;
    char *note = notelen ? malloc(notelen) : NULL;
    int is_host = host == OPTIONS_HOST;

    int r = options_parse(&o, argc, argv, host, err, errlen, note, notelen);
    FUZZ_ASSERT(r == 0 || r == -1, "options_parse returned %d", r);
    fuzz_check_message(err, errlen, r != 0, "options error");
    if (r == 0) {
        if (errlen)
            FUZZ_ASSERT(err[0] == 0, "options error set on success: [%s]", err);
        fuzz_check_message(note, notelen, 0, "options note");
    }
    if (r != 0)
        goto out;

    /* Success: re-read argv. Every flag is valid here, so a flag other than
     * --exit, --ask and --verbose takes the next argument as its value. */
    const char *model = NULL, *tok = is_host ? "tokenizer.bin" : NULL, *t = NULL, *p = NULL,
               *s = NULL, *n = NULL, *i_ = NULL, *m = "generate", *y = NULL, *th = NULL,
               *simd = NULL, *crash = NULL, *mf = NULL, *tf = NULL;
    int ex = 0, ask = 0, verbose = 0;
    const char **slot = NULL;
    for (int k = 0; k < argc; k++) {
        const char *a = argv[k];
        if (a[0] != '-') {
            FUZZ_ASSERT(is_host && !model && a[0], "options accepted the argument [%s]", a);
            model = a;
            continue;
        }
        if (!strcmp(a, "--exit")) { ex = 1; continue; }
        if (!strcmp(a, "--ask")) { ask = 1; continue; }
        if (!strcmp(a, "--verbose")) { verbose = 1; continue; }
        if (!strcmp(a, "-t")) slot = &t;
        else if (!strcmp(a, "-p")) slot = &p;
        else if (!strcmp(a, "-s")) slot = &s;
        else if (!strcmp(a, "-n")) slot = &n;
        else if (!strcmp(a, "-i")) slot = &i_;
        else if (!strcmp(a, "-z")) slot = &tok;
        else if (!strcmp(a, "-m")) slot = &m;
        else if (!strcmp(a, "-y")) slot = &y;
        else if (!strcmp(a, "--threads")) slot = &th;
        else if (!strcmp(a, "--simd")) slot = &simd;
        else if (!strcmp(a, "--crash")) slot = &crash;
        else if (!strcmp(a, "--model")) slot = &mf;
        else if (!strcmp(a, "--tokenizer")) slot = &tf;
        else FUZZ_ASSERT(0, "options accepted the flag [%s]", a);
        FUZZ_ASSERT(k + 1 < argc, "options accepted %s without a value", a);
        *slot = argv[++k];
    }
    FUZZ_ASSERT(!is_host || model, "host options accepted no MODEL");
    if (is_host)
        FUZZ_ASSERT(!ex && !ask && !verbose && !crash && !mf && !tf,
                    "host options accepted a kernel-only flag");
    else
        FUZZ_ASSERT(!model && !tok, "kernel options accepted MODEL or -z");

    FUZZ_ASSERT(o.checkpoint_path == model, "checkpoint_path");
    FUZZ_ASSERT(o.tokenizer_path == tok || (tok && o.tokenizer_path &&
                !strcmp(tok, "tokenizer.bin") && !strcmp(o.tokenizer_path, tok)),
                "tokenizer_path");
    FUZZ_ASSERT(o.prompt == i_ && o.system_prompt == y && o.simd == simd && o.crash == crash,
                "a string flag's value");
    FUZZ_ASSERT(o.model_file == mf && o.tokenizer_file == tf, "--model/--tokenizer");
    FUZZ_ASSERT((!mf || mf[0]) && (!tf || tf[0]), "an empty --model or --tokenizer accepted");
    FUZZ_ASSERT(o.mode == m || !strcmp(o.mode, m), "mode");
    FUZZ_ASSERT(!strcmp(o.mode, "generate") || !strcmp(o.mode, "chat"), "mode [%s]", o.mode);
    if (simd)
        FUZZ_ASSERT(!strcmp(simd, "sse2") || !strcmp(simd, "sse4") || !strcmp(simd, "avx2") ||
                        !strcmp(simd, "avx512") || !strcmp(simd, "amx"),
                    "simd [%s]", simd);
    FUZZ_ASSERT(o.exit_when_done == ex && o.ask == ask && o.verbose == verbose,
                "--exit/--ask/--verbose");

    float want_t = t ? oracle_float(t) : 1.0f;
    if (want_t < 0.0f)
        want_t = 0.0f;
    FUZZ_ASSERT(same_float(o.temperature, want_t), "-t %s: got %a, strtof gives %a", t,
                o.temperature, want_t);
    float want_p = p ? oracle_float(p) : 0.9f;
    if (want_p < 0.0f || want_p > 1.0f)
        want_p = 0.9f;
    FUZZ_ASSERT(same_float(o.topp, want_p), "-p %s: got %a, strtof gives %a", p, o.topp, want_p);
    uint64_t want_s = s ? oracle_u64(s) : 0;
    FUZZ_ASSERT(o.seed == want_s && o.seed_given == (want_s != 0), "-s %s", s);
    long long want_n = n ? oracle_int(n) : 256;
    FUZZ_ASSERT(o.steps == (want_n < 0 ? 0 : want_n), "-n %s: got %d", n, o.steps);
    long long want_th = th ? oracle_int(th) : 0;
    FUZZ_ASSERT(want_th >= 0 && o.threads == want_th, "--threads %s: got %d", th, o.threads);
out:
    free(err);
    free(note);
}

#endif

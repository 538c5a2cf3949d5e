/* Tests lib/options.c: defaults, every flag on both platforms, every error
 * (each names the flag and value and lists the platform's flags on one
 * line), run.c's clamps with their notes, and that -t/-p give exactly the
 * float the host's strtof gives, over many fixed, random and tie values. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "lib/options.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static char err[OPTIONS_MSG_SIZE], note[OPTIONS_MSG_SIZE];

/* Parses a NULL-terminated argument list. */
static int parse_list(Options *o, enum options_host host, const char *const *args)
{
    char *argv[32];
    int argc = 0;
    while (args[argc]) {
        argv[argc] = (char *)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    return options_parse(o, argc, argv, host, err, sizeof err, note, sizeof note);
}
#define PARSE(o, host, ...) parse_list(o, host, (const char *const[]){__VA_ARGS__, NULL})

static const char *const host_flags[] = {"MODEL", "-t", "-p", "-s", "-n", "-i", "-z", "-m",
                                         "-y", "--threads", "--simd", NULL};
static const char *const kernel_flags[] = {"-t", "-p", "-s", "-n", "-i", "-m", "-y", "--threads",
                                           "--simd", "--model", "--tokenizer", "--exit", "--ask",
                                           "--verbose", "--crash", NULL};

/* Expects failure; the error holds every word and the platform's flag list. */
static void fails(enum options_host host, const char *const *args, const char *w1, const char *w2)
{
    Options o;
    int r = parse_list(&o, host, args);
    CHECK(r == -1, "%s %s: accepted", args[0], args[1] ? args[1] : "");
    CHECK(strstr(err, w1) != NULL, "error \"%s\" lacks \"%s\"", err, w1);
    CHECK(!w2 || strstr(err, w2) != NULL, "error \"%s\" lacks \"%s\"", err, w2);
    CHECK(strchr(err, '\n') == NULL && strncmp(err, "error:", 6) != 0, "one bare line: %s", err);
    const char *const *flags = host == OPTIONS_HOST ? host_flags : kernel_flags;
    const char *list = strchr(err, ';');
    CHECK(list != NULL, "no flag list in \"%s\"", err);
    for (int i = 0; flags[i] && list; i++)
        CHECK(strstr(list, flags[i]) != NULL, "flag list lacks %s: %s", flags[i], err);
    if (host == OPTIONS_HOST && list)
        CHECK(!strstr(list, "--exit") && !strstr(list, "--crash") && !strstr(list, "--ask") &&
              !strstr(list, "--verbose"),
              "host list names kernel flags: %s", err);
    if (host == OPTIONS_KERNEL && list)
        CHECK(!strstr(list, "-z") && !strstr(list, "MODEL"), "kernel list names -z: %s", err);
}
#define FAILS(host, w1, w2, ...) fails(host, (const char *const[]){__VA_ARGS__, NULL}, w1, w2)

TEST(defaults)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_HOST, "model.bin") == 0, "%s", err);
    CHECK(strcmp(o.checkpoint_path, "model.bin") == 0, "checkpoint");
    CHECK(strcmp(o.tokenizer_path, "tokenizer.bin") == 0, "tokenizer default");
    CHECK(o.temperature == 1.0f && o.topp == 0.9f && o.steps == 256, "numbers");
    CHECK(o.seed_given == 0 && o.prompt == NULL && o.system_prompt == NULL, "absent");
    CHECK(strcmp(o.mode, "generate") == 0, "mode");
    CHECK(o.threads == 0 && o.simd == NULL && !o.exit_when_done && !o.crash && !o.ask && !o.verbose,
          "ours");
    CHECK(note[0] == 0 && err[0] == 0, "note/err empty");

    CHECK(parse_list(&o, OPTIONS_KERNEL, (const char *const[]){NULL}) == 0, "%s", err);
    CHECK(o.checkpoint_path == NULL && o.tokenizer_path == NULL, "kernel paths");
    CHECK(o.temperature == 1.0f && o.topp == 0.9f && o.steps == 256, "kernel numbers");
    CHECK(strcmp(o.mode, "generate") == 0 && note[0] == 0, "kernel mode");
}

TEST(every_flag_host)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_HOST, "-t", "0.8", "m.bin", "-p", "0.95", "-s", "42", "-n", "100",
                "-i", "Once upon", "-z", "tok.bin", "-m", "chat", "-y", "Be kind",
                "--threads", "3", "--simd", "avx2") == 0, "%s", err);
    CHECK(strcmp(o.checkpoint_path, "m.bin") == 0, "model anywhere");
    CHECK(o.temperature == 0.8f && o.topp == 0.95f, "floats");
    CHECK(o.seed == 42 && o.seed_given == 1 && o.steps == 100, "ints");
    CHECK(strcmp(o.prompt, "Once upon") == 0 && strcmp(o.tokenizer_path, "tok.bin") == 0, "strs");
    CHECK(strcmp(o.mode, "chat") == 0 && strcmp(o.system_prompt, "Be kind") == 0, "chat");
    CHECK(o.threads == 3 && strcmp(o.simd, "avx2") == 0, "ours");
}

TEST(every_flag_kernel)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-t", "0", "-p", "1", "-s", "18446744073709551615",
                "-n", "0", "-i", "", "-m", "generate", "-y", "sys", "--threads", "0",
                "--simd", "avx512", "--exit", "--ask", "--verbose", "--crash", "pagefault") == 0,
          "%s", err);
    CHECK(o.temperature == 0.0f && o.topp == 1.0f, "floats");
    CHECK(o.seed == UINT64_MAX && o.seed_given == 1 && o.steps == 0, "ints");
    CHECK(strcmp(o.prompt, "") == 0 && strcmp(o.system_prompt, "sys") == 0, "strs");
    CHECK(o.exit_when_done == 1 && o.ask == 1 && o.verbose == 1 && strcmp(o.crash, "pagefault") == 0,
          "kernel");
    CHECK(strcmp(o.simd, "avx512") == 0 && note[0] == 0, "simd");
    static const char *const kinds[] = {"divide", "ud", "pagefault", "gpf", "stackoverflow"};
    for (int i = 0; i < 5; i++) {
        CHECK(PARSE(&o, OPTIONS_KERNEL, "--crash", kinds[i]) == 0, "%s", err);
        CHECK(strcmp(o.crash, kinds[i]) == 0, "crash kind %s", kinds[i]);
    }
    CHECK(PARSE(&o, OPTIONS_KERNEL, "--simd", "sse2", "-i", "--exit") == 0, "%s", err);
    CHECK(strcmp(o.prompt, "--exit") == 0 && !o.exit_when_done, "a value may start with -");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-n", "5", "-n", "7") == 0 && o.steps == 7, "last wins");
}

TEST(model_from_disk)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-t", "0") == 0, "%s", err);
    CHECK(o.model_file == NULL && o.tokenizer_file == NULL, "absent by default");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "--model", "stories15M.bin", "--tokenizer", "/t/tok.bin") == 0,
          "%s", err);
    CHECK(strcmp(o.model_file, "stories15M.bin") == 0, "model %s", o.model_file);
    CHECK(strcmp(o.tokenizer_file, "/t/tok.bin") == 0, "tokenizer %s", o.tokenizer_file);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "--model", "a.gguf", "--model", "/models/b.gguf") == 0 &&
          strcmp(o.model_file, "/models/b.gguf") == 0, "last wins");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "--model", "name with spaces.gguf") == 0 &&
          strcmp(o.model_file, "name with spaces.gguf") == 0, "spaces");
    FAILS(OPTIONS_KERNEL, "--model needs a value", NULL, "--model");
    FAILS(OPTIONS_KERNEL, "--tokenizer needs a value", NULL, "-t", "0", "--tokenizer");
    FAILS(OPTIONS_KERNEL, "--model needs a file name, not an empty string", NULL, "--model", "");
    FAILS(OPTIONS_KERNEL, "--tokenizer needs a file name", NULL, "--tokenizer", "");
    FAILS(OPTIONS_HOST, "--model is a kernel-only flag", NULL, "m", "--model", "x.bin");
    FAILS(OPTIONS_HOST, "--tokenizer is a kernel-only flag", NULL, "m", "--tokenizer", "t.bin");
    FAILS(OPTIONS_KERNEL, "unexpected argument \"x.gguf\"", "--model NAME", "x.gguf");
    FAILS(OPTIONS_KERNEL, "-z is a host-only flag", "--tokenizer NAME", "-z", "t.bin");
}

TEST(seed_zero_means_time)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-s", "0") == 0, "%s", err);
    CHECK(o.seed == 0 && o.seed_given == 0, "seed 0");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-s", "+7") == 0 && o.seed == 7 && o.seed_given, "+7");
}

TEST(errors_flags)
{
    FAILS(OPTIONS_HOST, "unknown flag \"-x\"", NULL, "m", "-x", "1");
    FAILS(OPTIONS_KERNEL, "unknown flag \"-x\"", NULL, "-x", "1");
    FAILS(OPTIONS_KERNEL, "unknown flag \"-tt\"", NULL, "-tt", "1");
    FAILS(OPTIONS_KERNEL, "unknown flag \"-\"", NULL, "-");
    FAILS(OPTIONS_KERNEL, "unknown flag \"--threads=2\"", NULL, "--threads=2");
    FAILS(OPTIONS_HOST, "-t needs a value", NULL, "m", "-t");
    FAILS(OPTIONS_KERNEL, "--crash needs a value", NULL, "--crash");
    FAILS(OPTIONS_KERNEL, "-i needs a value", NULL, "-n", "3", "-i");
    FAILS(OPTIONS_HOST, "--exit is a kernel-only flag", NULL, "m", "--exit");
    FAILS(OPTIONS_HOST, "--ask is a kernel-only flag", NULL, "m", "--ask");
    FAILS(OPTIONS_HOST, "--verbose is a kernel-only flag", NULL, "m", "--verbose");
    FAILS(OPTIONS_HOST, "--crash is a kernel-only flag", NULL, "m", "--crash", "ud");
    FAILS(OPTIONS_KERNEL, "-z is a host-only flag", NULL, "-z", "t.bin");
    FAILS(OPTIONS_KERNEL, "unexpected argument \"model.bin\"", "GRUB module", "model.bin");
    FAILS(OPTIONS_HOST, "unexpected argument \"b\"", "\"a\"", "a", "b");
    FAILS(OPTIONS_HOST, "missing MODEL", NULL, "-t", "1");
    FAILS(OPTIONS_HOST, "missing MODEL", NULL, "-n", "3");
    FAILS(OPTIONS_HOST, "MODEL is an empty string", NULL, "");
    FAILS(OPTIONS_HOST, "-m: \"story\"", "generate or chat", "m", "-m", "story");
    FAILS(OPTIONS_KERNEL, "--simd: \"neon\"", "sse2, sse4, avx2, avx512", "--simd", "neon");
    FAILS(OPTIONS_KERNEL, "--simd: \"AVX2\"", NULL, "--simd", "AVX2");
    FAILS(OPTIONS_KERNEL, "--crash: \"nmi\"", "stackoverflow", "--crash", "nmi");
    Options o;
    CHECK(options_parse(&o, 0, NULL, OPTIONS_HOST, err, sizeof err, note, sizeof note) == -1,
          "argc 0 on the host");
}

TEST(errors_numbers)
{
    FAILS(OPTIONS_KERNEL, "-t: \"warm\" is not a number", NULL, "-t", "warm");
    FAILS(OPTIONS_KERNEL, "-t: \"\" is not a number", NULL, "-t", "");
    FAILS(OPTIONS_KERNEL, "-t: \"0.5 \" is not a number", NULL, "-t", "0.5 ");
    FAILS(OPTIONS_KERNEL, "-t: \" 0.5\" is not a number", NULL, "-t", " 0.5");
    FAILS(OPTIONS_KERNEL, "-t: \"1e\" is not a number", NULL, "-t", "1e");
    FAILS(OPTIONS_KERNEL, "-t: \".\" is not a number", NULL, "-t", ".");
    FAILS(OPTIONS_KERNEL, "-t: \"1.2.3\" is not a number", NULL, "-t", "1.2.3");
    FAILS(OPTIONS_KERNEL, "-t: \"0x1p-2\" is not a number", NULL, "-t", "0x1p-2");
    FAILS(OPTIONS_KERNEL, "-t: nan is not a finite number", NULL, "-t", "nan");
    FAILS(OPTIONS_KERNEL, "-p: NaN is not a finite number", NULL, "-p", "NaN");
    FAILS(OPTIONS_KERNEL, "-p: -inf is not a finite number", NULL, "-p", "-inf");
    FAILS(OPTIONS_KERNEL, "-t: Infinity is not a finite number", NULL, "-t", "Infinity");
    FAILS(OPTIONS_KERNEL, "-t: 1e39 is out of range", NULL, "-t", "1e39");
    FAILS(OPTIONS_KERNEL, "-t: 3.5e38 is out of range", NULL, "-t", "3.5e38");
    FAILS(OPTIONS_KERNEL, "-p: 1e99999999999 is out of range", NULL, "-p", "1e99999999999");
    FAILS(OPTIONS_KERNEL, "-n: \"12abc\" is not a whole number", NULL, "-n", "12abc");
    FAILS(OPTIONS_KERNEL, "-n: \"1.5\" is not a whole number", NULL, "-n", "1.5");
    FAILS(OPTIONS_KERNEL, "-n: \"\" is not a whole number", NULL, "-n", "");
    FAILS(OPTIONS_KERNEL, "-n: \"-\" is not a whole number", NULL, "-n", "-");
    FAILS(OPTIONS_KERNEL, "-n: 2147483648 is out of range", NULL, "-n", "2147483648");
    FAILS(OPTIONS_KERNEL, "-n: -2147483649 is out of range", NULL, "-n", "-2147483649");
    FAILS(OPTIONS_KERNEL, "-s: \"-1\" is not an unsigned whole number", NULL, "-s", "-1");
    FAILS(OPTIONS_KERNEL, "-s: \"abc\"", NULL, "-s", "abc");
    FAILS(OPTIONS_KERNEL, "-s: 18446744073709551616 is out of range", NULL, "-s",
          "18446744073709551616");
    FAILS(OPTIONS_KERNEL, "--threads: \"two\" is not a whole number", NULL, "--threads", "two");
    FAILS(OPTIONS_KERNEL, "--threads: -1 is negative", NULL, "--threads", "-1");
    FAILS(OPTIONS_KERNEL, "--threads: 99999999999 is out of range", NULL, "--threads",
          "99999999999");
    static char many[400];
    memset(many, '1', 300);
    many[0] = '0', many[1] = '.';
    FAILS(OPTIONS_KERNEL, "more than 200 significant digits", NULL, "-t", many);

    Options o;
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-n", "-2147483648") == 0 && o.steps == 0, "INT_MIN ok");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-n", "2147483647") == 0 && o.steps == INT32_MAX, "max");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-n", "+12") == 0 && o.steps == 12, "+12");
}

TEST(error_buffer_small)
{
    Options o;
    char small[16];
    const char *args[] = {"-t", "warm"};
    CHECK(options_parse(&o, 2, (char **)args, OPTIONS_KERNEL, small, sizeof small, NULL, 0) == -1,
          "fails");
    CHECK(strlen(small) == sizeof small - 1 && strncmp(small, "-t: \"warm\" is n", 15) == 0,
          "truncated: %s", small);
    CHECK(options_parse(&o, 2, (char **)args, OPTIONS_KERNEL, NULL, 0, NULL, 0) == -1, "no err");
}

TEST(clamps_and_notes)
{
    Options o;
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-p", "1.5") == 0, "%s", err);
    CHECK(o.topp == 0.9f, "topp clamp");
    CHECK(strcmp(note, "-p 1.5 is outside [0,1], using 0.9 as run.c does") == 0, "%s", note);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-p", "-0.1") == 0 && o.topp == 0.9f, "topp < 0");
    CHECK(strstr(note, "-p -0.1 is outside [0,1]") != NULL, "%s", note);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-t", "-2") == 0 && o.temperature == 0.0f, "temp clamp");
    CHECK(strcmp(note, "-t -2 is negative, using 0 as run.c does") == 0, "%s", note);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-n", "-5") == 0 && o.steps == 0, "steps clamp");
    CHECK(strstr(note, "-n -5 is negative, using 0") != NULL, "%s", note);
    CHECK(PARSE(&o, OPTIONS_HOST, "m", "-t", "-1", "-p", "2", "-n", "-1") == 0, "%s", err);
    CHECK(o.temperature == 0.0f && o.topp == 0.9f && o.steps == 0, "all three");
    CHECK(strstr(note, "-t -1") && strstr(note, "-p 2") && strstr(note, "-n -1") &&
          !strchr(note, '\n'), "%s", note);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-p", "0", "-t", "0", "-n", "0") == 0 && note[0] == 0,
          "edges are not clamped: %s", note);
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-p", "1.0000001") == 0 && o.topp == 0.9f, "just above 1");
    CHECK(PARSE(&o, OPTIONS_KERNEL, "-p", "1.00000001") == 0 && o.topp == 1.0f && !note[0],
          "rounds to 1.0f, no clamp");
    char tiny[8];
    const char *args[] = {"-p", "1.5"};
    CHECK(options_parse(&o, 2, (char **)args, OPTIONS_KERNEL, err, sizeof err, tiny, sizeof tiny) == 0,
          "tiny note buffer");
    CHECK(strlen(tiny) == sizeof tiny - 1, "note truncated: %s", tiny);
}

/* ---------------------------------------------------- floats vs strtof */

static int float_checks;

static void same_as_strtof(const char *s)
{
    Options o;
    const char *args[] = {"-t", s};
    float want = strtof(s, NULL);
    int r = options_parse(&o, 2, (char **)args, OPTIONS_KERNEL, err, sizeof err, note, sizeof note);
    float_checks++;
    if (isinf(want)) {
        CHECK(r == -1 && strstr(err, "out of range"), "%s: want out of range, got %d %s", s, r, err);
        return;
    }
    CHECK(r == 0, "%s: %s", s, err);
    if (want < 0)
        want = 0;                                        /* run.c's clamp */
    uint32_t a, b;
    memcpy(&a, &want, 4);
    memcpy(&b, &o.temperature, 4);
    CHECK(r != 0 || a == b || (want == 0 && o.temperature == 0), "%s: strtof %.9g (%08x), got %.9g (%08x)",
          s, want, a, o.temperature, b);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

TEST(floats_fixed)
{
    static const char *v[] = {
        "0.9", "1.0", "0.8", "0.95", "1e-3", "0.123456789", "0", "1", "0.0", "-0", "1.5", "2",
        "0.1", "0.2", "0.3", "0.7", "0.99", "0.999999", "1e-7", "1.", ".5", "+0.25", "00.500",
        "1E2", "1e+2", "100e-2", "3.4028235e38", "3.40282347e38", "3.4028236e38",
        "3.40282356779733661637539395458142568448e38", "3.40282356779733661637539395458142568447e38",
        "1.17549435e-38", "1.1754942e-38", "1.4e-45", "1.401298464324817e-45", "7e-46",
        "7.006492321624085e-46", "7.006492321624086e-46", "7.1e-46", "2.1e-45", "1e-46",
        "1e-50", "1e38", "9.999999e37", "16777216", "16777217", "16777218", "16777219",
        "33554431", "33554433", "0.000000000000000000000000000000000000000000001",
        "123456789012345678901234567890", "0.1000000000000000000000000000000000000000000000001",
        "1.00000005960464477539062499", "1.000000059604644775390625",
        "1.00000005960464477539062501", "1.0000001788139343", "0.30000001192092896",
        "8388608.5", "8388609.5", "4294967296", "1e10", "5e-324", "2.5", "0.05",
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        same_as_strtof(v[i]);
}

TEST(floats_random)
{
    char s[80];
    for (int i = 0; i < 100000 && !check_failed_; i++) {
        int nd = 1 + (int)(rnd() % 24), pt = (int)(rnd() % (nd + 1)), k = 0;
        for (int j = 0; j < nd; j++) {
            if (j == pt)
                s[k++] = '.';
            s[k++] = (char)('0' + rnd() % 10);
        }
        if (rnd() % 3 == 0)
            k += sprintf(s + k, "e%d", (int)(rnd() % 90) - 50);
        s[k] = 0;
        same_as_strtof(s);
    }
}

/* Exact decimal midpoints between neighbouring floats, and the doubles just
 * around them: the cases where a sloppy conversion goes wrong. */
TEST(floats_ties)
{
    char s[300];
    for (int i = 0; i < 20000 && !check_failed_; i++) {
        uint32_t bits = (uint32_t)rnd() & 0x7fffffff;
        float f;
        if (i % 4 == 0)
            bits = (bits & 0x807fffff) | (uint32_t)(100 + rnd() % 40) << 23;  /* near 1 */
        if (i % 16 == 1)
            bits &= 0x007fffff;                                           /* subnormal */
        memcpy(&f, &bits, 4);
        if (!isfinite(f) || f >= FLT_MAX)
            continue;
        double lo = f, hi = nextafterf(f, INFINITY), mid = (lo + hi) / 2;  /* exact */
        double around[3] = {mid, nextafter(mid, 0), nextafter(mid, INFINITY)};
        for (int j = 0; j < 3; j++) {
            snprintf(s, sizeof s, "%.150e", around[j]);       /* exact for these */
            char *e = strchr(s, 'e'), *z = e;
            while (z[-1] == '0')
                z--;
            memmove(z, e, strlen(e) + 1);
            same_as_strtof(s);
        }
    }
}

TEST(float_count)
{
    printf("    (%d conversions compared with strtof)\n", float_checks);
    CHECK(float_checks > 150000, "%d", float_checks);
}

RUN_TESTS(defaults, every_flag_host, every_flag_kernel, model_from_disk, seed_zero_means_time, errors_flags,
          errors_numbers, error_buffer_small, clamps_and_notes, floats_fixed, floats_random,
          floats_ties, float_count)

/* Fuzzes lib/cmdline.c: the input, as a NUL-terminated string (an embedded
 * NUL ends it early, as it would in memory), is split by cmdline_split and
 * by a second, plain implementation of the rules in cmdline.h; the two must
 * agree. With exactly the room the arguments need (buffer and argv are
 * exact heap allocations, so ASan sees any write past them) the split must
 * succeed; with one byte or one argv slot less it must fail with a message.
 * The arguments then go through options_parse for both platforms
 * (tests/fuzz/options_oracle.h). */
#include "lib/cmdline.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/options_oracle.h"

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* The reference: words into out (NUL after each; room for strlen + 1 is
 * enough), their count into *n. Returns 0, or -1 for an unclosed quote or a
 * trailing backslash. */
static int ref_split(const char *s, char *out, size_t *used, int *n)
{
    *used = 0;
    *n = 0;
    for (;;) {
        while (blank(*s))
            s++;
        if (!*s)
            return 0;
        enum { PLAIN, DQ, SQ } st = PLAIN;
        while (*s && !(st == PLAIN && blank(*s))) {
            char c = *s++;
            if (st == SQ) {
                if (c == '\'') st = PLAIN;
                else out[(*used)++] = c;
            } else if (c == '\\') {
                if (!*s) return -1;
                out[(*used)++] = *s++;
            } else if (c == '"') {
                st = st == DQ ? PLAIN : DQ;
            } else if (c == '\'' && st == PLAIN) {
                st = SQ;
            } else {
                out[(*used)++] = c;
            }
        }
        if (st != PLAIN)
            return -1;
        out[(*used)++] = 0;
        (*n)++;
    }
}

/* Splits with buflen bytes and max_args slots; checks the outcome against
 * the reference (ref_ok, want/want_used/want_n); returns argc or -1. */
static int split_and_check(const char *line, size_t buflen, int max_args, int ref_ok,
                           const char *want, size_t want_used, int want_n, char **argv_out,
                           char **buf_out)
{
    char *buf = malloc(buflen ? buflen : 1);
    char **argv = malloc(sizeof *argv * (size_t)(max_args > 0 ? max_args : 1));
    char err[160];
    int argc = -7;

    int r = cmdline_split(line, buf, buflen, argv, max_args, &argc, err, sizeof err);
    int should = ref_ok && want_n <= max_args - 1 && want_used <= buflen;
    FUZZ_ASSERT(r == 0 || r == -1, "cmdline_split returned %d", r);
    FUZZ_ASSERT((r == 0) == should, "cmdline_split says %d, reference says %s (buflen %zu, "
                "need %zu; max_args %d, need %d): %s", r, should ? "fits" : "fails", buflen,
                want_used, max_args, want_n, err);
    fuzz_check_message(err, sizeof err, r != 0, "cmdline error");
    if (r != 0) {
        FUZZ_ASSERT(argc == 0, "argc %d after a failure", argc);
        free(buf);
        free(argv);
        return -1;
    }
    FUZZ_ASSERT(err[0] == 0, "err set on success: %s", err);
    FUZZ_ASSERT(argc == want_n && argv[argc] == NULL, "argc %d, want %d", argc, want_n);
    const char *w = want;
    for (int i = 0; i < argc; i++) {
        FUZZ_ASSERT(argv[i] >= buf && argv[i] < buf + buflen, "argv[%d] outside buf", i);
        FUZZ_ASSERT(strcmp(argv[i], w) == 0, "argv[%d] = [%s], reference [%s]", i, argv[i], w);
        w += strlen(w) + 1;
    }
    if (argv_out) {
        memcpy(argv_out, argv, sizeof *argv * (size_t)(argc + 1));
        *buf_out = buf;
    } else {
        free(buf);
    }
    free(argv);
    return argc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = fuzz_strndup(data, size);
    size_t len = strlen(line), want_used;
    int want_n;
    char *want = malloc(len + 1);

    int ref_ok = ref_split(line, want, &want_used, &want_n) == 0;
    FUZZ_ASSERT(want_used <= len + 1, "the reference needs more than strlen + 1");

    /* Plenty of room, as the header promises: strlen + 1 bytes. */
    int max_args = (int)(len / 2) + 2;
    char **argv = malloc(sizeof *argv * (size_t)max_args), *buf = NULL;
    int argc = split_and_check(line, len + 1, max_args, ref_ok, want, want_used, want_n, argv,
                               &buf);
    /* Exactly the room needed, then one byte or one slot less. */
    if (ref_ok) {
        split_and_check(line, want_used, want_n + 1, ref_ok, want, want_used, want_n, NULL, NULL);
        if (want_used > 0)
            split_and_check(line, want_used - 1, want_n + 1, ref_ok, want, want_used, want_n,
                            NULL, NULL);
        split_and_check(line, want_used, want_n, ref_ok, want, want_used, want_n, NULL, NULL);
    }
    split_and_check(line, len + 1, 0, ref_ok, want, want_used, want_n, NULL, NULL);

    if (argc >= 0) {
        oracle_options(argc, argv, OPTIONS_HOST, OPTIONS_MSG_SIZE, OPTIONS_MSG_SIZE);
        oracle_options(argc, argv, OPTIONS_KERNEL, OPTIONS_MSG_SIZE, OPTIONS_MSG_SIZE);
        free(buf);
    }
    free(argv);
    free(want);
    free(line);
    return 0;
}

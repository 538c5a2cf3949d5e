/* The kernel command line, split into arguments like a shell does (see
 * cmdline.h for the quoting rules and why they are those of GRUB).
 * One pass over the line; each argument is copied with its quotes and
 * escapes removed into the caller's buffer, NUL-terminated. */
#include "lib/cmdline.h"
#include "lib/format.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int cmdline_split(const char *line, char *buf, size_t buflen, char **argv, int max_args,
                  int *argc, char *err, size_t errlen)
{
    const char *start = line ? line : "", *p = start;
    size_t used = 0;
    int n = 0;

    *argc = 0;
    if (errlen > 0)
        err[0] = 0;
    if (max_args < 1) {
        fmt_snprintf(err, errlen, "command line: no room for the argument list");
        return -1;
    }

    for (;;) {
        char *arg = buf + used;
        char quote = 0;                  /* 0, '"' or '\'' */
        size_t quote_at = 0;

        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        if (n >= max_args - 1) {
            fmt_snprintf(err, errlen, "command line: more than %d arguments", max_args - 1);
            goto fail;
        }
        while (*p) {
            char c = *p++;
            if (quote == '\'') {         /* all literal up to the closing ' */
                if (c == '\'') {
                    quote = 0;
                    continue;
                }
            } else if (c == '\\') {
                if (!*p) {
                    fmt_snprintf(err, errlen, "command line: a backslash at the very end "
                                              "escapes nothing");
                    goto fail;
                }
                c = *p++;
            } else if (c == '"' || (c == '\'' && !quote)) {
                if (!quote)
                    quote_at = (size_t)(p - 1 - start);
                quote = quote ? 0 : c;
                continue;
            } else if (!quote && is_blank(c)) {
                break;
            }
            if (used >= buflen)
                goto too_long;
            buf[used++] = c;
        }
        if (quote) {
            fmt_snprintf(err, errlen, "command line: the %s quote at column %zu is never closed",
                         quote == '"' ? "double" : "single", quote_at + 1);
            goto fail;
        }
        if (used >= buflen)
            goto too_long;
        buf[used++] = 0;
        argv[n++] = arg;
    }
    argv[n] = NULL;
    *argc = n;
    return 0;

too_long:
    fmt_snprintf(err, errlen, "command line: longer than its %zu-byte buffer", buflen);
fail:
    argv[0] = NULL;
    return -1;
}

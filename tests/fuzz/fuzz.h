/* Shared by the libFuzzer targets in tests/fuzz/ (built by mk/fuzz.mk with
 * clang -fsanitize=fuzzer,address,undefined). A target checks properties
 * of the result as well as memory safety: FUZZ_ASSERT prints what broke
 * and aborts, which libFuzzer reports as a crash and saves the input. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond, ...)                                                \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: property broken: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, "" __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                            \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* A heap copy of exactly n bytes (at least one allocation, so that ASan
 * reports any read past the n bytes). */
static inline void *fuzz_dup(const void *p, size_t n)
{
    void *q = malloc(n ? n : 1);
    if (!q)
        abort();
    if (n)
        memcpy(q, p, n);
    return q;
}

/* A message a function wrote into err[0..len): NUL-terminated inside it,
 * one line, and (when the call failed) not empty. */
static inline void fuzz_check_message(const char *msg, size_t len, int must_have_text,
                                      const char *what)
{
    if (len == 0)
        return;
    size_t n = strnlen(msg, len);
    FUZZ_ASSERT(n < len, "%s is not NUL-terminated inside its %zu bytes", what, len);
    FUZZ_ASSERT(!memchr(msg, '\n', n), "%s has a newline: [%s]", what, msg);
    FUZZ_ASSERT(strncmp(msg, "error:", 6) != 0, "%s has an error: prefix: [%s]", what, msg);
    if (must_have_text && len > 1)
        FUZZ_ASSERT(n > 0, "%s is empty after a failure", what);
}

/* A heap string of exactly n + 1 bytes: p[0..n) and a NUL. */
static inline char *fuzz_strndup(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, p, n);
    s[n] = 0;
    return s;
}

#endif

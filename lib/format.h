/* printf-style formatting for code that has no C library (the kernel) and
 * for code that must print the same bytes in both builds (statistics such
 * as "achieved tok/s: 12.345678").
 *
 * Conversions: d i u o x X c s p % and f F e E g G; flags - 0 + space #;
 * width and precision, both also as *; length modifiers hh h l ll z t j.
 * Doubles print exactly what glibc prints (correctly rounded, ties to even,
 * "inf"/"nan"/"-nan"). Not supported: %n, %a, the L modifier and wide
 * characters; such a conversion is copied to the output as written. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives the output in pieces: n bytes at s (not NUL-terminated). */
typedef void (*fmt_out_fn)(void *ctx, const char *s, size_t n);

/* C99 vsnprintf/snprintf: write at most n-1 bytes and a NUL into buf (when
 * n > 0) and return the length the whole output has (so the output was cut
 * if the result is >= n); -1 when that length does not fit in an int. */
int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The same formatting, handed piece by piece to out(ctx, ...) (for a
 * console printf). out may be NULL, to count only. Returns the length
 * written, or -1 when it does not fit in an int. */
int fmt_vcallback(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);
int fmt_callback(fmt_out_fn out, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

/* The string functions lib/libc.h declares, for the kernel only (the host
 * uses its C library; the Makefile never builds lib/libc/ for the host).
 *
 * Two traps for code like this:
 *  - gcc recognises loops that copy, fill or scan memory and replaces them
 *    with calls to memcpy/memset/strlen, which here would be the function
 *    itself: infinite recursion. The attribute NO_LIBCALLS switches that
 *    pattern recognition off for every function in this file.
 *  - memcpy, memmove and memset are hot (checkpoint set-up, activations),
 *    so they use the x86-64 string instructions, which modern CPUs run at
 *    full speed ("fast strings"). The kernel keeps the direction flag clear,
 *    as the System V ABI requires at every call; memmove sets it only for
 *    its own backward copy and clears it again. */
#include <stdint.h>

#include "lib/libc.h"

#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))

NO_LIBCALLS void *memcpy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

NO_LIBCALLS void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* A forward copy is safe unless dst starts inside [src, src + n). */
    if ((uintptr_t)d - (uintptr_t)s >= n)
        return memcpy(dst, src, n);
    if (n == 0)
        return dst;
    d += n - 1;
    s += n - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
}

NO_LIBCALLS void *memset(void *dst, int c, size_t n)
{
    void *d = dst;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

NO_LIBCALLS int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *p = a, *q = b;

    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p - *q;
    return 0;
}

NO_LIBCALLS size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

NO_LIBCALLS int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *(const unsigned char *)a - *(const unsigned char *)b;
}

NO_LIBCALLS int strncmp(const char *a, const char *b, size_t n)
{
    if (n == 0)
        return 0;
    while (--n && *a && *a == *b)
        a++, b++;
    return *(const unsigned char *)a - *(const unsigned char *)b;
}

NO_LIBCALLS char *strchr(const char *s, int c)
{
    char ch = (char)c;

    for (;; s++) {
        if (*s == ch)
            return (char *)s;
        if (!*s)
            return 0;
    }
}

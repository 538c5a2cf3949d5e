/* The few C library functions the freestanding code uses.
 * In the kernel they come from lib/libc/; on the host, from the C library.
 * Prototypes are the standard ones, so both builds mean the same thing. */
#ifndef LIB_LIBC_H
#define LIB_LIBC_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif

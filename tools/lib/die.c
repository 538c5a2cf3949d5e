#include "tools/lib/die.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void (*cleanup)(void);

void die_cleanup(void (*fn)(void)) { cleanup = fn; }

void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cleanup) cleanup();
    exit(1);
}

/* Filling a llama_error (see llama.h): one line, printf-style. */
#ifndef LIB_LLAMA_ERRORS_H
#define LIB_LLAMA_ERRORS_H

#include "lib/llama/llama.h"

/* Formats the message into err (if not NULL) and returns -1. */
int llama_fail(llama_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif

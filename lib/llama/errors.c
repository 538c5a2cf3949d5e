/* Error messages (see errors.h), formatted by lib/format. */
#include <stdarg.h>
#include "lib/llama/errors.h"
#include "lib/format.h"

int llama_fail(llama_error *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

#include "kernel/console.h"
#include <stdarg.h>
#include "drivers/serial.h"
#include "lib/format.h"
#include "lib/libc.h"

static int have_serial, have_screen;

/* What was printed before the screen came up (it needs the page tables
 * first), shown on it once it does. */
static char early[8192];
static size_t early_len;

void console_init_serial(void) { have_serial = serial_init(); }

const char *console_init_screen(const struct fb_desc *fb) {
    have_screen = fbcon_init(fb) == 0;
    if (have_screen) fbcon_write(early, early_len);
    return have_screen ? 0 : "unsupported pixel format or size";
}

int console_has_serial(void) { return have_serial; }
int console_has_screen(void) { return have_screen; }

void console_write(const char *s, size_t n) {
    if (have_serial) serial_write(s, n);
    if (have_screen) {
        fbcon_write(s, n);
    } else if (early_len < sizeof early) {
        size_t room = sizeof early - early_len, k = n < room ? n : room;
        memcpy(early + early_len, s, k);
        early_len += k;
    }
}

void kprintf(const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

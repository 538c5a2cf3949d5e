/* The consoles (see console.h): one lock so that lines from two cores never
 * interleave, the text printed before the screen came up replayed on it,
 * and printf-style output streamed piece by piece, so that no line is ever
 * cut by a buffer (a 7 KB prompt echoed, or a long error message). */
#include "kernel/console.h"
#include "drivers/serial.h"
#include "kernel/io.h"
#include "kernel/smp.h"
#include "lib/format.h"
#include "lib/libc.h"

static int have_serial, have_screen;
static bool verbose;    /* --verbose: kdetail prints */
static bool mid_line;   /* the last byte written was not a newline */

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

void console_set_verbose(bool on) { verbose = on; }
bool console_verbose(void) { return verbose; }

int console_has_serial(void) { return have_serial; }
int console_has_screen(void) { return have_screen; }

/* One core writes at a time, so lines from two cores never interleave. The
 * lock is re-entered by its owner (a fault while printing is still
 * reported) and broken by console_force_unlock on the error path. */
static int lock_owner;   /* 0: free, else the owner's core index + 1 */
static int lock_depth;   /* touched only by the owner */

static void lock(void) {
    int me = smp_cpu_id() + 1;
    if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) == me) {
        lock_depth++;
        return;
    }
    for (;;) {
        int free = 0;
        if (__atomic_compare_exchange_n(&lock_owner, &free, me, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
            break;
        while (__atomic_load_n(&lock_owner, __ATOMIC_RELAXED)) cpu_pause();
    }
    lock_depth = 1;
}

static void unlock(void) {
    if (--lock_depth == 0) __atomic_store_n(&lock_owner, 0, __ATOMIC_RELEASE);
}

void console_force_unlock(void) {
    if (__atomic_load_n(&lock_owner, __ATOMIC_ACQUIRE) != smp_cpu_id() + 1)
        __atomic_store_n(&lock_owner, 0, __ATOMIC_RELEASE);
}

void console_write(const char *s, size_t n) {
    lock();
    if (have_serial) serial_write(s, n);
    if (have_screen) {
        fbcon_write(s, n);
    } else if (early_len < sizeof early) {
        size_t room = sizeof early - early_len, k = n < room ? n : room;
        memcpy(early + early_len, s, k);
        early_len += k;
    }
    if (n) mid_line = s[n - 1] != '\n';
    unlock();
}

void console_show_cursor(bool visible) {
    lock();
    if (have_screen) fbcon_show_cursor(visible);
    unlock();
}

void console_status(const char *text) {
    lock();
    if (have_screen) fbcon_status(text);
    unlock();
}

static void write_piece(void *ctx, const char *s, size_t n) { (void)ctx; console_write(s, n); }

/* The formatted text goes out as it is made, under one hold of the lock
 * (the lock is re-entered by console_write). */
static void kvprintf(const char *fmt, va_list ap) {
    lock();
    fmt_vcallback(write_piece, 0, fmt, ap);
    unlock();
}

void kprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void kdetail(const char *fmt, ...) {
    if (!verbose) return;
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void kvprintf_line(const char *prefix, const char *fmt, va_list ap) {
    lock();
    if (mid_line) console_write("\n", 1);
    console_write(prefix, strlen(prefix));
    kvprintf(fmt, ap);
    if (mid_line) console_write("\n", 1);
    unlock();
}

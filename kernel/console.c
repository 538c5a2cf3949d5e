#include "kernel/console.h"
#include <stdarg.h>
#include "drivers/serial.h"
#include "kernel/io.h"
#include "kernel/smp.h"
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

/* Formats first, then takes the console lock once for the whole text. */
void kprintf(const char *fmt, ...) {
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    console_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

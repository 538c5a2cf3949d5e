#include "kernel/crash.h"
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/panic.h"
#include "lib/libc.h"

#pragma GCC diagnostic ignored "-Winfinite-recursion"

/* Recurses until the stack runs into its guard page; the volatile buffer
 * keeps the compiler from turning the recursion into a loop. */
__attribute__((noinline)) static int recurse(int depth) {
    volatile char pad[512];
    pad[0] = (char)depth;
    return recurse(depth + 1) + pad[0];
}

void crash_now(const char *kind) {
    kprintf("crash: raising '%s' on purpose (--crash)\n", kind);
    if (strcmp(kind, "divide") == 0) {
        uint32_t hi = 0, lo = 1, zero = 0;   /* asm: gcc rewrites 1/x without a div */
        __asm__ volatile("divl %2" : "+a"(lo), "+d"(hi) : "r"(zero));
    } else if (strcmp(kind, "ud") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(kind, "pagefault") == 0) {
        volatile uintptr_t null_page = 0x10;   /* the unmapped null page */
        volatile uint64_t *p = (volatile uint64_t *)null_page;
        kprintf("%llu\n", (unsigned long long)*p);
    } else if (strcmp(kind, "gpf") == 0) {
        volatile uintptr_t bad = 0x8000000000000000ull;   /* non-canonical */
        volatile uint64_t *p = (volatile uint64_t *)bad;
        kprintf("%llu\n", (unsigned long long)*p);
    } else if (strcmp(kind, "stackoverflow") == 0) {
        kprintf("%d\n", recurse(0));
    }
    kernel_error("--crash %s raised no exception", kind);
}

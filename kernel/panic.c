#include "kernel/panic.h"
#include <stdarg.h>
#include "drivers/qemu_exit.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/power.h"
#include "lib/format.h"

int exit_when_done;

void kernel_stop(enum exit_status status) {
    if (exit_when_done) qemu_exit(status);
    /* Not under QEMU's exit device (or on real hardware). After a CPU
     * exception the machine's state is suspect: halt. Otherwise a person
     * is in front of it: offer to reboot or switch off. */
    if (status == EXIT_EXCEPTION) {
        kprintf("halted.\n");
        halt_forever();
    }
    if (status == EXIT_OK) kprintf("done.\n");
    power_offer();
}

void kernel_error(const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    kprintf("error: %s\n", msg);
    kernel_stop(EXIT_ERROR);
}

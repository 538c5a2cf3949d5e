/* How the kernel ends (see panic.h): the outcome line, then QEMU's exit
 * device under --exit, else a halt or the offer to reboot. */
#include "kernel/panic.h"
#include <stdarg.h>
#include "drivers/qemu_exit.h"
#include "kernel/console.h"
#include "kernel/io.h"
#include "kernel/power.h"
#include "lib/format.h"

int exit_when_done;

__attribute__((format(printf, 2, 3)))
static void print_line(const char *prefix, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf_line(prefix, fmt, ap);
    va_end(ap);
}

void kernel_stop(enum exit_status status) {
    /* The last line of every run, on a line of its own, for scripts to grep. */
    static const char *const words[] = {"ok", "error", "exception"};
    print_line("outcome: ", "%s", words[status]);
    if (exit_when_done) qemu_exit(status);
    /* Not under QEMU's exit device (or on real hardware). After a CPU
     * exception the machine's state is suspect: halt. Otherwise a person
     * is in front of it: offer to reboot or switch off. */
    if (status == EXIT_EXCEPTION) {
        kprintf("halted.\n");
        halt_forever();
    }
    power_offer();
}

void kernel_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kvprintf_line("error: ", fmt, ap);   /* streamed: never cut, always one ended line */
    va_end(ap);
    kernel_stop(EXIT_ERROR);
}

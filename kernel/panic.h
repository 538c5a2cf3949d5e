/* How the kernel ends: with success, or with one "error: ..." line on every
 * console; either way the line "outcome: ok|error|exception" follows, which
 * a script can grep for. Under --exit it leaves QEMU with a status (0 ok,
 * 1 error, 2 CPU exception); otherwise, after a CPU exception, it says
 * "halted." and halts, and after success or an error it asks for a key to
 * reboot or switch off (kernel/power.h). */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

enum exit_status { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_EXCEPTION = 2 };

extern int exit_when_done;   /* set from --exit */

__attribute__((noreturn)) void kernel_stop(enum exit_status status);
__attribute__((noreturn, format(printf, 1, 2))) void kernel_error(const char *fmt, ...);

#endif

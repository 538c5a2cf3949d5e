/* Everything the kernel prints goes to every console: COM1 and the
 * framebuffer text console, whichever are present. Details of what each
 * subsystem found (kdetail) are printed only under --verbose; summaries,
 * notes and errors always. No line is ever cut: kprintf streams its text. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include "drivers/fbcon.h"

void console_init_serial(void);
/* Adds the screen; returns 0 when it works, else a reason string. */
const char *console_init_screen(const struct fb_desc *fb);
/* Writes to every console, one core at a time (a spinlock). */
void console_write(const char *s, size_t n);
/* The error path, once the other cores are halted: drops the lock if a
 * halted core held it. */
void console_force_unlock(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One whole line: begins on a fresh line (a newline first if the last text
 * did not end one), prefix, the formatted text, and a newline. For error:
 * and outcome: lines, which a reader or a script looks for at a line's start. */
void kvprintf_line(const char *prefix, const char *fmt, va_list ap);
/* Details: printed as kprintf does under --verbose, dropped otherwise. */
void kdetail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_set_verbose(bool on);
bool console_verbose(void);
/* The screen's cursor (for the line editor) and its status line; no-ops
 * without a screen. */
void console_show_cursor(bool visible);
void console_status(const char *text);
int console_has_serial(void);
int console_has_screen(void);

#endif

/* Everything the kernel prints goes to every console: COM1 and the
 * framebuffer text console, whichever are present. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

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
/* The screen's cursor (for the line editor) and its status line; no-ops
 * without a screen. */
void console_show_cursor(bool visible);
void console_status(const char *text);
int console_has_serial(void);
int console_has_screen(void);

#endif

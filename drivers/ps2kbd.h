/* The PS/2 keyboard behind the i8042 controller (ports 0x60 and 0x64),
 * polled: the kernel runs with interrupts off. Most PCs have one, or
 * emulate one for a USB keyboard ("USB legacy support" in the firmware
 * setup); QEMU has one. A USB keyboard without that emulation is out of
 * reach: it would need a USB host controller driver. */
#ifndef DRIVERS_PS2KBD_H
#define DRIVERS_PS2KBD_H

#include <stdbool.h>

/* Looks for the controller and reads which scan code set it delivers
 * (set 1 when it translates, as firmware leaves it; set 2 otherwise).
 * Changes nothing but enabling the keyboard port and the keyboard's
 * scanning, in case firmware stopped them.
 * False when no controller answers; then ps2kbd_read_char returns -1. */
bool ps2kbd_init(void);
/* "scan code set 1 (translated)" or "scan code set 2", after init. */
const char *ps2kbd_describe(void);

/* The next character typed (see drivers/keymap.h), or -1 when none waits. */
int ps2kbd_read_char(void);

#endif

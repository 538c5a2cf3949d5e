/* USB keyboards in the boot protocol (HID 1.11 appendix B), polled: each
 * report is decoded by drivers/usb_kbd_report.c into the characters the
 * PS/2 keyboard would give, so kernel/input.c treats both alike. */
#ifndef DRIVERS_USB_KBD_H
#define DRIVERS_USB_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include "drivers/usb.h"

/* Takes the keyboard interface iface of d. 0, or why it cannot (a
 * phrase). */
const char *usb_kbd_start(struct usb_device *d, const struct usb_interface_info *iface);
/* Reads the keyboard's reports since the last call; repeats a held key. */
void usb_kbd_poll(struct usb_device *d);
void usb_kbd_stop(struct usb_device *d);

/* The next character typed on any USB keyboard (after usb_poll), or -1. */
int usb_kbd_read_char(void);
/* The keyboards working now, and where each is ("USB HID on xHCI port 3"). */
int usb_kbd_count(void);
void usb_kbd_describe(int i, char *buf, size_t size);

#endif

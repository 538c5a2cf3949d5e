/* USB keyboard boot-protocol reports to characters, US layout, with the
 * key repeat a USB keyboard leaves to the host. No hardware: the driver
 * (drivers/usb_kbd.c) hands over the 8-byte reports the keyboard sends,
 * the host tests hand over made-up ones.
 *
 * A boot report (HID 1.11 appendix B.1): byte 0 the modifier keys (bit 0
 * left Ctrl, 1 left Shift, 2 left Alt, 3 left GUI, 4-7 the same on the
 * right), byte 1 reserved, bytes 2-7 the usage codes (HID Usage Tables,
 * page 7) of up to six keys held down, in no promised order. With more
 * keys held than it can tell apart, a keyboard fills all six with 0x01
 * (ErrorRollOver): the keys are then as they were. A key typed is one that
 * appears in a report and was not in the one before.
 *
 * The characters are those of drivers/keymap.h, so the PS/2 and the USB
 * keyboard type the same: printable ASCII; '\n' Enter (either); '\b'
 * Backspace; '\t' Tab; 0x1b Escape; Ctrl with a letter its control code
 * (Ctrl-D 0x04, Ctrl-U 0x15); Shift and Caps Lock as on a US keyboard; the
 * keypad its digits and signs. Keys without a character (arrows, F1-F12,
 * Delete...) give none, as on the PS/2 keyboard.
 *
 * Repeat: the last key pressed, held for USB_KBD_REPORT_REPEAT_DELAY_MS, types
 * again every USB_KBD_REPORT_REPEAT_MS (the PS/2 keyboard's power-on typematic
 * setting: 500 ms, 10.9 a second), with the modifiers held at that time,
 * until it is released or another key is pressed. */
#ifndef DRIVERS_USB_KBD_REPORT_H
#define DRIVERS_USB_KBD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define USB_KBD_REPORT_REPEAT_DELAY_MS 500
#define USB_KBD_REPORT_REPEAT_MS 92

struct usb_kbd_report {
    uint8_t mods;
    uint8_t keys[6];           /* the keys held, as the last report listed them */
    bool caps;                 /* Caps Lock on */
    uint8_t repeat_key;        /* the usage that repeats while held; 0 = none */
    uint64_t repeat_at;        /* when it types next (ms) */
};

/* Starts decoding: no key held, Caps Lock off. */
void usb_kbd_report_init(struct usb_kbd_report *s);

/* Feeds one report of n bytes received at now_ms (a clock in ms). Writes
 * the characters it types to out (room for 6) and returns how many. A
 * report shorter than 3 bytes, or one of ErrorRollOver, types nothing
 * (the latter still updates the modifiers). */
int usb_kbd_report_feed(struct usb_kbd_report *s, const uint8_t *report, size_t n, uint64_t now_ms,
                 int out[6]);

/* The character the held key types again when its time has come (now_ms),
 * else -1. Call it often: each call gives at most one repeat. */
int usb_kbd_report_repeat(struct usb_kbd_report *s, uint64_t now_ms);

/* The LED report the keyboard should show (bit 1: Caps Lock). */
uint8_t usb_kbd_report_leds(const struct usb_kbd_report *s);

#endif

/* PS/2 keyboard scan codes to characters, US layout. No hardware: the
 * driver (drivers/ps2kbd.c) hands over the bytes the i8042 controller
 * delivers, and the host tests hand over made-up ones.
 *
 * Scan code set 1 is what a PC keyboard speaks after the controller's
 * translation (the firmware's usual setting, and what USB legacy emulation
 * offers); set 2 is what the keyboard itself speaks when translation is off.
 * Set 2 codes are mapped to set 1 here with the controller's own table. */
#ifndef DRIVERS_KEYMAP_H
#define DRIVERS_KEYMAP_H

#include <stdbool.h>
#include <stdint.h>

struct keymap {
    bool set2;                  /* the bytes are scan code set 2 */
    bool e0, f0;                /* prefix bytes seen: extended key, (set 2) release */
    uint8_t skip;               /* bytes of a Pause sequence still to drop */
    bool lshift, rshift, lctrl, rctrl, caps;
};

/* Starts decoding (keys up, caps lock off) for set 1 or set 2. */
void keymap_init(struct keymap *k, bool set2);

/* Feeds one byte. Returns the character a key press gives, or -1 when
 * the byte gives none (a release, a modifier, a prefix, a key without a
 * character). Characters: printable ASCII; '\n' Enter (either);
 * '\b' Backspace; '\t' Tab; 0x1b Escape; Ctrl with a letter gives its
 * control code (Ctrl-D 0x04, Ctrl-U 0x15, Ctrl-C 0x03). Shift and
 * caps lock as on a US keyboard; the keypad gives its digits and signs
 * (as with num lock on). */
int keymap_feed(struct keymap *k, uint8_t byte);

#endif

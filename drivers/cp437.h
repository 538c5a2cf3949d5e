/* Unicode to code page 437, the character set of the PC's text mode (the
 * VGA's built-in font): what fbcon draws when GRUB leaves the screen in
 * EGA text mode. */
#ifndef DRIVERS_CP437_H
#define DRIVERS_CP437_H

#include <stdint.h>

/* The CP437 byte for code point cp: itself for printable ASCII; the
 * character for the accented letters, symbols, Greek letters and box
 * drawing that CP437 has; the nearest ASCII for typographic quotes and
 * dashes; 0 when CP437 has nothing for it. */
uint8_t cp437_from_unicode(uint32_t cp);

#endif

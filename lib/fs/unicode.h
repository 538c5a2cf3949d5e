/* Names on disk are UTF-16 (exFAT, FAT long names, Joliet) or bytes
 * (ISO 9660, Rock Ridge); the API hands out UTF-8. Conversion, and the
 * up-casing the filesystems compare names with. */
#ifndef LIB_FS_UNICODE_H
#define LIB_FS_UNICODE_H

#include <stddef.h>
#include <stdint.h>

/* Writes n UTF-16 code units (native order) as UTF-8 with a NUL into out.
 * A lone surrogate becomes U+FFFD. Returns the length without the NUL, or
 * -1 when it does not fit in cap bytes. */
int fs_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap);

/* The next code point of a UTF-8 string, advancing *s (a byte that is not
 * valid UTF-8 is taken as that Latin-1 character). 0 at the end. */
uint32_t fs_utf8_next(const char **s);

/* The upper case of a code point in the Basic Multilingual Plane: ASCII,
 * Latin-1, Latin Extended-A, Greek, Cyrillic; anything else is itself.
 * tools/mkexfat writes exFAT's up-case table from it. */
uint32_t fs_upcase(uint32_t c);

#endif

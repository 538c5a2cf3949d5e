/* Bitmap fonts for the framebuffer console, generated at build time by
 * tools/psf2c from Linux console (PSF) fonts into build/kernel/gen/font.c. */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include <stddef.h>
#include <stdint.h>

struct fbcon_font {
    const char *name;            /* file name without extension */
    uint16_t width, height;      /* glyph cell in pixels */
    uint16_t row_bytes;          /* bytes per glyph row: (width + 7) / 8 */
    uint16_t glyph_count;
    /* glyph_count * height rows of row_bytes each; the leftmost pixel of a
     * row is the most significant bit of its first byte. */
    const uint8_t *bitmaps;
    /* The Unicode table: codepoints[i] is drawn with glyph glyphs[i];
     * codepoints is sorted ascending, without duplicates. */
    const uint32_t *codepoints;
    const uint16_t *glyphs;
    uint32_t map_count;
};

extern const struct fbcon_font fbcon_fonts[];
extern const size_t fbcon_font_count;

#endif

/* Text console on a linear framebuffer, or on the PC's text mode: UTF-8
 * in, glyphs (or CP437 characters) out.
 *
 * The console knows nothing about how the framebuffer was found (multiboot2,
 * GOP, a test's malloc'd buffer): it is handed a struct fb_desc. It keeps the
 * text in a grid of cells in RAM and draws only the cells that changed.
 * The bottom text row is reserved for a status line (fbcon_status).
 *
 * Not reentrant: on SMP the caller holds its console lock around every call. */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fb_desc {
    void *base;                 /* pixel (0, 0), mapped and writable */
    uint32_t width, height;     /* in pixels */
    uint32_t pitch;             /* bytes from the start of one row to the next */
    uint8_t bpp;                /* bits per pixel: 32 or 24, nothing else */
    /* EGA text mode instead (the PC's 0xB8000 buffer, as GRUB leaves it with
     * gfxpayload=text): base is the first 16-bit cell (CP437 character, then
     * colours), width and height count characters, pitch is bytes per text
     * row; bpp and the colour fields are not used. */
    bool ega_text;
    /* Where each 8-bit colour channel goes in a pixel: bit position of its
     * least significant bit and its width in bits. RGB or BGR order follows. */
    uint8_t red_pos, red_size;
    uint8_t green_pos, green_size;
    uint8_t blue_pos, blue_size;
};

/* The 16 colours of the PC text console, in its order. */
enum fbcon_color {
    FBCON_BLACK, FBCON_BLUE, FBCON_GREEN, FBCON_CYAN,
    FBCON_RED, FBCON_MAGENTA, FBCON_BROWN, FBCON_LIGHT_GREY,
    FBCON_DARK_GREY, FBCON_LIGHT_BLUE, FBCON_LIGHT_GREEN, FBCON_LIGHT_CYAN,
    FBCON_LIGHT_RED, FBCON_LIGHT_MAGENTA, FBCON_YELLOW, FBCON_WHITE,
};

/* What fbcon_init chose, for callers and tests. */
struct fbcon_info {
    unsigned cols, rows;        /* text area, in cells (the status line excluded) */
    unsigned cell_width, cell_height;   /* pixels per cell: font size times scale */
    unsigned scale;             /* each font pixel is scale x scale screen pixels */
    bool has_status;            /* a status line is reserved below the text */
    unsigned status_y;          /* its top pixel row, when has_status */
    const char *font;           /* the font's name, e.g. "Uni2-Terminus16"; "VGA text mode" */
};

/* Takes over the framebuffer: picks a font size for its resolution, clears it
 * to black. Returns 0, or -1 when the pixel format is unsupported (bpp other
 * than 32 or 24, colour fields that do not fit) or the screen cannot hold
 * a single cell; then every other call does nothing. May be called again,
 * e.g. for another framebuffer. */
int fbcon_init(const struct fb_desc *fb);

bool fbcon_ready(void);
void fbcon_get_info(struct fbcon_info *info);

/* Draws n bytes of UTF-8. A code point may be split across calls; malformed
 * input draws U+FFFD, a code point the font lacks a box. Controls: \n next
 * line, \r column 0, \t next multiple of 8, \b one cell left (at column 0 to
 * the end of the text on the line above, so a line editor can erase across
 * a wrap); others are ignored. Text that reaches the right edge wraps at a
 * word: a word that fits on a line moves to the next one, a space at the
 * edge becomes the line break, a word longer than a line is cut at the edge.
 * Text that reaches the bottom scrolls the text area up. */
void fbcon_write(const char *s, size_t n);

/* Colours for the text written from now on. Default: light grey on black. */
void fbcon_set_color(enum fbcon_color fg, enum fbcon_color bg);

/* Shows text (UTF-8, one line, cut at the screen's width) on the reserved
 * status line in reverse colours; NULL or "" leaves the line blank. The line
 * stays put while the text above it scrolls. */
void fbcon_status(const char *text);

/* A visible cursor (an underline) for the line editor. Default: hidden. */
void fbcon_show_cursor(bool visible);

/* Blanks the text area and moves the cursor home; keeps the status line. */
void fbcon_clear(void);

#endif

/* Text console on a linear framebuffer, or on the PC's text mode.
 *
 * The hardware: a block of memory, `pitch` bytes per row of pixels, each
 * pixel 4 or 3 bytes whose red, green and blue fields sit where the fb_desc
 * says (the firmware's GOP mode, passed on by GRUB). Nothing else: no text
 * mode, no hardware cursor, no panning, so scrolling means redrawing.
 *
 * How it stays cheap (QEMU's TCG makes every framebuffer store costly, and
 * on real hardware framebuffer reads are slower still):
 *  - The text lives in `want`, a grid of cells in RAM (glyph and colours).
 *    Writing text or scrolling only changes this grid.
 *  - `shown` records what each cell on the screen shows. fbcon_sync draws
 *    the cells where the two differ, once per fbcon_write call, so a write
 *    that scrolls ten times redraws once, and blank cells that stay blank
 *    (the right side of most lines) are never touched.
 *  - Changed cells are drawn a pixel row at a time across the text row, so
 *    stores run along memory, two 32-bit pixels per store.
 *  - The framebuffer is never read.
 * Measured under QEMU TCG (64-bit guest, std VGA, host at 2.6 GHz): a scroll
 * of a full screen of text costs 3 ms at 1024x768, 6 ms at 1920x1080 and
 * 16 ms at 3840x2160 (moving the framebuffer up a row instead: 6, 17 and
 * 66 ms); drawing a word costs 0.1-0.6 ms. So it scrolls a row at a time.
 *
 * The font: Terminus, three sizes (8x16, 12x24, 16x32) converted from PSF
 * at build time (tools/psf2c, drivers/font.h); fbcon_init picks the largest
 * cell, possibly a doubled font, that still gives 80 columns and 30 rows, so
 * 1024x768 gets 12x24 (85x32) and 3840x2160 gets 16x32 doubled (120x33).
 *
 * EGA text mode (when GRUB hands over no graphics mode): the same grid, each
 * cell drawn as one 16-bit store of a CP437 character and its colours into
 * the text buffer; a glyph index is then a CP437 byte, the font unused. */
#include "drivers/fbcon.h"
#include "drivers/cp437.h"
#include "drivers/font.h"
#include "lib/libc.h"

#define MAX_COLS 256
#define MAX_ROWS 128                 /* status line included */
#define MIN_COLS 80                  /* what the font choice aims for */
#define MIN_ROWS 30

/* A cell: glyph index in bits 0-15, foreground colour 16-19, background
 * 20-23, cursor 24. Two glyph indices are ours, not the font's. */
#define GLYPH_BOX   0xFFFFu          /* a code point the font lacks */
#define GLYPH_BLANK 0xFFFEu          /* space: nothing but background */
#define CELL_CURSOR (1u << 24)
#define CELL(glyph, fg, bg) ((uint32_t)(glyph) | (uint32_t)(fg) << 16 | (uint32_t)(bg) << 20)
#define CELL_GLYPH(c) ((c) & 0xFFFFu)
#define CELL_FG(c) (((c) >> 16) & 15u)
#define CELL_BG(c) (((c) >> 20) & 15u)

static const uint32_t palette_rgb[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xC0C0C0,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

struct utf8 {
    uint32_t cp;                     /* the code point so far, */
    unsigned need;                   /* continuation bytes still expected, */
    uint8_t lo, hi;                  /* and the range the next one must be in */
};

static struct {
    bool ready;
    bool ega;                        /* EGA text mode: cells, not pixels */
    uint8_t *fb;
    uint32_t width, height, pitch, bytes_pp;
    uint32_t pixel[16];              /* palette_rgb in the framebuffer's format */

    const struct fbcon_font *font;
    unsigned scale, cell_w, cell_h;
    unsigned cols, rows;             /* the grid, status line included */
    unsigned text_rows;              /* rows above the status line */
    bool has_status;
    uint16_t ascii[128];             /* glyph of each ASCII code point */

    unsigned col, row;               /* cursor; col == cols: wrap before the next glyph */
    /* Where \b at column 0 of row r + 1 goes on row r: the last cell of a
     * full row (cols - 1), the space before a word that was carried to the
     * next row, or cols when a space was taken by the line break. */
    uint16_t back_col[MAX_ROWS];
    uint8_t fg, bg;
    bool cursor_on;

    struct utf8 utf8;                /* fbcon_write's decoder: it spans calls */

    unsigned dirty_lo, dirty_hi;     /* rows to compare in fbcon_sync; lo > hi: none */
} con;

static uint32_t want[MAX_COLS * MAX_ROWS];
static uint32_t shown[MAX_COLS * MAX_ROWS];

/* ------------------------------------------------------------ pixels */

static uint32_t channel(uint32_t value8, unsigned pos, unsigned size) {
    uint32_t v = size <= 8 ? value8 >> (8 - size)
                           : (value8 << (size - 8)) | (value8 >> (16 - size));
    return v << pos;
}

/* A row mask of glyph g's font row y: bit (width - 1 - x) is pixel x. */
static uint32_t glyph_row(unsigned g, unsigned y) {
    const struct fbcon_font *f = con.font;
    unsigned w = f->width;
    if (g == GLYPH_BLANK) return 0;
    if (g == GLYPH_BOX) {            /* outline inset by 1 column and 2 rows */
        uint32_t full = ((1u << (w - 2)) - 1) << 1;
        if (y == 2 || y == f->height - 3u) return full;
        if (y > 2 && y < f->height - 3u) return 1u << (w - 2) | 1u << 1;
        return 0;
    }
    const uint8_t *p = f->bitmaps + ((size_t)g * f->height + y) * f->row_bytes;
    uint32_t bits = 0;
    for (unsigned i = 0; i < f->row_bytes; i++) bits = bits << 8 | p[i];
    return bits >> (f->row_bytes * 8 - w);
}

/* Two 32-bit pixels in one store; the framebuffer's rows need only be
 * 4-byte aligned. */
typedef uint64_t pixel_pair __attribute__((aligned(4), may_alias));

/* Draws one font row (bits, from glyph_row) of a cell, scaled horizontally,
 * at px: pixels are fg where a bit is set, else bg. */
static void draw_bits(uint8_t *px, uint32_t bits, uint32_t fg, uint32_t bg) {
    const unsigned w = con.font->width, s = con.scale;
    if (con.bytes_pp == 4 && s <= 2) {
        /* 64-bit stores: under TCG every guest store costs, so halve them */
        pixel_pair *out = (pixel_pair *)px;
        if (s == 2) {
            const uint64_t two[2] = {bg | (uint64_t)bg << 32, fg | (uint64_t)fg << 32};
            for (unsigned x = 0; x < w; x++) out[x] = two[bits >> (w - 1 - x) & 1];
        } else {
            const uint64_t four[4] = {bg | (uint64_t)bg << 32, fg | (uint64_t)bg << 32,
                                      bg | (uint64_t)fg << 32, fg | (uint64_t)fg << 32};
            unsigned x = 0;
            for (; x + 2 <= w; x += 2) {
                unsigned b2 = bits >> (w - 2 - x) & 3;        /* pixel x in bit 1 */
                *out++ = four[(b2 >> 1) | (b2 & 1) << 1];
            }
            if (x < w) *(uint32_t *)out = bits & 1 ? fg : bg;
        }
    } else if (con.bytes_pp == 4) {
        uint32_t *out = (uint32_t *)px;
        for (unsigned x = 0; x < w; x++) {
            uint32_t v = bits >> (w - 1 - x) & 1 ? fg : bg;
            for (unsigned sx = 0; sx < s; sx++) *out++ = v;
        }
    } else {
        for (unsigned x = 0; x < w; x++) {
            uint32_t v = bits >> (w - 1 - x) & 1 ? fg : bg;
            for (unsigned sx = 0; sx < s; sx++, px += 3) {
                px[0] = (uint8_t)v;
                px[1] = (uint8_t)(v >> 8);
                px[2] = (uint8_t)(v >> 16);
            }
        }
    }
}

/* Draws the cells cols[0..n) of grid row `row` as shown[] has them. Row by
 * row of pixels rather than cell by cell: the stores then run along memory,
 * which spares QEMU's software TLB and the CPU's write-combining alike. */
static void draw_cells(unsigned row, const uint16_t *cols, unsigned n) {
    const unsigned h = con.font->height, s = con.scale;
    const unsigned cursor_rows = h / 8 ? h / 8 : 1;   /* the cursor's underline */
    uint8_t *line = con.fb + (size_t)row * con.cell_h * con.pitch;
    for (unsigned y = 0; y < h; y++) {
        for (unsigned sy = 0; sy < s; sy++, line += con.pitch) {
            for (unsigned k = 0; k < n; k++) {
                uint32_t cell = shown[row * con.cols + cols[k]];
                uint32_t bits = (cell & CELL_CURSOR) && y >= h - cursor_rows
                                    ? ~0u : glyph_row(CELL_GLYPH(cell), y);
                draw_bits(line + (size_t)cols[k] * con.cell_w * con.bytes_pp, bits,
                          con.pixel[CELL_FG(cell)], con.pixel[CELL_BG(cell)]);
            }
        }
    }
}

/* ------------------------------------------------------------ text mode */

/* A cell as the text buffer holds it: character, then foreground and
 * background colour (the cursor: the two swapped). */
static uint16_t text_cell(uint32_t cell) {
    unsigned g = CELL_GLYPH(cell), fg = CELL_FG(cell), bg = CELL_BG(cell);
    uint8_t ch = g == GLYPH_BLANK ? ' ' : g == GLYPH_BOX ? 0xFE : (uint8_t)g;
    if (cell & CELL_CURSOR) {
        unsigned t = fg;
        fg = bg;
        bg = t;
    }
    return (uint16_t)(ch | (fg | bg << 4) << 8);
}

static void draw_text_cells(unsigned row, const uint16_t *cols, unsigned n) {
    volatile uint16_t *line = (volatile uint16_t *)(con.fb + (size_t)row * con.pitch);
    for (unsigned k = 0; k < n; k++) line[cols[k]] = text_cell(shown[row * con.cols + cols[k]]);
}

static void fill_screen(uint32_t v) {
    if (con.ega) {
        for (uint32_t r = 0; r < con.height; r++)
            for (uint32_t c = 0; c < con.width; c++)
                ((volatile uint16_t *)(con.fb + (size_t)r * con.pitch))[c] = (uint16_t)v;
        return;
    }
    for (uint32_t y = 0; y < con.height; y++) {
        uint8_t *line = con.fb + (size_t)y * con.pitch;
        if (con.bytes_pp == 4) {
            uint32_t *px = (uint32_t *)line;
            for (uint32_t x = 0; x < con.width; x++) px[x] = v;
        } else {
            for (uint32_t x = 0; x < con.width; x++, line += 3) {
                line[0] = (uint8_t)v;
                line[1] = (uint8_t)(v >> 8);
                line[2] = (uint8_t)(v >> 16);
            }
        }
    }
}

/* ------------------------------------------------------------ the grid */

static void mark_dirty(unsigned lo, unsigned hi) {
    if (lo < con.dirty_lo) con.dirty_lo = lo;
    if (hi > con.dirty_hi) con.dirty_hi = hi;
}

static void mark_clean(void) {
    con.dirty_lo = (unsigned)-1;
    con.dirty_hi = 0;
}

/* Brings the screen up to date with `want` (and the cursor). */
static void fbcon_sync(void) {
    unsigned cur_row = con.row, cur_col = con.col < con.cols ? con.col : con.cols - 1;
    if (con.cursor_on) mark_dirty(cur_row, cur_row);
    for (unsigned r = con.dirty_lo; r <= con.dirty_hi && r < con.rows; r++) {
        uint16_t changed[MAX_COLS];
        unsigned n = 0;
        for (unsigned c = 0; c < con.cols; c++) {
            unsigned i = r * con.cols + c;
            uint32_t v = want[i];
            if (con.cursor_on && r == cur_row && c == cur_col) {
                if (CELL_GLYPH(v) == GLYPH_BLANK) v = CELL(GLYPH_BLANK, con.fg, CELL_BG(v));
                v |= CELL_CURSOR;
            }
            if (v != shown[i]) {
                shown[i] = v;
                changed[n++] = (uint16_t)c;
            }
        }
        if (n && con.ega) draw_text_cells(r, changed, n);
        else if (n) draw_cells(r, changed, n);
    }
    mark_clean();
    /* a cursor drawn elsewhere is erased by the next sync of its row */
    if (con.cursor_on) mark_dirty(cur_row, cur_row);
}

static uint32_t blank_cell(void) { return CELL(GLYPH_BLANK, 0, con.bg); }

static void blank_rows(unsigned from, unsigned to) {   /* [from, to) */
    uint32_t b = blank_cell();
    for (unsigned i = from * con.cols; i < to * con.cols; i++) want[i] = b;
    if (from < to) mark_dirty(from, to - 1);
}

static void scroll_up(void) {
    unsigned n = con.text_rows;
    memmove(want, want + con.cols, (size_t)(n - 1) * con.cols * sizeof want[0]);
    memmove(con.back_col, con.back_col + 1, (n - 1) * sizeof con.back_col[0]);
    con.back_col[n - 1] = (uint16_t)(con.cols - 1);
    blank_rows(n - 1, n);
    mark_dirty(0, n - 1);
}

/* Ends the cursor's row; back is where \b from the next row's start returns to. */
static void line_break(unsigned back) {
    con.back_col[con.row] = (uint16_t)back;
    con.col = 0;
    if (con.row + 1 < con.text_rows) con.row++;
    else scroll_up();
}

static void newline(void) { line_break(con.cols - 1); }

/* Word wrap, when a glyph does not fit on the full cursor row: a space is
 * taken by the line break; the first letter of a word that fits on a row
 * carries the word, the part already drawn, to the next row; a word as
 * long as the row is cut where the row ends. */
static bool wrap(bool space) {
    if (space) {
        line_break(con.cols);
        return true;
    }
    uint32_t *row = want + con.row * con.cols;
    unsigned w = con.cols;                      /* where the word starts */
    while (w > 0 && CELL_GLYPH(row[w - 1]) != GLYPH_BLANK) w--;
    if (w == 0) {
        newline();
        return false;
    }
    uint32_t word[MAX_COLS];
    unsigned n = con.cols - w;
    memcpy(word, row + w, n * sizeof word[0]);
    for (unsigned c = w; c < con.cols; c++) row[c] = blank_cell();
    mark_dirty(con.row, con.row);
    line_break(w - 1);
    memcpy(want + con.row * con.cols, word, n * sizeof word[0]);
    mark_dirty(con.row, con.row);
    con.col = n;
    return false;
}

static unsigned font_lookup(uint32_t cp) {
    const struct fbcon_font *f = con.font;
    uint32_t lo = 0, hi = f->map_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->codepoints[mid] < cp) lo = mid + 1;
        else hi = mid;
    }
    return lo < f->map_count && f->codepoints[lo] == cp ? f->glyphs[lo] : GLYPH_BOX;
}

static unsigned text_glyph(uint32_t cp) {
    uint8_t c = cp437_from_unicode(cp);
    return c == ' ' ? GLYPH_BLANK : c ? c : GLYPH_BOX;
}

static unsigned glyph_of(uint32_t cp) {
    return cp < 128 ? con.ascii[cp] : con.ega ? text_glyph(cp) : font_lookup(cp);
}

/* Code points that draw nothing here: controls, and those that take no
 * cell: combining marks, zero-width spaces and joiners, direction marks,
 * variation selectors, the byte-order mark. */
static bool invisible(uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp < 0xA0) ||
           (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200F) ||
           (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF;
}

static void put_glyph(unsigned g) {
    if (con.col >= con.cols && wrap(g == GLYPH_BLANK)) return;
    want[con.row * con.cols + con.col] =
        g == GLYPH_BLANK ? blank_cell() : CELL(g, con.fg, con.bg);
    mark_dirty(con.row, con.row);
    con.col++;
}

static void put_codepoint(uint32_t cp) {
    switch (cp) {
    case '\n': newline(); return;
    case '\r': con.col = 0; return;
    case '\t': {
        unsigned next = (con.col / 8 + 1) * 8;
        con.col = next < con.cols ? next : con.cols;
        return;
    }
    case '\b':
        if (con.col > 0) con.col--;
        else if (con.row > 0) { con.row--; con.col = con.back_col[con.row]; }
        return;
    }
    if (!invisible(cp)) put_glyph(glyph_of(cp));
}

/* UTF-8 decoding, one byte at a time so that a sequence may span writes.
 * Puts the code points that byte b completes into out[] and returns how many
 * (0 to 2). Malformed input (a stray continuation byte, an overlong form, a
 * surrogate, a value past U+10FFFF, a sequence cut short) gives one U+FFFD
 * per maximal ill-formed subpart, as Unicode recommends: the byte that cuts
 * a sequence short is then decoded anew. */
static unsigned utf8_decode(struct utf8 *d, uint8_t b, uint32_t out[2]) {
    unsigned n = 0;
    if (d->need) {
        if (b >= d->lo && b <= d->hi) {
            d->cp = d->cp << 6 | (b & 0x3Fu);
            d->lo = 0x80;
            d->hi = 0xBF;
            if (--d->need == 0) out[n++] = d->cp;
            return n;
        }
        d->need = 0;
        out[n++] = 0xFFFD;
    }
    d->lo = 0x80;
    d->hi = 0xBF;
    if (b < 0x80) {
        out[n++] = b;
    } else if (b >= 0xC2 && b <= 0xDF) {
        d->cp = b & 0x1Fu;
        d->need = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
        d->cp = b & 0x0Fu;
        d->need = 2;
        if (b == 0xE0) d->lo = 0xA0;          /* no overlong forms */
        if (b == 0xED) d->hi = 0x9F;          /* no surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        d->cp = b & 0x07u;
        d->need = 3;
        if (b == 0xF0) d->lo = 0x90;          /* no overlong forms */
        if (b == 0xF4) d->hi = 0x8F;          /* nothing past U+10FFFF */
    } else {
        out[n++] = 0xFFFD;                    /* 80-BF alone, C0, C1, F5-FF */
    }
    return n;
}

/* ------------------------------------------------------------ set-up */

static bool field_ok(unsigned pos, unsigned size, unsigned bits) {
    return size >= 1 && size <= 16 && pos + size <= bits;
}

/* The largest cell (a font, or a font doubled) that still leaves MIN_COLS x
 * MIN_ROWS; when none does, the smallest. */
static void choose_font(uint32_t width, uint32_t height) {
    const struct fbcon_font *best = NULL, *smallest = NULL;
    unsigned best_scale = 0, best_h = 0;
    for (size_t i = 0; i < fbcon_font_count; i++) {
        const struct fbcon_font *f = &fbcon_fonts[i];
        if (f->width < 3 || f->width > 32 || f->height < 6 || f->glyph_count >= GLYPH_BLANK)
            continue;
        if (!smallest || f->height < smallest->height) smallest = f;
        for (unsigned s = 1; s <= 2; s++) {
            unsigned cw = f->width * s, ch = f->height * s;
            if (width / cw < MIN_COLS || height / ch < MIN_ROWS) continue;
            if (ch > best_h || (ch == best_h && s < best_scale)) {
                best = f;
                best_scale = s;
                best_h = ch;
            }
        }
    }
    con.font = best ? best : smallest;
    con.scale = best ? best_scale : 1;
}

/* The rest of fbcon_init, once the grid's size is known. */
static void start(void) {
    con.fg = FBCON_LIGHT_GREY;
    con.bg = FBCON_BLACK;
    con.col = con.row = 0;
    con.cursor_on = false;
    con.utf8.need = 0;
    con.has_status = con.rows >= 2;
    con.text_rows = con.has_status ? con.rows - 1 : con.rows;
    mark_clean();
    for (unsigned i = 0; i < con.cols * con.rows; i++) want[i] = shown[i] = blank_cell();
    for (unsigned r = 0; r < con.rows; r++) con.back_col[r] = (uint16_t)(con.cols - 1);
    fill_screen(con.ega ? text_cell(blank_cell()) : con.pixel[con.bg]);
    con.ready = true;
}

static int init_text_mode(const struct fb_desc *fb) {
    if (fb->width < 1 || fb->height < 1 || fb->pitch < (uint64_t)fb->width * 2) return -1;
    con.ega = true;
    con.font = NULL;
    con.scale = con.cell_w = con.cell_h = 1;
    con.fb = fb->base;
    con.width = fb->width;
    con.height = fb->height;
    con.pitch = fb->pitch;
    con.cols = fb->width < MAX_COLS ? fb->width : MAX_COLS;
    con.rows = fb->height < MAX_ROWS ? fb->height : MAX_ROWS;
    for (uint32_t cp = 0; cp < 128; cp++) con.ascii[cp] = (uint16_t)text_glyph(cp);
    start();
    return 0;
}

int fbcon_init(const struct fb_desc *fb) {
    con.ready = false;
    con.ega = false;
    if (fb && fb->base && fb->ega_text) return init_text_mode(fb);
    if (!fb || !fb->base || (fb->bpp != 32 && fb->bpp != 24)) return -1;
    if (!field_ok(fb->red_pos, fb->red_size, fb->bpp) ||
        !field_ok(fb->green_pos, fb->green_size, fb->bpp) ||
        !field_ok(fb->blue_pos, fb->blue_size, fb->bpp))
        return -1;
    if (fb->pitch < (uint64_t)fb->width * (fb->bpp / 8)) return -1;

    choose_font(fb->width, fb->height);
    if (!con.font) return -1;
    con.cell_w = con.font->width * con.scale;
    con.cell_h = con.font->height * con.scale;
    con.cols = fb->width / con.cell_w;
    con.rows = fb->height / con.cell_h;
    if (con.cols > MAX_COLS) con.cols = MAX_COLS;
    if (con.rows > MAX_ROWS) con.rows = MAX_ROWS;
    if (con.cols < 1 || con.rows < 1) return -1;

    con.fb = fb->base;
    con.width = fb->width;
    con.height = fb->height;
    con.pitch = fb->pitch;
    con.bytes_pp = fb->bpp / 8;
    for (int i = 0; i < 16; i++) {
        uint32_t rgb = palette_rgb[i];
        con.pixel[i] = channel(rgb >> 16 & 0xFF, fb->red_pos, fb->red_size) |
                       channel(rgb >> 8 & 0xFF, fb->green_pos, fb->green_size) |
                       channel(rgb & 0xFF, fb->blue_pos, fb->blue_size);
    }
    for (uint32_t cp = 0; cp < 128; cp++) con.ascii[cp] = (uint16_t)font_lookup(cp);
    con.ascii[' '] = GLYPH_BLANK;
    start();
    return 0;
}

/* ------------------------------------------------------------ the API */

bool fbcon_ready(void) { return con.ready; }

void fbcon_get_info(struct fbcon_info *info) {
    memset(info, 0, sizeof *info);
    if (!con.ready) return;
    info->cols = con.cols;
    info->rows = con.text_rows;
    info->cell_width = con.cell_w;
    info->cell_height = con.cell_h;
    info->scale = con.scale;
    info->has_status = con.has_status;
    info->status_y = con.has_status ? con.text_rows * con.cell_h : 0;
    info->font = con.ega ? "VGA text mode" : con.font->name;
}

void fbcon_write(const char *s, size_t n) {
    if (!con.ready) return;
    for (size_t i = 0; i < n; i++) {
        uint32_t cps[2];
        unsigned k = utf8_decode(&con.utf8, (uint8_t)s[i], cps);
        for (unsigned j = 0; j < k; j++) put_codepoint(cps[j]);
    }
    fbcon_sync();
}

void fbcon_set_color(enum fbcon_color fg, enum fbcon_color bg) {
    con.fg = (uint8_t)(fg & 15);
    con.bg = (uint8_t)(bg & 15);
}

void fbcon_status(const char *text) {
    if (!con.ready || !con.has_status) return;
    bool empty = !text || !*text;
    uint32_t cell_fg = empty ? FBCON_LIGHT_GREY : FBCON_BLACK;
    uint32_t cell_bg = empty ? FBCON_BLACK : FBCON_LIGHT_GREY;
    uint32_t *line = want + con.text_rows * con.cols;
    unsigned col = 0;
    struct utf8 d = {0};
    for (const char *p = text; p && *p && col < con.cols; p++) {
        uint32_t cps[2];
        unsigned n = utf8_decode(&d, (uint8_t)*p, cps);
        for (unsigned i = 0; i < n && col < con.cols; i++)
            if (!invisible(cps[i])) line[col++] = CELL(glyph_of(cps[i]), cell_fg, cell_bg);
    }
    if (d.need && col < con.cols) line[col++] = CELL(glyph_of(0xFFFD), cell_fg, cell_bg);
    while (col < con.cols) line[col++] = CELL(GLYPH_BLANK, 0, cell_bg);
    mark_dirty(con.text_rows, con.text_rows);
    fbcon_sync();
}

void fbcon_show_cursor(bool visible) {
    if (!con.ready) return;
    con.cursor_on = visible;
    mark_dirty(con.row, con.row);
    fbcon_sync();
}

void fbcon_clear(void) {
    if (!con.ready) return;
    blank_rows(0, con.text_rows);
    for (unsigned r = 0; r < con.text_rows; r++) con.back_col[r] = (uint16_t)(con.cols - 1);
    con.col = con.row = 0;
    fbcon_sync();
}

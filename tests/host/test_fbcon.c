/* Host tests of the framebuffer console: it draws into a malloc'd buffer
 * described by a fake fb_desc, and the tests read the pixels back and compare
 * them with the font's own bitmaps; in EGA text mode, they read the
 * character cells. */
/* CHECK(cond) with no message passes an empty format string */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/cp437.h"
#include "drivers/fbcon.h"
#include "drivers/font.h"
#include "tests/check.h"

/* ------------------------------------------------------------ a fake screen */

static struct fb_desc fb;
static uint8_t *mem;
static size_t mem_size;

#define SENTINEL 0xA5

static const uint32_t rgb_of[16] = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xC0C0C0,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF,
};

enum order { RGB, BGR };

/* Memory for the screen fb describes (pitch times height bytes, filled
 * with SENTINEL), handed to fbcon_init. */
static int attach(void) {
    mem_size = (size_t)fb.pitch * fb.height;
    mem = malloc(mem_size);
    memset(mem, SENTINEL, mem_size);
    fb.base = mem;
    return fbcon_init(&fb);
}

/* A screen of w x h pixels; pitch_pad extra bytes at the end of each row. */
static int screen(uint32_t w, uint32_t h, unsigned bpp, enum order order, uint32_t pitch_pad) {
    free(mem);
    memset(&fb, 0, sizeof fb);
    fb.width = w;
    fb.height = h;
    fb.bpp = (uint8_t)bpp;
    fb.pitch = w * (bpp / 8) + pitch_pad;
    fb.red_size = fb.green_size = fb.blue_size = 8;
    fb.green_pos = 8;
    fb.red_pos = order == RGB ? 16 : 0;
    fb.blue_pos = order == RGB ? 0 : 16;
    return attach();
}

static uint32_t pixel_at(unsigned x, unsigned y) {
    const uint8_t *p = mem + (size_t)y * fb.pitch + (size_t)x * (fb.bpp / 8);
    uint32_t v = p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
    if (fb.bpp == 32) v |= (uint32_t)p[3] << 24;
    return v;
}

/* The pixel value fbcon should write for a palette colour, from fb's fields. */
static uint32_t expect_pixel(int color) {
    uint32_t rgb = rgb_of[color];
    return (rgb >> 16 & 0xFF) << fb.red_pos | (rgb >> 8 & 0xFF) << fb.green_pos |
           (rgb & 0xFF) << fb.blue_pos;
}

/* ------------------------------------------------------------ the font */

static struct fbcon_info info;

static const struct fbcon_font *font(void) {
    fbcon_get_info(&info);
    for (size_t i = 0; i < fbcon_font_count; i++)
        if (strcmp(fbcon_fonts[i].name, info.font) == 0) return &fbcon_fonts[i];
    return NULL;
}

static int glyph_index(const struct fbcon_font *f, uint32_t cp) {
    for (uint32_t i = 0; i < f->map_count; i++)
        if (f->codepoints[i] == cp) return f->glyphs[i];
    return -1;
}

static int glyph_bit(const struct fbcon_font *f, int g, unsigned x, unsigned y) {
    const uint8_t *row = f->bitmaps + ((size_t)g * f->height + y) * f->row_bytes;
    return row[x / 8] >> (7 - x % 8) & 1;
}

/* Does text cell (row, col) show code point cp in colours fg on bg? A row
 * equal to info.rows is the status line. cp 0 means a blank cell. */
static int cell_shows(unsigned row, unsigned col, uint32_t cp, int fg, int bg) {
    const struct fbcon_font *f = font();
    int g = cp ? glyph_index(f, cp) : -1;
    if (cp && g < 0) return 0;
    uint32_t pf = expect_pixel(fg), pb = expect_pixel(bg);
    for (unsigned y = 0; y < info.cell_height; y++)
        for (unsigned x = 0; x < info.cell_width; x++) {
            int on = g >= 0 && glyph_bit(f, g, x / info.scale, y / info.scale);
            uint32_t got = pixel_at(col * info.cell_width + x, row * info.cell_height + y);
            if (got != (on ? pf : pb)) return 0;
        }
    return 1;
}

static int shows(unsigned row, unsigned col, uint32_t cp) {
    return cell_shows(row, col, cp, FBCON_LIGHT_GREY, FBCON_BLACK);
}

/* Does the row start with the ASCII text s, the rest blank? */
static int row_shows(unsigned row, const char *s) {
    fbcon_get_info(&info);
    for (unsigned c = 0; c < info.cols; c++) {
        uint32_t cp = *s && *s != ' ' ? (uint8_t)*s : 0;
        if (!shows(row, c, cp)) return 0;
        if (*s) s++;
    }
    return 1;
}

static void put(const char *s) { fbcon_write(s, strlen(s)); }

/* A small screen: 8x16 cells, 20 columns, 5 text rows and the status line. */
static void small(void) {
    int rc = screen(160, 96, 32, RGB, 0);
    CHECK(rc == 0);
    fbcon_get_info(&info);
    CHECK(info.cols == 20 && info.rows == 5 && info.cell_width == 8 && info.cell_height == 16,
          "%ux%u cells of %ux%u", info.cols, info.rows, info.cell_width, info.cell_height);
}

/* ------------------------------------------------------------ tests */

TEST(rejects_unsupported_formats) {
    CHECK(screen(160, 96, 16, RGB, 0) == -1);
    put("hello");
    CHECK(!fbcon_ready());
    CHECK(mem[0] == SENTINEL && mem[mem_size - 1] == SENTINEL, "wrote to a rejected framebuffer");
    CHECK(screen(160, 96, 8, RGB, 0) == -1);
    CHECK(screen(160, 96, 32, RGB, 0) == 0);
    fb.pitch = 100;                        /* less than a row */
    CHECK(fbcon_init(&fb) == -1);
    fb.pitch = 640;
    fb.red_pos = 30;                       /* field past the pixel */
    CHECK(fbcon_init(&fb) == -1);
    fb.red_pos = 16;
    fb.base = NULL;
    CHECK(fbcon_init(&fb) == -1);
    fb.base = mem;
    CHECK(fbcon_init(&fb) == 0 && fbcon_ready());
    CHECK(screen(4, 4, 32, RGB, 0) == -1, "a screen smaller than a cell");
}

TEST(clears_to_black) {
    CHECK(screen(160, 96, 32, RGB, 0) == 0);
    for (unsigned y = 0; y < 96; y += 7)
        for (unsigned x = 0; x < 160; x += 3) CHECK(pixel_at(x, y) == 0, "(%u,%u)", x, y);
}

TEST(font_follows_resolution) {
    static const struct { uint32_t w, h; unsigned cw, ch, cols, rows; } cases[] = {
        {640, 480, 8, 16, 80, 29},
        {800, 600, 8, 16, 100, 36},
        {1024, 768, 12, 24, 85, 31},
        {1280, 720, 12, 24, 106, 29},
        {1920, 1080, 16, 32, 120, 32},
        {2560, 1440, 24, 48, 106, 29},
        {3840, 2160, 32, 64, 120, 32},
        {1366, 768, 12, 24, 113, 31},      /* common laptop panels */
        {1600, 900, 12, 24, 133, 36},
        {2560, 1600, 24, 48, 106, 32},
        {2880, 1800, 24, 48, 120, 36},
        {3200, 1800, 24, 48, 133, 36},
        {320, 200, 8, 16, 40, 11},         /* too small for 80x30: smallest font */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK(screen(cases[i].w, cases[i].h, 32, RGB, 0) == 0);
        fbcon_get_info(&info);
        CHECK(info.cell_width == cases[i].cw && info.cell_height == cases[i].ch &&
                  info.cols == cases[i].cols && info.rows == cases[i].rows && info.has_status,
              "%ux%u: %ux%u cells of %ux%u (%s x%u)", cases[i].w, cases[i].h, info.cols,
              info.rows, info.cell_width, info.cell_height, info.font, info.scale);
    }
}

TEST(glyph_32bpp_rgb) {
    small();
    put("A");
    CHECK(shows(0, 0, 'A'));
    CHECK(shows(0, 1, 0));
    /* and a lit pixel is exactly light grey in RGB order */
    const struct fbcon_font *f = font();
    int g = glyph_index(f, 'A');
    int found = 0;
    for (unsigned y = 0; y < 16 && !found; y++)
        for (unsigned x = 0; x < 8 && !found; x++)
            if (glyph_bit(f, g, x, y)) {
                CHECK(pixel_at(x, y) == 0x00C0C0C0u, "pixel 0x%08x", pixel_at(x, y));
                found = 1;
            }
    CHECK(found, "'A' has no lit pixel");
}

TEST(glyph_32bpp_bgr) {
    CHECK(screen(160, 96, 32, BGR, 0) == 0);
    fbcon_set_color(FBCON_LIGHT_RED, FBCON_BLUE);
    put("W");
    CHECK(cell_shows(0, 0, 'W', FBCON_LIGHT_RED, FBCON_BLUE));
    /* light red is FF5555: in BGR order red is the low byte */
    CHECK(expect_pixel(FBCON_LIGHT_RED) == 0x5555FFu);
    CHECK(expect_pixel(FBCON_BLUE) == 0xAA0000u);
    uint32_t seen_fg = 0, seen_bg = 0;
    for (unsigned y = 0; y < 16; y++)
        for (unsigned x = 0; x < 8; x++) {
            uint32_t p = pixel_at(x, y);
            seen_fg |= p == 0x5555FFu;
            seen_bg |= p == 0xAA0000u;
        }
    CHECK(seen_fg && seen_bg);
}

TEST(glyph_24bpp_padded_pitch) {
    CHECK(screen(160, 96, 24, RGB, 13) == 0);
    put("Hi");
    CHECK(shows(0, 0, 'H') && shows(0, 1, 'i'));
    for (unsigned y = 0; y < 96; y++)
        for (unsigned b = 160 * 3; b < fb.pitch; b++)
            CHECK(mem[(size_t)y * fb.pitch + b] == SENTINEL, "padding byte touched at row %u", y);
    CHECK(screen(160, 96, 24, BGR, 1) == 0);
    fbcon_set_color(FBCON_YELLOW, FBCON_BLACK);
    put("Z");
    CHECK(cell_shows(0, 0, 'Z', FBCON_YELLOW, FBCON_BLACK));
}

TEST(glyph_32bpp_padded_pitch) {
    CHECK(screen(160, 96, 32, RGB, 4) == 0);   /* rows only 4-byte aligned */
    put("x\ny");
    for (int i = 0; i < 19; i++) put("_");
    CHECK(shows(0, 0, 'x') && shows(1, 0, 'y') && shows(1, 19, '_'));
    for (unsigned y = 0; y < 96; y++)
        for (unsigned b = 640; b < fb.pitch; b++)
            CHECK(mem[(size_t)y * fb.pitch + b] == SENTINEL, "padding touched at row %u", y);
}

TEST(narrow_colour_fields) {   /* e.g. a 32-bpp mode with 6-bit channels */
    CHECK(screen(160, 96, 32, RGB, 0) == 0);
    fb.red_pos = 12; fb.green_pos = 6; fb.blue_pos = 0;
    fb.red_size = fb.green_size = fb.blue_size = 6;
    CHECK(fbcon_init(&fb) == 0);
    fbcon_set_color(FBCON_WHITE, FBCON_BLACK);
    put("\xe2\x96\x88");   /* U+2588 full block: every pixel lit */
    CHECK(pixel_at(3, 8) == 0x3FFFFu, "0x%x", pixel_at(3, 8));
}

TEST(scaled_font_4k) {
    CHECK(screen(3840, 2160, 32, RGB, 0) == 0);
    fbcon_get_info(&info);
    CHECK(info.scale == 2);
    put("Ok\n");
    CHECK(shows(0, 0, 'O') && shows(0, 1, 'k') && shows(1, 0, 0));
}

TEST(newline_and_carriage_return) {
    small();
    put("ab\ncd");
    CHECK(row_shows(0, "ab") && row_shows(1, "cd"));
    put("\rX");
    CHECK(row_shows(1, "Xd"));
    put("\r\n\n\nz");
    CHECK(row_shows(2, "") && row_shows(3, "") && row_shows(4, "z"));
}

TEST(tab_stops) {
    small();
    put("a\tb\t\tc");
    CHECK(shows(0, 0, 'a') && shows(0, 8, 'b') && shows(1, 0, 'c'),
          "tab past the last stop wraps");
    put("\n12345678\tx");
    CHECK(shows(2, 16, 'x'));
    put("\n\t\t\ty");                       /* the third tab reaches the edge */
    CHECK(shows(4, 0, 'y'));
}

TEST(backspace) {
    small();
    put("abc\b\bX");
    CHECK(row_shows(0, "aXc"));
    put("\b \b");                           /* a line editor's erase */
    CHECK(row_shows(0, "a c"));
    put("\n\bQ");                           /* at column 0: back to the line above */
    CHECK(shows(0, 19, 'Q') && row_shows(1, ""));
    put("\r\b\b\b\b\b\b\b\bR");             /* never above the top */
    CHECK(shows(0, 0, 'R'));
}

TEST(wraps_at_right_edge) {
    small();
    put("abcdefghijklmnopqrstU");
    CHECK(row_shows(0, "abcdefghijklmnopqrst") && row_shows(1, "U"));
    put("\n01234567890123456789\nnext");   /* exactly full, then newline: no blank line */
    CHECK(row_shows(2, "01234567890123456789") && row_shows(3, "next"));
    put("\n0123456789012345678\b\bXY");    /* backspace near the edge */
    CHECK(row_shows(4, "01234567890123456XY"));
}

TEST(word_wrap) {
    small();                                /* 20 columns */
    put("Once upon a time, there was a robot.");
    CHECK(row_shows(0, "Once upon a time,") && row_shows(1, "there was a robot."));
    put(" It beeped");                      /* "beeped" does not fit after "robot. It" */
    CHECK(row_shows(1, "there was a robot.") && row_shows(2, "It beeped"));
    small();                                /* a word longer than a row: moved, then cut */
    put("a abcdefghijklmnopqrstuvwxyz b");
    CHECK(row_shows(0, "a") && row_shows(1, "abcdefghijklmnopqrst") && row_shows(2, "uvwxyz b"));
    small();                                /* a word exactly as long as a row */
    put("xy 01234567890123456789 z");
    CHECK(row_shows(0, "xy") && row_shows(1, "01234567890123456789") && row_shows(2, "z"));
    small();                                /* streamed a piece at a time, as tokens come */
    const char *pieces[] = {"Lily", " and", " her", " dog", " went", " to", " the", " park", "."};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) put(pieces[i]);
    CHECK(row_shows(0, "Lily and her dog") && row_shows(1, "went to the park."));
}

TEST(word_wrap_keeps_colours) {
    small();
    put("aaaa bbbb cccc dddd ");
    fbcon_set_color(FBCON_YELLOW, FBCON_BLUE);
    put("ee");
    fbcon_set_color(FBCON_LIGHT_GREY, FBCON_BLACK);
    put("f");
    CHECK(row_shows(0, "aaaa bbbb cccc dddd"));
    CHECK(cell_shows(1, 0, 'e', FBCON_YELLOW, FBCON_BLUE) && cell_shows(1, 1, 'e', FBCON_YELLOW, FBCON_BLUE));
    CHECK(shows(1, 2, 'f') && shows(1, 3, 0));
}

TEST(word_wrap_at_the_bottom_scrolls) {
    small();
    put("1\n2\n3\n4\nthe last line has words");
    CHECK(row_shows(0, "2") && row_shows(3, "the last line has") && row_shows(4, "words"));
}

/* A line editor erases with "\b \b"; across a word wrap it must land on the
 * space before the word, and across a swallowed space at the edge just
 * after the row's last letter. */
TEST(backspace_across_word_wrap) {
    small();
    put("hello there my old friends");          /* "friends" moves to row 1 */
    CHECK(row_shows(0, "hello there my old") && row_shows(1, "friends"));
    for (int i = 0; i < 8; i++) put("\b \b");   /* erase "friends" and the space */
    CHECK(row_shows(0, "hello there my old") && row_shows(1, ""));
    put("X");
    CHECK(row_shows(0, "hello there my oldX"), "typing resumes where the space was");
    small();
    put("abcdefghijklmnopqrst uv");                /* the space is the line break */
    CHECK(row_shows(0, "abcdefghijklmnopqrst") && row_shows(1, "uv"));
    for (int i = 0; i < 3; i++) put("\b \b");    /* "uv" and the space */
    CHECK(row_shows(0, "abcdefghijklmnopqrst") && row_shows(1, ""));
    put("\b \b");                                 /* now the 't' */
    CHECK(row_shows(0, "abcdefghijklmnopqrs"));
    put("T!");                                    /* "abc...sT" fills the row; '!' is cut */
    CHECK(row_shows(0, "abcdefghijklmnopqrsT") && row_shows(1, "!"));
}

TEST(scrolls_up) {
    small();
    put("line0\nline1\nline2\nline3\nline4");
    CHECK(row_shows(0, "line0") && row_shows(4, "line4"));
    put("\n");
    CHECK(row_shows(0, "line1") && row_shows(3, "line4") && row_shows(4, ""));
    put("line5\nline6 is long enough to wrap");   /* the space at the edge is the break */
    CHECK(row_shows(0, "line3") && row_shows(2, "line5") && row_shows(3, "line6 is long enough") &&
          row_shows(4, "to wrap"));
}

TEST(many_scrolls_in_one_write) {
    small();
    char buf[4000] = "";
    for (int i = 0; i < 200; i++) sprintf(buf + strlen(buf), "n%d\n", i);
    put(buf);
    CHECK(row_shows(0, "n196") && row_shows(3, "n199") && row_shows(4, ""));
}

TEST(colours) {
    small();
    fbcon_set_color(FBCON_WHITE, FBCON_BLUE);
    put("a b");
    fbcon_set_color(FBCON_LIGHT_GREY, FBCON_BLACK);
    put("c");
    CHECK(cell_shows(0, 0, 'a', FBCON_WHITE, FBCON_BLUE));
    CHECK(cell_shows(0, 1, 0, FBCON_WHITE, FBCON_BLUE), "a space keeps its background");
    CHECK(cell_shows(0, 2, 'b', FBCON_WHITE, FBCON_BLUE));
    CHECK(shows(0, 3, 'c') && shows(0, 4, 0));
}

TEST(utf8_split_across_writes) {
    small();
    fbcon_write("\xc3", 1);                 /* é = C3 A9 */
    CHECK(shows(0, 0, 0), "nothing drawn before the sequence ends");
    fbcon_write("\xa9", 1);
    CHECK(shows(0, 0, 0xE9) && shows(0, 1, 0));
    fbcon_write("\xe2", 1);                 /* ’ = E2 80 99, one byte per write */
    fbcon_write("\x80", 1);
    fbcon_write("\x99", 1);
    CHECK(shows(0, 1, 0x2019) && shows(0, 2, 0));
    fbcon_write("x\xd0", 2);                /* Ж = D0 96 */
    fbcon_write("\x96y", 2);
    CHECK(shows(0, 2, 'x') && shows(0, 3, 0x416) && shows(0, 4, 'y'));
}

TEST(invalid_utf8_gives_replacement) {
    static const struct { const char *in; const char *cells; } cases[] = {
        {"\xc3" "A", "RA"},                  /* sequence cut short by ASCII */
        {"\xff", "R"},                       /* never valid */
        {"\x80\xbf", "RR"},                  /* stray continuation bytes */
        {"\xc0\xaf", "RR"},                  /* overlong '/' */
        {"\xe0\x80\x80", "RRR"},             /* overlong 3-byte */
        {"\xed\xa0\x80", "RRR"},             /* surrogate U+D800 */
        {"\xf4\x90\x80\x80", "RRRR"},        /* past U+10FFFF */
        {"\xe2\x80" "b", "Rb"},              /* 3-byte sequence cut after 2 */
        {"\xe2\x82\xac", "E"},               /* valid: U+20AC euro sign */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        small();
        put(cases[i].in);
        unsigned c = 0;
        for (const char *e = cases[i].cells; *e; e++, c++) {
            uint32_t cp = *e == 'R' ? 0xFFFD : *e == 'E' ? 0x20AC : (uint8_t)*e;
            CHECK(shows(0, c, cp), "case %zu cell %u", i, c);
        }
        CHECK(shows(0, c, 0), "case %zu: extra cells", i);
    }
    small();                                 /* a cut sequence does not eat the next write's text */
    fbcon_write("\xe2\x80", 2);
    put("ok");
    CHECK(shows(0, 0, 0xFFFD) && shows(0, 1, 'o') && shows(0, 2, 'k'));
}

/* A box: outline one font column in from the sides and two rows in from
 * the top and bottom. */
static int cell_is_box(unsigned row, unsigned col) {
    const struct fbcon_font *f = font();
    unsigned w = f->width, h = f->height;
    uint32_t fg = expect_pixel(FBCON_LIGHT_GREY), bg = expect_pixel(FBCON_BLACK);
    for (unsigned y = 0; y < h; y++)
        for (unsigned x = 0; x < w; x++) {
            int inside = x >= 1 && x <= w - 2 && y >= 2 && y <= h - 3;
            int edge = inside && (x == 1 || x == w - 2 || y == 2 || y == h - 3);
            if (pixel_at(col * w + x, row * h + y) != (edge ? fg : bg)) return 0;
        }
    return 1;
}

TEST(missing_glyph_draws_box) {
    small();
    CHECK(glyph_index(font(), 0x4E2D) < 0, "the font has U+4E2D after all");
    put("\xe4\xb8\xad" "\xf0\x9f\x98\x80" "a");    /* 中, 😀, a */
    CHECK(cell_is_box(0, 0) && cell_is_box(0, 1));
    CHECK(shows(0, 2, 'a'));
}

TEST(invisible_code_points) {
    small();
    put("a\x01\x1b\x7f" "\xc2\x85" "e\xcc\x81" "\xe2\x80\x8b" "b");   /* controls, combining acute, ZWSP */
    CHECK(row_shows(0, "aeb"));
}

TEST(status_line_stays_while_text_scrolls) {
    small();
    fbcon_get_info(&info);
    CHECK(info.has_status && info.status_y == 5 * 16);
    fbcon_status("42 tok/s");
    CHECK(cell_shows(5, 0, '4', FBCON_BLACK, FBCON_LIGHT_GREY));
    CHECK(cell_shows(5, 3, 't', FBCON_BLACK, FBCON_LIGHT_GREY));
    CHECK(cell_shows(5, 19, 0, FBCON_BLACK, FBCON_LIGHT_GREY), "the bar spans the line");
    for (int i = 0; i < 12; i++) put("scrolling text\n");
    put("last");
    CHECK(row_shows(3, "scrolling text") && row_shows(4, "last"));
    CHECK(cell_shows(5, 0, '4', FBCON_BLACK, FBCON_LIGHT_GREY));
    CHECK(cell_shows(5, 7, 's', FBCON_BLACK, FBCON_LIGHT_GREY));
    fbcon_status("a status line that is far too long for twenty columns");
    CHECK(cell_shows(5, 19, 'i', FBCON_BLACK, FBCON_LIGHT_GREY) && row_shows(4, "last"));
    fbcon_status("");
    for (unsigned c = 0; c < 20; c++) CHECK(shows(5, c, 0), "cleared status, cell %u", c);
    put("!");
    CHECK(row_shows(4, "last!"), "the text cursor did not move");
}

TEST(status_line_keeps_utf8_state) {
    small();
    fbcon_write("\xc3", 1);                 /* the text stream is mid-sequence */
    fbcon_status("\xce\xbb=1 \xe2\x80");     /* λ=1 and a cut sequence */
    fbcon_write("\xa9", 1);
    CHECK(shows(0, 0, 0xE9));
    CHECK(cell_shows(5, 0, 0x3BB, FBCON_BLACK, FBCON_LIGHT_GREY));
    CHECK(cell_shows(5, 4, 0xFFFD, FBCON_BLACK, FBCON_LIGHT_GREY));
}

TEST(cursor) {
    small();
    fbcon_show_cursor(true);
    put("ab");
    /* the cursor cell (0, 2): an underline in the bottom two rows */
    uint32_t fg = expect_pixel(FBCON_LIGHT_GREY);
    CHECK(pixel_at(2 * 8 + 3, 15) == fg && pixel_at(2 * 8 + 3, 14) == fg && pixel_at(2 * 8 + 3, 13) == 0);
    put("\n");
    CHECK(shows(0, 2, 0), "the old cursor is erased");
    CHECK(pixel_at(3, 16 + 15) == fg);
    fbcon_show_cursor(false);
    CHECK(shows(1, 0, 0));
}

TEST(clear_keeps_status) {
    small();
    fbcon_status("s");
    put("one\ntwo");
    fbcon_clear();
    CHECK(row_shows(0, "") && row_shows(1, ""));
    CHECK(cell_shows(5, 0, 's', FBCON_BLACK, FBCON_LIGHT_GREY));
    put("x");
    CHECK(shows(0, 0, 'x'));
}

TEST(redraws_only_changed_cells) {
    small();
    put("ab");
    mem[0] = 0x77;                          /* scribble on cell (0, 0) */
    put("c");
    CHECK(mem[0] == 0x77, "an unchanged cell was redrawn");
    CHECK(shows(0, 2, 'c'));
}

TEST(writes_before_init_are_ignored) {
    /* a second console state is not possible; a failed init stands for
     * "before init": nothing drawn, nothing crashes */
    CHECK(screen(160, 96, 15, RGB, 0) == -1);
    put("text");
    fbcon_status("status");
    fbcon_show_cursor(true);
    fbcon_clear();
    fbcon_get_info(&info);
    CHECK(info.cols == 0 && mem[0] == SENTINEL);
}

/* ------------------------------------------------------------ EGA text mode */

/* A text-mode screen of cols x rows cells, pitch_pad bytes after each row. */
static int text_screen(uint32_t cols, uint32_t rows, uint32_t pitch_pad) {
    free(mem);
    memset(&fb, 0, sizeof fb);
    fb.ega_text = true;
    fb.width = cols;
    fb.height = rows;
    fb.pitch = cols * 2 + pitch_pad;
    return attach();
}

static uint16_t text_at(unsigned row, unsigned col) {
    const uint8_t *p = mem + (size_t)row * fb.pitch + 2 * col;
    return (uint16_t)(p[0] | p[1] << 8);
}

/* Do the cells of the text row from col on hold the CP437 bytes s, in
 * colour attribute attr (spaces: its background alone), and is the rest of
 * the row blank on that background? */
static int text_is(unsigned row, unsigned col, const char *s, unsigned attr) {
    for (unsigned c = col; c < fb.width; c++) {
        uint8_t ch = *s ? (uint8_t)*s++ : ' ';
        unsigned a = ch == ' ' ? attr & 0xF0 : attr;
        if (text_at(row, c) != (uint16_t)(a << 8 | ch)) return 0;
    }
    return 1;
}

TEST(text_mode_grid_and_clear) {
    CHECK(text_screen(80, 25, 0) == 0);
    fbcon_get_info(&info);
    CHECK(info.cols == 80 && info.rows == 24 && info.has_status, "%ux%u", info.cols, info.rows);
    CHECK(strcmp(info.font, "VGA text mode") == 0, "%s", info.font);
    for (unsigned r = 0; r < 25; r++)
        for (unsigned c = 0; c < 80; c++) CHECK(text_at(r, c) == 0x0020, "cell %u,%u not blank", r, c);
    CHECK(text_screen(80, 25, 0x30) == 0, "a padded pitch");
    CHECK(mem[160] == SENTINEL, "the padding after a row was written");
    CHECK(text_screen(0, 25, 0) == -1 && text_screen(80, 25, 0) == 0);
    fb.pitch = 100;
    CHECK(fbcon_init(&fb) == -1, "a pitch shorter than a row");
}

TEST(text_mode_text_wrap_and_scroll) {
    CHECK(text_screen(20, 6, 6) == 0);   /* 5 text rows and the status line */
    put("Once upon a time, there was a dog.\n");
    CHECK(text_is(0, 0, "Once upon a time,", 0x07), "the word that does not fit moves on");
    CHECK(text_is(1, 0, "there was a dog.", 0x07));
    fbcon_set_color(FBCON_YELLOW, FBCON_BLUE);
    put("hi");
    fbcon_set_color(FBCON_LIGHT_GREY, FBCON_BLACK);
    CHECK(text_at(2, 0) == (0x1E << 8 | 'h') && text_at(2, 1) == (0x1E << 8 | 'i'));
    for (int i = 0; i < 5; i++) put("\nline");
    CHECK(text_is(4, 0, "line", 0x07) && text_is(3, 0, "line", 0x07));
    CHECK(!text_is(0, 0, "there was a dog.", 0x07), "scrolled away");
}

TEST(text_mode_characters) {
    CHECK(text_screen(20, 6, 0) == 0);
    /* é, ö, ½, “quotes”, —, a missing code point (中), invalid UTF-8 */
    put("\xc3\xa9\xc3\xb6\xc2\xbd \xe2\x80\x9cq\xe2\x80\x9d \xe2\x80\x94 \xe4\xb8\xad \xff");
    CHECK(text_is(0, 0, "\x82\x94\xab \"q\" - \xfe ?", 0x07), "%04x %04x %04x", text_at(0, 0),
          text_at(0, 1), text_at(0, 2));
}

TEST(text_mode_status_and_cursor) {
    CHECK(text_screen(20, 6, 0) == 0);
    fbcon_status("7 tok/s");
    CHECK(text_is(5, 0, "7 tok/s", 0x70), "black on grey, across the line: %04x", text_at(5, 19));
    put("ab");
    fbcon_show_cursor(true);
    CHECK(text_at(0, 2) == (0x70 << 8 | ' '), "a block cursor: %04x", text_at(0, 2));
    put("c");
    CHECK(text_at(0, 2) == (0x07 << 8 | 'c') && text_at(0, 3) == (0x70 << 8 | ' '));
    fbcon_show_cursor(false);
    CHECK(text_at(0, 3) == 0x0020);
}

TEST(cp437_table) {
    CHECK(cp437_from_unicode('A') == 'A' && cp437_from_unicode('~') == '~');
    CHECK(cp437_from_unicode(0x07) == 0 && cp437_from_unicode(0x7F) == 0 && cp437_from_unicode(0x85) == 0);
    CHECK(cp437_from_unicode(0x00C7) == 0x80 && cp437_from_unicode(0x00E9) == 0x82);
    CHECK(cp437_from_unicode(0x00F1) == 0xA4 && cp437_from_unicode(0x2502) == 0xB3);
    CHECK(cp437_from_unicode(0x2588) == 0xDB && cp437_from_unicode(0x03C0) == 0xE3);
    CHECK(cp437_from_unicode(0x00B0) == 0xF8 && cp437_from_unicode(0x25A0) == 0xFE);
    CHECK(cp437_from_unicode(0x00A0) == 0xFF && cp437_from_unicode(0x2019) == '\'');
    CHECK(cp437_from_unicode(0x4E2D) == 0 && cp437_from_unicode(0x2551) == 0);
    CHECK(cp437_from_unicode(0x2022) == 0xF9, "a bullet stands in as CP437's bullet operator");
    /* every other byte 0x80-0xFF comes from exactly one code point */
    for (uint32_t a = 0xA0; a < 0x2600; a++) {
        uint8_t ca = cp437_from_unicode(a);
        if (ca < 0x80 || a == 0x2022) continue;
        for (uint32_t b = a + 1; b < 0x2600; b++)
            if (b != 0x2022 && cp437_from_unicode(b) == ca) {
                CHECK(0, "U+%04X and U+%04X both give %02x", a, b, ca);
                return;
            }
    }
}

RUN_TESTS(rejects_unsupported_formats, clears_to_black, font_follows_resolution,
          glyph_32bpp_rgb, glyph_32bpp_bgr, glyph_24bpp_padded_pitch, glyph_32bpp_padded_pitch,
          narrow_colour_fields, scaled_font_4k, newline_and_carriage_return, tab_stops, backspace,
          wraps_at_right_edge, word_wrap, word_wrap_keeps_colours, word_wrap_at_the_bottom_scrolls,
          backspace_across_word_wrap, scrolls_up, many_scrolls_in_one_write, colours,
          utf8_split_across_writes, invalid_utf8_gives_replacement, missing_glyph_draws_box,
          invisible_code_points, status_line_stays_while_text_scrolls,
          status_line_keeps_utf8_state, cursor, clear_keeps_status, redraws_only_changed_cells,
          writes_before_init_are_ignored, text_mode_grid_and_clear, text_mode_text_wrap_and_scroll,
          text_mode_characters, text_mode_status_and_cursor, cp437_table)

/* psf2c: turn Linux console fonts (PSF1 or PSF2, decompressed) into C data
 * for the framebuffer console (drivers/font.h).
 *
 * Usage: psf2c -o OUT.c FONT.psf [FONT.psf ...]
 *
 * Each font becomes one entry of fbcon_fonts[]: its glyph bitmaps as stored
 * in the file (rows of (width + 7) / 8 bytes, leftmost pixel in the most
 * significant bit) and its Unicode table flattened into a code-point ->
 * glyph-index map sorted by code point. A font without a Unicode table is
 * refused: the console draws UTF-8 and needs to know which glyph is which.
 *
 * The two formats, as the kbd project defines them:
 *   PSF1: bytes 0x36 0x04, mode, charsize (= height; width is 8).
 *         mode & 1: 512 glyphs (else 256); mode & 2 or 4: Unicode table.
 *         Table: per glyph, little-endian u16 code points, 0xFFFE starts a
 *         sequence, 0xFFFF ends the glyph's entry.
 *   PSF2: u32 magic 0x864ab572, version, headersize, flags (1 = Unicode
 *         table), length (glyphs), charsize (bytes per glyph), height, width.
 *         Table: per glyph, UTF-8 code points, 0xFE starts a sequence, 0xFF
 *         ends the glyph's entry.
 * Sequences (a glyph for a base letter plus combining marks) are skipped:
 * the console draws one code point per cell. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct map_entry {
    uint32_t cp;
    uint32_t glyph;
};

struct font {
    char name[128];
    uint32_t width, height, row_bytes, glyph_count;
    const uint8_t *bitmaps;
    struct map_entry *map;
    size_t map_count, map_cap;
};

static void die(const char *path, const char *why) {
    fprintf(stderr, "psf2c: %s: %s\n", path, why);
    exit(1);
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void add_mapping(struct font *f, uint32_t cp, uint32_t glyph) {
    if (f->map_count == f->map_cap) {
        f->map_cap = f->map_cap ? 2 * f->map_cap : 1024;
        f->map = realloc(f->map, f->map_cap * sizeof *f->map);
        if (!f->map) die(f->name, "out of memory");
    }
    f->map[f->map_count].cp = cp;
    f->map[f->map_count].glyph = glyph;
    f->map_count++;
}

/* Decodes one UTF-8 code point from [*p, end); returns -1 when malformed. */
static long utf8_next(const uint8_t **p, const uint8_t *end) {
    const uint8_t *s = *p;
    uint32_t c = *s++;
    int more;
    if (c < 0x80) more = 0;
    else if (c >= 0xC2 && c <= 0xDF) { c &= 0x1F; more = 1; }
    else if (c >= 0xE0 && c <= 0xEF) { c &= 0x0F; more = 2; }
    else if (c >= 0xF0 && c <= 0xF4) { c &= 0x07; more = 3; }
    else return -1;
    while (more--) {
        if (s == end || (*s & 0xC0) != 0x80) return -1;
        c = c << 6 | (*s++ & 0x3F);
    }
    *p = s;
    return c;
}

static void read_psf1(struct font *f, const uint8_t *d, size_t n) {
    if (n < 4) die(f->name, "truncated PSF1 header");
    uint8_t mode = d[2];
    f->width = 8;
    f->height = d[3];
    f->row_bytes = 1;
    f->glyph_count = (mode & 1) ? 512 : 256;
    if (f->height == 0) die(f->name, "PSF1 glyph height is 0");
    if (!(mode & 6)) die(f->name, "font has no Unicode table (pick a Uni* font)");
    size_t glyph_bytes = (size_t)f->glyph_count * f->height;
    if (n < 4 + glyph_bytes) die(f->name, "truncated glyph data");
    f->bitmaps = d + 4;
    const uint8_t *t = d + 4 + glyph_bytes, *end = d + n;
    for (uint32_t g = 0; g < f->glyph_count; g++) {
        int in_seq = 0;
        for (;;) {
            if (end - t < 2) die(f->name, "truncated Unicode table");
            uint32_t u = (uint32_t)t[0] | (uint32_t)t[1] << 8;
            t += 2;
            if (u == 0xFFFF) break;
            if (u == 0xFFFE) in_seq = 1;
            else if (!in_seq) add_mapping(f, u, g);
        }
    }
}

static void read_psf2(struct font *f, const uint8_t *d, size_t n) {
    if (n < 32) die(f->name, "truncated PSF2 header");
    uint32_t header_size = get_u32(d + 8), flags = get_u32(d + 12);
    uint32_t length = get_u32(d + 16), charsize = get_u32(d + 20);
    f->height = get_u32(d + 24);
    f->width = get_u32(d + 28);
    f->glyph_count = length;
    f->row_bytes = (f->width + 7) / 8;
    if (f->width == 0 || f->height == 0 || f->width > 64 || f->height > 128)
        die(f->name, "unsupported glyph size");
    if (length == 0 || length > 65535) die(f->name, "unsupported glyph count");
    if (charsize != f->row_bytes * f->height) die(f->name, "charsize does not match width and height");
    if (!(flags & 1)) die(f->name, "font has no Unicode table (pick a Uni* font)");
    if (header_size < 32 || header_size > n) die(f->name, "bad header size");
    size_t glyph_bytes = (size_t)length * charsize;
    if (n - header_size < glyph_bytes) die(f->name, "truncated glyph data");
    f->bitmaps = d + header_size;
    const uint8_t *t = d + header_size + glyph_bytes, *end = d + n;
    for (uint32_t g = 0; g < length; g++) {
        int in_seq = 0;
        for (;;) {
            if (t == end) die(f->name, "truncated Unicode table");
            if (*t == 0xFF) { t++; break; }
            if (*t == 0xFE) { t++; in_seq = 1; continue; }
            long cp = utf8_next(&t, end);
            if (cp < 0) die(f->name, "malformed UTF-8 in the Unicode table");
            if (!in_seq) add_mapping(f, (uint32_t)cp, g);
        }
    }
}

static int by_cp(const void *a, const void *b) {
    const struct map_entry *x = a, *y = b;
    if (x->cp != y->cp) return x->cp < y->cp ? -1 : 1;
    return x->glyph < y->glyph ? -1 : x->glyph > y->glyph;   /* first glyph wins */
}

static void load(struct font *f, const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(f->name, sizeof f->name, "%s", base);
    char *dot = strchr(f->name, '.');
    if (dot) *dot = 0;

    FILE *in = fopen(path, "rb");
    if (!in) die(path, "cannot open");
    size_t cap = 1 << 16, n = 0;
    uint8_t *d = malloc(cap);
    for (size_t got; d && (got = fread(d + n, 1, cap - n, in)) > 0;) {
        n += got;
        if (n == cap) d = realloc(d, cap *= 2);
    }
    if (!d) die(path, "out of memory");
    if (ferror(in)) die(path, "read error");
    fclose(in);

    if (n >= 2 && d[0] == 0x36 && d[1] == 0x04) read_psf1(f, d, n);
    else if (n >= 4 && get_u32(d) == 0x864ab572) read_psf2(f, d, n);
    else if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) die(path, "gzip-compressed: decompress it first (gzip -dc)");
    else die(path, "not a PSF1 or PSF2 font");

    qsort(f->map, f->map_count, sizeof *f->map, by_cp);
    size_t k = 0;
    for (size_t i = 0; i < f->map_count; i++)
        if (k == 0 || f->map[i].cp != f->map[k - 1].cp) f->map[k++] = f->map[i];
    f->map_count = k;
    if (k == 0) die(path, "Unicode table maps no code point");
}

static void emit(FILE *out, struct font *fonts, int count) {
    fprintf(out, "/* Generated by tools/psf2c from Linux console fonts. Do not edit. */\n"
                 "#include \"drivers/font.h\"\n");
    for (int i = 0; i < count; i++) {
        struct font *f = &fonts[i];
        size_t bytes = (size_t)f->glyph_count * f->height * f->row_bytes;
        fprintf(out, "\n/* %s: %ux%u, %u glyphs, %zu code points */\n",
                f->name, f->width, f->height, f->glyph_count, f->map_count);
        fprintf(out, "static const uint8_t font%d_bitmaps[%zu] = {", i, bytes);
        for (size_t b = 0; b < bytes; b++)
            fprintf(out, "%s0x%02x,", b % 16 ? "" : "\n    ", f->bitmaps[b]);
        fprintf(out, "\n};\nstatic const uint32_t font%d_codepoints[%zu] = {", i, f->map_count);
        for (size_t m = 0; m < f->map_count; m++)
            fprintf(out, "%s0x%04x,", m % 8 ? " " : "\n    ", f->map[m].cp);
        fprintf(out, "\n};\nstatic const uint16_t font%d_glyphs[%zu] = {", i, f->map_count);
        for (size_t m = 0; m < f->map_count; m++)
            fprintf(out, "%s%u,", m % 12 ? " " : "\n    ", f->map[m].glyph);
        fprintf(out, "\n};\n");
    }
    fprintf(out, "\nconst struct fbcon_font fbcon_fonts[] = {\n");
    for (int i = 0; i < count; i++) {
        struct font *f = &fonts[i];
        fprintf(out, "    {\"%s\", %u, %u, %u, %u, font%d_bitmaps, font%d_codepoints, font%d_glyphs, %zu},\n",
                f->name, f->width, f->height, f->row_bytes, f->glyph_count, i, i, i, f->map_count);
    }
    fprintf(out, "};\nconst size_t fbcon_font_count = %d;\n", count);
}

int main(int argc, char **argv) {
    const char *out_path = NULL;
    int first = 1;
    if (argc >= 3 && strcmp(argv[1], "-o") == 0) {
        out_path = argv[2];
        first = 3;
    }
    if (!out_path || first >= argc) {
        fprintf(stderr, "usage: psf2c -o OUT.c FONT.psf [FONT.psf ...]\n");
        return 2;
    }
    int count = argc - first;
    struct font *fonts = calloc(count, sizeof *fonts);
    if (!fonts) die("psf2c", "out of memory");
    for (int i = 0; i < count; i++) load(&fonts[i], argv[first + i]);

    FILE *out = fopen(out_path, "w");
    if (!out) die(out_path, "cannot create");
    emit(out, fonts, count);
    if (fclose(out) != 0) die(out_path, "write error");
    return 0;
}

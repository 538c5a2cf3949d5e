/* UTF-16 to UTF-8, UTF-8 decoding and up-casing (see unicode.h). The
 * up-casing covers the scripts a file name of a model is likely to use;
 * it matches the up-case table Windows writes on exFAT for them. */
#include "lib/fs/unicode.h"
#include "lib/fs/fs.h"

static int put_utf8(uint32_t c, char *out, size_t cap, size_t *len)
{
    uint8_t b[4];
    size_t n;
    if (c < 0x80) { b[0] = (uint8_t)c; n = 1; }
    else if (c < 0x800) { b[0] = (uint8_t)(0xC0 | c >> 6); b[1] = (uint8_t)(0x80 | (c & 0x3F)); n = 2; }
    else if (c < 0x10000) {
        b[0] = (uint8_t)(0xE0 | c >> 12); b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (uint8_t)(0x80 | (c & 0x3F)); n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | c >> 18); b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F)); b[3] = (uint8_t)(0x80 | (c & 0x3F)); n = 4;
    }
    if (*len + n + 1 > cap)
        return -1;
    for (size_t i = 0; i < n; i++)
        out[(*len)++] = (char)b[i];
    return 0;
}

int fs_utf16_to_utf8(const uint16_t *s, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    if (cap == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < n && s[i + 1] >= 0xDC00 && s[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c < 0xE000) {
            c = 0xFFFD;
        }
        if (put_utf8(c, out, cap, &len) != 0) {
            out[0] = 0;
            return -1;
        }
    }
    out[len] = 0;
    return (int)len;
}

uint32_t fs_utf8_next(const char **sp)
{
    const uint8_t *s = (const uint8_t *)*sp;
    uint32_t c = s[0];
    int n = 0;
    if (c == 0)
        return 0;
    if (c >= 0xC2 && c < 0xE0) { n = 1; c &= 0x1F; }
    else if (c >= 0xE0 && c < 0xF0) { n = 2; c &= 0x0F; }
    else if (c >= 0xF0 && c < 0xF5) { n = 3; c &= 0x07; }
    for (int i = 1; i <= n; i++) {
        if ((s[i] & 0xC0) != 0x80) {   /* not UTF-8: the lead byte alone, as Latin-1 */
            *sp += 1;
            return s[0];
        }
        c = c << 6 | (s[i] & 0x3F);
    }
    *sp += 1 + n;
    return c;
}

uint32_t fs_upcase(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if (c < 0xE0)
        return c == 0xB5 ? 0x39C : c;                 /* micro sign */
    if (c <= 0xFE)
        return c == 0xF7 ? c : c - 32;                /* not the division sign */
    if (c == 0xFF)
        return 0x178;
    if (c >= 0x100 && c <= 0x17F) {                    /* Latin Extended-A: pairs */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c : c - 1;
        if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F)
            return c;
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)       /* Greek small letters */
        return c - 32;
    if (c == 0x3C2)                                    /* final sigma */
        return 0x3A3;
    if (c >= 0x3AC && c <= 0x3AF)                      /* tonos: ά έ ή ί */
        return c == 0x3AC ? 0x386 : c - 37;
    if (c == 0x3CC)
        return 0x38C;
    if (c == 0x3CD || c == 0x3CE)
        return c - 63;
    if (c >= 0x430 && c <= 0x44F)                      /* Cyrillic а..я */
        return c - 32;
    if (c >= 0x450 && c <= 0x45F)                      /* ѐ..џ */
        return c - 80;
    if (c >= 0x460 && c <= 0x4FF) {                    /* Cyrillic pairs */
        if ((c >= 0x482 && c <= 0x489) || c == 0x4C0 || c == 0x4CF)
            return c;
        if (c >= 0x4C1 && c <= 0x4CE)
            return (c & 1) ? c : c - 1;
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0xFF41 && c <= 0xFF5A)                    /* full-width a..z */
        return c - 32;
    return c;
}

int fs_name_equal_nocase(const char *a, const char *b)
{
    for (;;) {
        uint32_t x = fs_utf8_next(&a), y = fs_utf8_next(&b);
        if (fs_upcase(x) != fs_upcase(y))
            return 0;
        if (x == 0)
            return 1;
    }
}

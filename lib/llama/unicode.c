/* UTF-8, class flags and GPT-2's byte alphabet (see unicode.h), with the
 * rules of llama.cpp's src/unicode.cpp so that the tokenizers see the same
 * code points and classes it does. */
#include "lib/llama/unicode.h"

unsigned unicode_flags(uint32_t cpt) {
    if (cpt >= 0x110000) return 0;
    /* the last range that starts at or before cpt */
    int lo = 0, hi = unicode_n_ranges;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (unicode_ranges[mid] <= cpt) lo = mid;
        else hi = mid;
    }
    return unicode_range_flags[lo];
}

static int continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

uint32_t unicode_decode(const unsigned char *s, size_t len, size_t *used) {
    unsigned char c = s[0];
    *used = 1;
    if (c < 0x80) return c;
    size_t n;
    uint32_t cpt;
    if (!(c & 0x40)) return UNICODE_REPLACEMENT;          /* 10xxxxxx: no lead byte */
    if (!(c & 0x20)) n = 2, cpt = c & 0x1F;
    else if (!(c & 0x10)) n = 3, cpt = c & 0x0F;
    else if (!(c & 0x08)) n = 4, cpt = c & 0x07;
    else return UNICODE_REPLACEMENT;                      /* 0xF8..0xFF */
    if (len < n) return UNICODE_REPLACEMENT;
    for (size_t i = 1; i < n; i++) {
        if (!continuation(s[i])) return UNICODE_REPLACEMENT;
        cpt = cpt << 6 | (s[i] & 0x3F);
    }
    if (cpt > 0x10FFFF) return UNICODE_REPLACEMENT;
    *used = n;
    return cpt;
}

size_t unicode_encode(uint32_t cpt, unsigned char *out) {
    if (cpt < 0x80) {
        out[0] = (unsigned char)cpt;
        return 1;
    }
    if (cpt < 0x800) {
        out[0] = (unsigned char)(0xC0 | cpt >> 6);
        out[1] = (unsigned char)(0x80 | (cpt & 0x3F));
        return 2;
    }
    if (cpt < 0x10000) {
        out[0] = (unsigned char)(0xE0 | cpt >> 12);
        out[1] = (unsigned char)(0x80 | (cpt >> 6 & 0x3F));
        out[2] = (unsigned char)(0x80 | (cpt & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cpt >> 18 & 0x07));
    out[1] = (unsigned char)(0x80 | (cpt >> 12 & 0x3F));
    out[2] = (unsigned char)(0x80 | (cpt >> 6 & 0x3F));
    out[3] = (unsigned char)(0x80 | (cpt & 0x3F));
    return 4;
}

size_t unicode_utf8_len(unsigned char lead) {
    static const unsigned char len[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4 };
    return len[lead >> 4];
}

/* Bytes that stand for themselves in GPT-2's alphabet. */
static int printable(unsigned b) {
    return (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
}

/* The 68 bytes that do not stand for themselves, 0x00..0x20, 0x7F..0xA0 and
 * 0xAD, are U+0100..U+0143 in that order. */
uint32_t unicode_byte_to_cpt(unsigned char byte) {
    if (printable(byte)) return byte;
    if (byte <= 0x20) return 0x100u + byte;
    if (byte <= 0xA0) return 0x100u + 33 + (byte - 0x7Fu);
    return 0x100u + 67;                                   /* 0xAD */
}

int unicode_cpt_to_byte(uint32_t cpt) {
    if (cpt < 0x100) return printable(cpt) ? (int)cpt : -1;
    if (cpt < 0x100 + 33) return (int)(cpt - 0x100);
    if (cpt < 0x100 + 67) return (int)(cpt - 0x100 - 33 + 0x7F);
    if (cpt == 0x100 + 67) return 0xAD;
    return -1;
}

int unicode_is_py_space(uint32_t cpt) {
    int lo = 0, hi = unicode_n_py_spaces;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (unicode_py_spaces[mid] < cpt) lo = mid + 1;
        else hi = mid;
    }
    return lo < unicode_n_py_spaces && unicode_py_spaces[lo] == cpt;
}

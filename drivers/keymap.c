/* Scan codes to characters (see keymap.h).
 *
 * Set 1: one byte per key press, the same byte | 0x80 on release; keys
 * added after the PC/XT (right Ctrl and Alt, keypad Enter and '/', the
 * arrows) send 0xE0 first. Pause sends E1 1D 45 E1 9D C5 and no release.
 * Set 2: other codes; a release is 0xF0 and the code; 0xE0 as in set 1;
 * Pause is E1 14 77 E1 F0 14 F0 77. Bytes the keyboard sends that are not
 * keys (0xFA acknowledge, 0xFE resend, 0xEE echo, 0x00 and 0xFF errors,
 * and in set 2 0xAA self-test passed) are dropped. */
#include "drivers/keymap.h"

enum {
    K_LSHIFT = 0x2A, K_RSHIFT = 0x36, K_CTRL = 0x1D, K_CAPS = 0x3A,
    K_ENTER = 0x1C, K_KP_SLASH = 0x35,
};

/* Set 1 codes 0x00-0x58: the character without and with shift; 0 = none. */
static const char plain[0x59] =
    "\0\x1b" "1234567890-=\b"
    "\tqwertyuiop[]\n"
    "\0" "asdfghjkl;'`"
    "\0" "\\zxcvbnm,./" "\0"
    "*\0 \0"                          /* 0x37 keypad *, 0x38 Alt, space, caps lock */
    "\0\0\0\0\0\0\0\0\0\0"            /* F1-F10 */
    "\0\0"                            /* num lock, scroll lock */
    "789-456+1230."                   /* the keypad, 0x47-0x53 */
    "\0\0" "\\" "\0\0";               /* 0x54, 0x55, 0x56 (the ISO key), F11, F12 */
static const char shifted[0x59] =
    "\0\x1b" "!@#$%^&*()_+\b"
    "\tQWERTYUIOP{}\n"
    "\0" "ASDFGHJKL:\"~"
    "\0" "|ZXCVBNM<>?" "\0"
    "*\0 \0"
    "\0\0\0\0\0\0\0\0\0\0"
    "\0\0"
    "789-456+1230."
    "\0\0" "|" "\0\0";

/* Set 2 to set 1, as the i8042 translates (0 = no key). */
static const uint8_t set2_to_set1[0x84] = {
    [0x76] = 0x01, [0x16] = 0x02, [0x1E] = 0x03, [0x26] = 0x04, [0x25] = 0x05,
    [0x2E] = 0x06, [0x36] = 0x07, [0x3D] = 0x08, [0x3E] = 0x09, [0x46] = 0x0A,
    [0x45] = 0x0B, [0x4E] = 0x0C, [0x55] = 0x0D, [0x66] = 0x0E, [0x0D] = 0x0F,
    [0x15] = 0x10, [0x1D] = 0x11, [0x24] = 0x12, [0x2D] = 0x13, [0x2C] = 0x14,
    [0x35] = 0x15, [0x3C] = 0x16, [0x43] = 0x17, [0x44] = 0x18, [0x4D] = 0x19,
    [0x54] = 0x1A, [0x5B] = 0x1B, [0x5A] = 0x1C, [0x14] = 0x1D, [0x1C] = 0x1E,
    [0x1B] = 0x1F, [0x23] = 0x20, [0x2B] = 0x21, [0x34] = 0x22, [0x33] = 0x23,
    [0x3B] = 0x24, [0x42] = 0x25, [0x4B] = 0x26, [0x4C] = 0x27, [0x52] = 0x28,
    [0x0E] = 0x29, [0x12] = 0x2A, [0x5D] = 0x2B, [0x1A] = 0x2C, [0x22] = 0x2D,
    [0x21] = 0x2E, [0x2A] = 0x2F, [0x32] = 0x30, [0x31] = 0x31, [0x3A] = 0x32,
    [0x41] = 0x33, [0x49] = 0x34, [0x4A] = 0x35, [0x59] = 0x36, [0x7C] = 0x37,
    [0x11] = 0x38, [0x29] = 0x39, [0x58] = 0x3A, [0x05] = 0x3B, [0x06] = 0x3C,
    [0x04] = 0x3D, [0x0C] = 0x3E, [0x03] = 0x3F, [0x0B] = 0x40, [0x83] = 0x41,
    [0x0A] = 0x42, [0x01] = 0x43, [0x09] = 0x44, [0x77] = 0x45, [0x7E] = 0x46,
    [0x6C] = 0x47, [0x75] = 0x48, [0x7D] = 0x49, [0x7B] = 0x4A, [0x6B] = 0x4B,
    [0x73] = 0x4C, [0x74] = 0x4D, [0x79] = 0x4E, [0x69] = 0x4F, [0x72] = 0x50,
    [0x7A] = 0x51, [0x70] = 0x52, [0x71] = 0x53, [0x61] = 0x56, [0x78] = 0x57,
    [0x07] = 0x58,
};

void keymap_init(struct keymap *k, bool set2) {
    *k = (struct keymap){.set2 = set2};
}

/* One key event in set 1 terms. */
static int key(struct keymap *k, uint8_t code, bool extended, bool release) {
    switch (code) {
    case K_LSHIFT:
    case K_RSHIFT:
        /* E0 2A / E0 36 are fake shifts around Print Screen and the like */
        if (!extended) *(code == K_LSHIFT ? &k->lshift : &k->rshift) = !release;
        return -1;
    case K_CTRL:
        *(extended ? &k->rctrl : &k->lctrl) = !release;
        return -1;
    case K_CAPS:
        if (!release && !extended) k->caps = !k->caps;
        return -1;
    }
    if (release) return -1;
    if (extended) {               /* of the E0 keys only keypad Enter and '/' type */
        if (code == K_ENTER) return '\n';
        if (code == K_KP_SLASH) return '/';
        return -1;
    }
    if (code >= sizeof plain) return -1;
    bool shift = k->lshift || k->rshift;
    char c = shift ? shifted[code] : plain[code];
    if (c >= 'a' && c <= 'z' && k->caps) c = (char)(c - 'a' + 'A');
    else if (c >= 'A' && c <= 'Z' && k->caps) c = (char)(c - 'A' + 'a');
    if (k->lctrl || k->rctrl) {
        char l = plain[code];
        return l >= 'a' && l <= 'z' ? l - 'a' + 1 : -1;
    }
    return c ? (unsigned char)c : -1;
}

int keymap_feed(struct keymap *k, uint8_t b) {
    if (k->skip) {
        k->skip--;
        return -1;
    }
    switch (b) {
    case 0x00: case 0xFF: case 0xFA: case 0xFE: case 0xEE:
        return -1;
    case 0xE0:
        k->e0 = true;
        return -1;
    case 0xE1:
        k->skip = k->set2 ? 7 : 5;    /* Pause: the rest of its bytes */
        k->e0 = k->f0 = false;
        return -1;
    }
    bool extended = k->e0;
    k->e0 = false;
    if (!k->set2) return key(k, b & 0x7F, extended, b & 0x80);
    if (b == 0xF0) {
        k->f0 = true;
        k->e0 = extended;             /* E0 F0 xx: an extended key's release */
        return -1;
    }
    if (b == 0xAA && !k->f0) return -1;   /* self-test passed (a keyboard plugged in) */
    bool release = k->f0;
    k->f0 = false;
    uint8_t code = b < sizeof set2_to_set1 ? set2_to_set1[b] : 0;
    if (extended) {                   /* E0 codes keep their second byte's meaning */
        switch (b) {
        case 0x5A: code = K_ENTER; break;
        case 0x4A: code = K_KP_SLASH; break;
        case 0x14: code = K_CTRL; break;
        case 0x12: code = K_LSHIFT; break;   /* fake shifts, ignored as in set 1 */
        case 0x59: code = K_RSHIFT; break;
        default: code = 0x60;                /* any other: no character */
        }
    }
    return code ? key(k, code, extended, release) : -1;
}

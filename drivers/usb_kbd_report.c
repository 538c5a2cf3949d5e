/* Keyboard boot reports to characters (see usb_kbd_report.h).
 *
 * Usages (HID Usage Tables 1.12, chapter 10, "Keyboard/Keypad Page"):
 * 0x04-0x1D a-z, 0x1E-0x27 1-9 and 0, 0x28 Enter, 0x29 Escape, 0x2A
 * Backspace, 0x2B Tab, 0x2C space, 0x2D-0x38 the punctuation keys (0x32 is
 * the non-US # key, where an ISO keyboard's backslash is), 0x39 Caps Lock,
 * 0x3A-0x53 function, editing and arrow keys, 0x54-0x63 the keypad, 0x64
 * the ISO key beside the left Shift. The US layout gives 0x32 and 0x64 the
 * backslash, as the PS/2 keymap gives their scan codes. */
#include "drivers/usb_kbd_report.h"

enum { MOD_CTRL = 0x11, MOD_SHIFT = 0x22 };
enum { U_CAPS = 0x39, U_ROLLOVER = 0x01 };

#define FIRST 0x04
#define LAST 0x64
/* Usages 0x04-0x64: the character without and with Shift; 0 = none. */
static const char plain[LAST - FIRST + 1] =
    "abcdefghijklmnopqrstuvwxyz"
    "1234567890"
    "\n\x1b\b\t "
    "-=[]\\\\;'`,./"
    "\0"                                     /* Caps Lock */
    "\0\0\0\0\0\0\0\0\0\0\0\0"               /* F1-F12 */
    "\0\0\0\0\0\0\0\0\0\0\0\0\0"             /* PrtSc ScrLk Pause Ins Home PgUp Del End PgDn, arrows */
    "\0"                                     /* Num Lock */
    "/*-+\n1234567890."                      /* the keypad */
    "\\";
static const char shifted[LAST - FIRST + 1] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "!@#$%^&*()"
    "\n\x1b\b\t "
    "_+{}||:\"~<>?"
    "\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0"
    "/*-+\n1234567890."
    "|";

void usb_kbd_report_init(struct usb_kbd_report *s) { *s = (struct usb_kbd_report){0}; }

/* The character key types with the modifiers and Caps Lock as they are, or -1. */
static int character(const struct usb_kbd_report *s, uint8_t key) {
    if (key < FIRST || key > LAST) return -1;
    int i = key - FIRST;
    if (s->mods & MOD_CTRL) {
        char l = plain[i];
        return l >= 'a' && l <= 'z' ? l - 'a' + 1 : -1;
    }
    char c = s->mods & MOD_SHIFT ? shifted[i] : plain[i];
    if (s->caps && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
    else if (s->caps && c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
    return c ? (unsigned char)c : -1;
}

static bool held(const uint8_t keys[6], uint8_t key) {
    for (int i = 0; i < 6; i++)
        if (keys[i] == key) return true;
    return false;
}

int usb_kbd_report_feed(struct usb_kbd_report *s, const uint8_t *report, size_t n, uint64_t now_ms,
                 int out[6]) {
    if (n < 3) return 0;
    s->mods = report[0];
    uint8_t keys[6] = {0};
    for (size_t i = 0; i < 6 && 2 + i < n; i++) keys[i] = report[2 + i];
    for (int i = 0; i < 6; i++)
        if (keys[i] == U_ROLLOVER || keys[i] == 0x02 || keys[i] == 0x03) return 0;   /* error states */
    int count = 0;
    for (int i = 0; i < 6; i++) {
        uint8_t k = keys[i];
        if (k == 0 || held(s->keys, k)) continue;
        bool dup = false;             /* the same usage twice in one report */
        for (int j = 0; j < i; j++) dup |= keys[j] == k;
        if (dup) continue;
        if (k == U_CAPS) s->caps = !s->caps;
        int c = character(s, k);
        if (c >= 0) out[count++] = c;
        s->repeat_key = k;
        s->repeat_at = now_ms + USB_KBD_REPORT_REPEAT_DELAY_MS;
    }
    if (s->repeat_key && !held(keys, s->repeat_key)) s->repeat_key = 0;
    for (int i = 0; i < 6; i++) s->keys[i] = keys[i];
    return count;
}

int usb_kbd_report_repeat(struct usb_kbd_report *s, uint64_t now_ms) {
    if (!s->repeat_key || now_ms < s->repeat_at) return -1;
    s->repeat_at += USB_KBD_REPORT_REPEAT_MS;
    if (s->repeat_at <= now_ms) s->repeat_at = now_ms + USB_KBD_REPORT_REPEAT_MS;   /* long unpolled: no burst */
    return s->repeat_key == U_CAPS ? -1 : character(s, s->repeat_key);
}

uint8_t usb_kbd_report_leds(const struct usb_kbd_report *s) { return s->caps ? 0x02 : 0; }

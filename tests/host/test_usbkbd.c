/* Host tests of the USB keyboard report decoder (drivers/usb_kbd_report.c):
 * new keys, releases, modifiers, Caps Lock, rollover, key repeat, and the
 * same characters as the PS/2 keymap (drivers/keymap.c) key for key. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <string.h>

#include "drivers/keymap.h"
#include "drivers/usb_kbd_report.h"
#include "tests/check.h"

enum { L_CTRL = 0x01, L_SHIFT = 0x02, L_ALT = 0x04, R_CTRL = 0x10, R_SHIFT = 0x20 };
enum { K_A = 0x04, K_D = 0x07, K_H = 0x0B, K_I = 0x0C, K_L = 0x0F, K_U = 0x18, K_Y = 0x1C,
       K_1 = 0x1E, K_ENTER = 0x28, K_ESC = 0x29, K_BS = 0x2A, K_TAB = 0x2B, K_SPACE = 0x2C,
       K_CAPS = 0x39, K_F1 = 0x3A, K_DELETE = 0x4C, K_RIGHT = 0x4F, K_UP = 0x52,
       K_KP_SLASH = 0x54, K_KP_ENTER = 0x58, K_KP_1 = 0x59, K_KP_0 = 0x62, K_KP_DOT = 0x63 };

static uint64_t clock_ms = 1000;

/* Feeds one report (modifiers, keys...) and returns the characters as a string. */
static const char *report(struct usb_kbd_report *s, uint8_t mods, const uint8_t *keys, int n) {
    static char out[16];
    uint8_t r[8] = {mods, 0};
    for (int i = 0; i < n && i < 6; i++) r[2 + i] = keys[i];
    int c[6];
    int count = usb_kbd_report_feed(s, r, sizeof r, clock_ms, c);
    for (int i = 0; i < count; i++) out[i] = (char)c[i];
    out[count] = 0;
    return out;
}
#define REPORT(s, mods, ...) \
    report(s, mods, (const uint8_t[]){0, ##__VA_ARGS__} + 1, (int)sizeof((const uint8_t[]){0, ##__VA_ARGS__}) - 1)

/* Types a key: pressed alone, then released. */
static const char *tap(struct usb_kbd_report *s, uint8_t mods, uint8_t key) {
    static char out[16];
    strcpy(out, REPORT(s, mods, key));
    REPORT(s, mods);
    return out;
}

TEST(letters_press_and_release) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    CHECK(strcmp(REPORT(&s, 0, K_H), "h") == 0);
    CHECK(strcmp(REPORT(&s, 0, K_H), "") == 0, "a key still held types nothing more");
    CHECK(strcmp(REPORT(&s, 0), "") == 0, "a release types nothing");
    CHECK(strcmp(REPORT(&s, 0, K_I), "i") == 0);
    CHECK(strcmp(REPORT(&s, 0), "") == 0);
    CHECK(strcmp(REPORT(&s, 0, K_I), "i") == 0, "pressed again after a release: typed again");
}

TEST(rollover_of_several_keys) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    /* h down; h and i down (i new); i alone (h up); i and l (l new); all up */
    CHECK(strcmp(REPORT(&s, 0, K_H), "h") == 0);
    CHECK(strcmp(REPORT(&s, 0, K_H, K_I), "i") == 0, "only the new key types");
    CHECK(strcmp(REPORT(&s, 0, K_I), "") == 0);
    CHECK(strcmp(REPORT(&s, 0, K_L, K_I), "l") == 0, "the order in the report does not matter");
    CHECK(strcmp(REPORT(&s, 0), "") == 0);
    /* two new keys in one report: both, in report order; six at once */
    CHECK(strcmp(REPORT(&s, 0, K_H, K_I), "hi") == 0);
    CHECK(strcmp(REPORT(&s, 0, K_H, K_I, K_A, K_L, K_Y, K_1), "aly1") == 0);
    CHECK(strcmp(REPORT(&s, 0), "") == 0);
}

TEST(error_rollover_keeps_the_keys) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    CHECK(strcmp(REPORT(&s, 0, K_H, K_I), "hi") == 0);
    /* seven keys held: the keyboard reports ErrorRollOver in every slot */
    CHECK(strcmp(REPORT(&s, 0, 1, 1, 1, 1, 1, 1), "") == 0);
    /* back to h and i: they were held all along, nothing new */
    CHECK(strcmp(REPORT(&s, 0, K_H, K_I), "") == 0, "keys held through the rollover are not typed again");
    CHECK(strcmp(REPORT(&s, L_SHIFT, 1, 1, 1, 1, 1, 1), "") == 0);
    CHECK(strcmp(REPORT(&s, L_SHIFT, K_H, K_I, K_L), "L") == 0,
          "the modifiers of a rollover report count");
    CHECK(strcmp(REPORT(&s, 0, 2), "") == 0, "POSTFail types nothing");
    CHECK(strcmp(REPORT(&s, 0), "") == 0);
}

TEST(shift_and_caps_lock) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    CHECK(strcmp(tap(&s, L_SHIFT, K_L), "L") == 0);
    CHECK(strcmp(tap(&s, R_SHIFT, K_1), "!") == 0, "right shift");
    CHECK(strcmp(tap(&s, 0, K_CAPS), "") == 0);
    CHECK(usb_kbd_report_leds(&s) == 0x02, "the Caps Lock light");
    CHECK(strcmp(tap(&s, 0, K_A), "A") == 0);
    CHECK(strcmp(tap(&s, 0, K_1), "1") == 0, "caps lock does not shift digits");
    CHECK(strcmp(tap(&s, L_SHIFT, K_A), "a") == 0, "shift under caps lock: lower case");
    CHECK(strcmp(tap(&s, 0, K_CAPS), "") == 0);
    CHECK(usb_kbd_report_leds(&s) == 0);
    CHECK(strcmp(tap(&s, 0, K_A), "a") == 0, "caps lock off again");
    /* shift pressed while the letter is held: the letter is not typed again */
    CHECK(strcmp(REPORT(&s, 0, K_A), "a") == 0);
    CHECK(strcmp(REPORT(&s, L_SHIFT, K_A), "") == 0);
    CHECK(strcmp(REPORT(&s, 0), "") == 0);
}

TEST(control_keys) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    CHECK(strcmp(tap(&s, L_CTRL, K_D), "\x04") == 0, "Ctrl-D");
    CHECK(strcmp(tap(&s, R_CTRL, K_U), "\x15") == 0, "right Ctrl-U");
    CHECK(strcmp(tap(&s, L_CTRL, K_1), "") == 0, "Ctrl with a digit types nothing");
    CHECK(strcmp(tap(&s, L_ALT, K_A), "a") == 0, "Alt is ignored, as on PS/2");
    CHECK(strcmp(tap(&s, 0, K_ENTER), "\n") == 0);
    CHECK(strcmp(tap(&s, 0, K_KP_ENTER), "\n") == 0, "keypad Enter");
    CHECK(strcmp(tap(&s, 0, K_BS), "\b") == 0);
    CHECK(strcmp(tap(&s, 0, K_TAB), "\t") == 0);
    CHECK(strcmp(tap(&s, 0, K_ESC), "\x1b") == 0);
    CHECK(strcmp(tap(&s, 0, K_SPACE), " ") == 0);
}

TEST(keys_without_characters) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    CHECK(strcmp(tap(&s, 0, K_F1), "") == 0);
    CHECK(strcmp(tap(&s, 0, K_UP), "") == 0);
    CHECK(strcmp(tap(&s, 0, K_RIGHT), "") == 0);
    CHECK(strcmp(tap(&s, 0, K_DELETE), "") == 0);
    CHECK(strcmp(tap(&s, 0, 0xE0), "") == 0, "a modifier's usage in the key array");
    CHECK(strcmp(tap(&s, 0, 0xFF), "") == 0, "a usage past the table");
    CHECK(strcmp(tap(&s, 0, K_A), "a") == 0);
}

TEST(keypad) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    char got[32] = "";
    for (uint8_t k = K_KP_SLASH; k <= K_KP_DOT; k++) strcat(got, tap(&s, 0, k));
    CHECK(strcmp(got, "/*-+\n1234567890.") == 0, "got %s", got);
    CHECK(strcmp(tap(&s, L_SHIFT, K_KP_1), "1") == 0, "shift does not change the keypad");
    CHECK(strcmp(tap(&s, 0, K_KP_0), "0") == 0);
}

TEST(short_and_odd_reports) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    int c[6];
    uint8_t two[2] = {0, 0};
    CHECK(usb_kbd_report_feed(&s, two, 2, clock_ms, c) == 0, "2 bytes: no keys");
    uint8_t three[3] = {L_SHIFT, 0, K_A};
    CHECK(usb_kbd_report_feed(&s, three, 3, clock_ms, c) == 1 && c[0] == 'A', "3 bytes: one key slot");
    uint8_t dup[8] = {0, 0, K_H, K_H, 0, 0, 0, 0};
    CHECK(usb_kbd_report_feed(&s, dup, 8, clock_ms, c) == 1 && c[0] == 'h', "a usage twice counts once");
    uint8_t none[8] = {0};
    CHECK(usb_kbd_report_feed(&s, none, 8, clock_ms, c) == 0);
}

TEST(repeat_after_delay_then_at_rate) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    uint64_t t0 = clock_ms = 5000;
    CHECK(strcmp(REPORT(&s, 0, K_A), "a") == 0);
    CHECK(usb_kbd_report_repeat(&s, t0) == -1);
    CHECK(usb_kbd_report_repeat(&s, t0 + USB_KBD_REPORT_REPEAT_DELAY_MS - 1) == -1, "not before the delay");
    CHECK(usb_kbd_report_repeat(&s, t0 + USB_KBD_REPORT_REPEAT_DELAY_MS) == 'a', "at the delay");
    CHECK(usb_kbd_report_repeat(&s, t0 + USB_KBD_REPORT_REPEAT_DELAY_MS + 1) == -1, "one at a time");
    uint64_t t1 = t0 + USB_KBD_REPORT_REPEAT_DELAY_MS + USB_KBD_REPORT_REPEAT_MS;
    CHECK(usb_kbd_report_repeat(&s, t1 - 1) == -1);
    CHECK(usb_kbd_report_repeat(&s, t1) == 'a', "then at the rate");
    int n = 0;   /* polled every ms for one second: about 1000 / rate repeats */
    for (uint64_t t = t1 + 1; t <= t1 + 1000; t++) n += usb_kbd_report_repeat(&s, t) == 'a';
    CHECK(n == 1000 / USB_KBD_REPORT_REPEAT_MS, "%d repeats in a second", n);
    /* shift pressed while held: the repeats become capitals */
    clock_ms = t1 + 1000;
    REPORT(&s, L_SHIFT, K_A);
    int c = -1;
    for (uint64_t t = clock_ms; t < clock_ms + 200 && c < 0; t++) c = usb_kbd_report_repeat(&s, t);
    CHECK(c == 'A', "repeat under shift gave %d", c);
    REPORT(&s, 0);
    for (uint64_t t = clock_ms; t < clock_ms + 2000; t++)
        CHECK(usb_kbd_report_repeat(&s, t) == -1, "released: no more repeats");
}

TEST(repeat_follows_the_last_key) {
    struct usb_kbd_report s;
    usb_kbd_report_init(&s);
    clock_ms = 10000;
    CHECK(strcmp(REPORT(&s, 0, K_A), "a") == 0);
    clock_ms = 10300;
    CHECK(strcmp(REPORT(&s, 0, K_A, K_H), "h") == 0);
    CHECK(usb_kbd_report_repeat(&s, 10500) == -1, "the delay starts again at the new key");
    CHECK(usb_kbd_report_repeat(&s, 10800) == 'h', "the new key repeats");
    clock_ms = 10850;
    REPORT(&s, 0, K_A);   /* h released, a still held */
    for (uint64_t t = 10850; t < 12000; t++)
        CHECK(usb_kbd_report_repeat(&s, t) == -1, "the repeating key was released: none");
    /* a long gap between polls: one repeat, not a burst */
    clock_ms = 20000;
    REPORT(&s, 0);
    REPORT(&s, 0, K_I);
    CHECK(usb_kbd_report_repeat(&s, 30000) == 'i');
    CHECK(usb_kbd_report_repeat(&s, 30000) == -1, "no burst after a long gap");
    /* Caps Lock held does not toggle again, and does not repeat */
    REPORT(&s, 0);
    REPORT(&s, 0, K_CAPS);
    for (uint64_t t = 20000; t < 22000; t++) CHECK(usb_kbd_report_repeat(&s, t) == -1);
    CHECK(usb_kbd_report_leds(&s) == 0x02);
}

/* Each printable key gives on USB what its set 1 scan code gives on PS/2. */
TEST(same_characters_as_the_ps2_keymap) {
    static const struct { uint8_t usage, scan; } pairs[] = {
        {0x04, 0x1E}, {0x05, 0x30}, {0x06, 0x2E}, {0x07, 0x20}, {0x08, 0x12}, {0x09, 0x21},
        {0x0A, 0x22}, {0x0B, 0x23}, {0x0C, 0x17}, {0x0D, 0x24}, {0x0E, 0x25}, {0x0F, 0x26},
        {0x10, 0x32}, {0x11, 0x31}, {0x12, 0x18}, {0x13, 0x19}, {0x14, 0x10}, {0x15, 0x13},
        {0x16, 0x1F}, {0x17, 0x14}, {0x18, 0x16}, {0x19, 0x2F}, {0x1A, 0x11}, {0x1B, 0x2D},
        {0x1C, 0x15}, {0x1D, 0x2C},
        {0x1E, 0x02}, {0x1F, 0x03}, {0x20, 0x04}, {0x21, 0x05}, {0x22, 0x06}, {0x23, 0x07},
        {0x24, 0x08}, {0x25, 0x09}, {0x26, 0x0A}, {0x27, 0x0B},
        {0x28, 0x1C}, {0x29, 0x01}, {0x2A, 0x0E}, {0x2B, 0x0F}, {0x2C, 0x39},
        {0x2D, 0x0C}, {0x2E, 0x0D}, {0x2F, 0x1A}, {0x30, 0x1B}, {0x31, 0x2B}, {0x32, 0x2B},
        {0x33, 0x27}, {0x34, 0x28}, {0x35, 0x29}, {0x36, 0x33}, {0x37, 0x34}, {0x38, 0x35},
        {0x55, 0x37}, {0x56, 0x4A}, {0x57, 0x4E}, {0x59, 0x4F}, {0x5A, 0x50}, {0x5B, 0x51},
        {0x5C, 0x4B}, {0x5D, 0x4C}, {0x5E, 0x4D}, {0x5F, 0x47}, {0x60, 0x48}, {0x61, 0x49},
        {0x62, 0x52}, {0x63, 0x53}, {0x64, 0x56},
    };
    for (int shift = 0; shift < 2; shift++)
        for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
            struct keymap k;
            keymap_init(&k, false);
            if (shift) keymap_feed(&k, 0x2A);
            int ps2 = keymap_feed(&k, pairs[i].scan);
            struct usb_kbd_report s;
            usb_kbd_report_init(&s);
            const char *usb = tap(&s, shift ? L_SHIFT : 0, pairs[i].usage);
            CHECK(ps2 >= 0 && (unsigned char)usb[0] == ps2 && usb[1] == 0,
                  "usage %#x%s gives '%s', scan code %#x gives %d", pairs[i].usage, shift ? " with shift" : "",
                  usb, pairs[i].scan, ps2);
        }
}

RUN_TESTS(letters_press_and_release, rollover_of_several_keys, error_rollover_keeps_the_keys,
          shift_and_caps_lock, control_keys, keys_without_characters, keypad, short_and_odd_reports,
          repeat_after_delay_then_at_rate, repeat_follows_the_last_key, same_characters_as_the_ps2_keymap)

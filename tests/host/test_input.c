/* Host tests of typing: the scan code decoder (drivers/keymap.c) and the
 * line editor (kernel/lineedit.c). */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <string.h>

#include "drivers/keymap.h"
#include "kernel/lineedit.h"
#include "tests/check.h"

/* ------------------------------------------------------------ keymap */

/* Feeds bytes; returns the characters they give as a string. */
static const char *keys(struct keymap *k, const uint8_t *b, size_t n) {
    static char out[256];
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = keymap_feed(k, b[i]);
        if (c >= 0 && o + 1 < sizeof out) out[o++] = (char)c;
    }
    out[o] = 0;
    return out;
}
#define KEYS(k, ...) keys(k, (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

TEST(set1_letters_and_release) {
    struct keymap k;
    keymap_init(&k, false);
    /* h, i pressed and released; space; 1 */
    CHECK(strcmp(KEYS(&k, 0x23, 0xA3, 0x17, 0x97, 0x39, 0xB9, 0x02, 0x82), "hi 1") == 0);
}

TEST(set1_shift_and_caps) {
    struct keymap k;
    keymap_init(&k, false);
    /* shift down, l, shift up, i, right shift down, 1, up */
    CHECK(strcmp(KEYS(&k, 0x2A, 0x26, 0xA6, 0xAA, 0x17, 0x97, 0x36, 0x02, 0x82, 0xB6), "Li!") == 0);
    /* caps lock: letters upper, digits not; with shift letters lower */
    CHECK(strcmp(KEYS(&k, 0x3A, 0xBA, 0x1E, 0x9E, 0x02, 0x82, 0x2A, 0x1E, 0x9E, 0xAA), "A1a") == 0);
    CHECK(strcmp(KEYS(&k, 0x3A, 0xBA, 0x1E, 0x9E), "a") == 0, "caps lock off again");
}

TEST(set1_punctuation) {
    struct keymap k;
    keymap_init(&k, false);
    CHECK(strcmp(KEYS(&k, 0x33, 0x34, 0x28, 0x0C, 0x35, 0x27, 0x1A, 0x2B, 0x29), ",.'-/;[\\`") == 0);
    CHECK(strcmp(KEYS(&k, 0x2A, 0x28, 0x0C, 0x35, 0x27, 0x03, 0xAA), "\"_?:@") == 0);
}

TEST(set1_control_keys) {
    struct keymap k;
    keymap_init(&k, false);
    CHECK(strcmp(KEYS(&k, 0x1C, 0x9C, 0x0E, 0x8E, 0x0F), "\n\b\t") == 0);
    CHECK(strcmp(KEYS(&k, 0xE0, 0x1C, 0xE0, 0x9C), "\n") == 0, "keypad Enter");
    CHECK(strcmp(KEYS(&k, 0x1D, 0x20, 0xA0, 0x9D), "\x04") == 0, "Ctrl-D");
    CHECK(strcmp(KEYS(&k, 0xE0, 0x1D, 0x16, 0x96, 0xE0, 0x9D, 0x16), "\x15u") == 0,
          "right Ctrl-U, then u");
}

TEST(set1_extended_keys_type_nothing) {
    struct keymap k;
    keymap_init(&k, false);
    /* arrows, delete, and the fake shifts around Print Screen */
    CHECK(strcmp(KEYS(&k, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x4B, 0xE0, 0x53, 0xE0, 0x2A, 0xE0, 0x37,
                      0xE0, 0xB7, 0xE0, 0xAA, 0x1E), "a") == 0,
          "the fake shift must not stick");
    /* Pause: six bytes, no character */
    CHECK(strcmp(KEYS(&k, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x30), "b") == 0);
    /* acknowledge and resend bytes */
    CHECK(strcmp(KEYS(&k, 0xFA, 0xFE, 0x31), "n") == 0);
}

TEST(set1_keypad) {
    struct keymap k;
    keymap_init(&k, false);
    CHECK(strcmp(KEYS(&k, 0x47, 0x4B, 0x4F, 0x52, 0x53, 0x4A, 0x4E, 0x37, 0xE0, 0x35), "7410.-+*/") == 0);
}

TEST(set2_translated_like_set1) {
    struct keymap k;
    keymap_init(&k, true);
    /* shift, l, release l, release shift, i, release i */
    CHECK(strcmp(KEYS(&k, 0x12, 0x4B, 0xF0, 0x4B, 0xF0, 0x12, 0x43, 0xF0, 0x43), "Li") == 0);
    /* enter, backspace, keypad enter (E0 5A), its release (E0 F0 5A) */
    CHECK(strcmp(KEYS(&k, 0x5A, 0xF0, 0x5A, 0x66, 0xE0, 0x5A, 0xE0, 0xF0, 0x5A), "\n\b\n") == 0);
    /* ctrl (14) + d (23) */
    CHECK(strcmp(KEYS(&k, 0x14, 0x23, 0xF0, 0x23, 0xF0, 0x14, 0x23), "\x04" "d") == 0);
    /* the self-test byte, an up arrow, then y */
    CHECK(strcmp(KEYS(&k, 0xAA, 0xE0, 0x75, 0xE0, 0xF0, 0x75, 0x35), "y") == 0);
    /* Pause: eight bytes */
    CHECK(strcmp(KEYS(&k, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77, 0x29), " ") == 0);
    /* every letter */
    static const uint8_t az[] = {0x1C, 0x32, 0x21, 0x23, 0x24, 0x2B, 0x34, 0x33, 0x43, 0x3B, 0x42,
                                 0x4B, 0x3A, 0x31, 0x44, 0x4D, 0x15, 0x2D, 0x1B, 0x2C, 0x3C, 0x2A,
                                 0x1D, 0x22, 0x35, 0x1A};
    CHECK(strcmp(keys(&k, az, sizeof az), "abcdefghijklmnopqrstuvwxyz") == 0, "got %s",
          keys(&k, az, sizeof az));
}

TEST(set1_every_letter_and_digit) {
    struct keymap k;
    keymap_init(&k, false);
    static const uint8_t az[] = {0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17, 0x24, 0x25,
                                 0x26, 0x32, 0x31, 0x18, 0x19, 0x10, 0x13, 0x1F, 0x14, 0x16, 0x2F,
                                 0x11, 0x2D, 0x15, 0x2C, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                 0x09, 0x0A, 0x0B};
    CHECK(strcmp(keys(&k, az, sizeof az), "abcdefghijklmnopqrstuvwxyz1234567890") == 0);
}

/* ------------------------------------------------------------ line editor */

static char echoed[4096];
static size_t echoed_len;

static void echo(void *ctx, const char *s, size_t n) {
    (void)ctx;
    if (echoed_len + n < sizeof echoed) {
        memcpy(echoed + echoed_len, s, n);
        echoed_len += n;
        echoed[echoed_len] = 0;
    }
}

/* Feeds s; returns the result of the last byte. */
static enum lineedit_result type(struct lineedit *e, const char *s) {
    enum lineedit_result r = LINEEDIT_MORE;
    for (; *s; s++) r = lineedit_feed(e, (uint8_t)*s);
    return r;
}

static struct lineedit ed;
static char line[16];

static void start(void) {
    echoed_len = 0;
    echoed[0] = 0;
    lineedit_start(&ed, line, sizeof line, echo, NULL);
}

TEST(line_enter) {
    start();
    CHECK(type(&ed, "Lily") == LINEEDIT_MORE);
    CHECK(type(&ed, "\r") == LINEEDIT_DONE);
    CHECK(strcmp(line, "Lily") == 0 && strcmp(echoed, "Lily\n") == 0);
    start();
    CHECK(type(&ed, "dog\n") == LINEEDIT_DONE && strcmp(line, "dog") == 0);
    start();
    CHECK(type(&ed, "\n") == LINEEDIT_DONE && line[0] == 0, "an empty line");
}

TEST(line_backspace) {
    start();
    CHECK(type(&ed, "cax\b\x7ft\n") == LINEEDIT_DONE);
    CHECK(strcmp(line, "ct") == 0, "got '%s'", line);
    CHECK(strcmp(echoed, "cax\b \b\b \bt\n") == 0);
    start();
    CHECK(type(&ed, "\b\ba\n") == LINEEDIT_DONE && strcmp(line, "a") == 0 &&
          strcmp(echoed, "a\n") == 0, "backspace on an empty line echoes nothing");
}

TEST(line_utf8) {
    start();
    /* é (2 bytes), € (3 bytes): backspace takes a whole character */
    CHECK(type(&ed, "\xc3\xa9\xe2\x82\xac\b!\n") == LINEEDIT_DONE);
    CHECK(strcmp(line, "\xc3\xa9!") == 0);
    CHECK(strcmp(echoed, "\xc3\xa9\xe2\x82\xac\b \b!\n") == 0);
}

TEST(line_full) {
    start();                                   /* 15 bytes fit */
    CHECK(type(&ed, "0123456789abcdefgh\n") == LINEEDIT_DONE);
    CHECK(strcmp(line, "0123456789abcde") == 0);
    CHECK(strcmp(echoed, "0123456789abcde\n") == 0, "dropped bytes are not echoed");
    start();                                   /* a 3-byte character that does not fit */
    CHECK(type(&ed, "0123456789abc\xe2\x82\xacz\n") == LINEEDIT_DONE);
    CHECK(strcmp(line, "0123456789abcz") == 0, "got '%s'", line);
    start();                                   /* a sequence cut short by Enter */
    CHECK(type(&ed, "ab\xe2\x82\n") == LINEEDIT_DONE && strcmp(line, "ab") == 0);
}

TEST(line_ctrl_u_and_ctrl_d) {
    start();
    CHECK(type(&ed, "abc\x15xy\n") == LINEEDIT_DONE && strcmp(line, "xy") == 0);
    CHECK(strcmp(echoed, "abc\b \b\b \b\b \bxy\n") == 0);
    start();
    CHECK(type(&ed, "\x04") == LINEEDIT_EOF && line[0] == 0);
    start();
    CHECK(type(&ed, "a\x04") == LINEEDIT_MORE, "Ctrl-D with text does nothing");
    CHECK(type(&ed, "\n") == LINEEDIT_DONE && strcmp(line, "a") == 0);
}

TEST(line_escape_sequences_and_controls) {
    start();
    /* up arrow (ESC [ A), delete (ESC [ 3 ~), F1 (ESC O P), a bell, a tab */
    CHECK(type(&ed, "a\x1b[A\x1b[3~b\x1bOPc\x07\td\n") == LINEEDIT_DONE);
    CHECK(strcmp(line, "abc d") == 0, "got '%s'", line);
    CHECK(strcmp(echoed, "abc d\n") == 0);
}

RUN_TESTS(set1_letters_and_release, set1_shift_and_caps, set1_punctuation, set1_control_keys,
          set1_extended_keys_type_nothing, set1_keypad, set2_translated_like_set1,
          set1_every_letter_and_digit, line_enter, line_backspace, line_utf8, line_full,
          line_ctrl_u_and_ctrl_d, line_escape_sequences_and_controls)

/* A line editor: bytes typed in, one line out, with what to echo. No
 * hardware: kernel/input.c feeds it from the serial port and the keyboard,
 * the host tests feed it strings.
 *
 * Keys: printable bytes (UTF-8 too) are added while they fit; Enter ('\r'
 * or '\n') ends the line; Backspace (0x08 or 0x7f) erases the last
 * character (a whole UTF-8 sequence); Ctrl-U erases the line; Ctrl-D on an
 * empty line is end of input; Tab is a space; other control bytes and
 * terminal escape sequences (ESC [ ... final byte, ESC O x: arrow and
 * function keys) are dropped. */
#ifndef KERNEL_LINEEDIT_H
#define KERNEL_LINEEDIT_H

#include <stddef.h>
#include <stdint.h>

enum lineedit_result { LINEEDIT_MORE, LINEEDIT_DONE, LINEEDIT_EOF };

typedef void (*lineedit_echo_fn)(void *ctx, const char *s, size_t n);

struct lineedit {
    char *buf;
    size_t size;                /* the line holds at most size - 1 bytes */
    size_t len;
    int esc;                    /* escape sequence state: 0 none, 1 after ESC, 2 in CSI, 3 after ESC O */
    int drop;                   /* continuation bytes to drop: their lead byte did not fit */
    lineedit_echo_fn echo;
    void *ctx;
};

/* Starts a line in buf[0..size), size >= 1; echo (may be NULL) is called
 * with what the screen should show for each key: the byte itself, "\n" for
 * Enter, "\b \b" per erased character. */
void lineedit_start(struct lineedit *e, char *buf, size_t size, lineedit_echo_fn echo, void *ctx);

/* Feeds one byte. LINEEDIT_DONE: buf holds the line, NUL-terminated,
 * without the newline (an incomplete UTF-8 sequence at its end dropped).
 * LINEEDIT_EOF: Ctrl-D on an empty line; buf is "". */
enum lineedit_result lineedit_feed(struct lineedit *e, uint8_t byte);

#endif

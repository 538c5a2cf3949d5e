/* Typing: lines and keys from the serial port and the PS/2 keyboard at
 * once, whichever a person uses, echoed on every console. */
#ifndef KERNEL_INPUT_H
#define KERNEL_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finds the keyboard controller and says what it found. */
void input_init(void);
/* Whether anything can be typed on: a serial port or a keyboard. */
bool input_available(void);

enum input_result { INPUT_LINE, INPUT_EOF, INPUT_TIMEOUT };

/* Reads one line into buf (at most size - 1 bytes, NUL-terminated, no
 * newline) with the editing of kernel/lineedit.h, echoing as it goes and
 * showing a cursor on the screen. INPUT_EOF: Ctrl-D on an empty line, or
 * nothing to type on; buf is then "". */
enum input_result input_read_line(char *buf, size_t size);
/* The same, but INPUT_TIMEOUT (buf "") when the line is not ended within
 * timeout_ns; 0 waits for ever. */
enum input_result input_read_line_within(char *buf, size_t size, uint64_t timeout_ns);

/* Drops what was typed and not read yet. */
void input_flush(void);
/* Waits for a key that gives a character and returns it. */
int input_wait_key(void);

#endif

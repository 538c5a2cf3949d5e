/* The line editor (see lineedit.h). */
#include "kernel/lineedit.h"

#define CTRL(c) ((c) & 0x1f)

void lineedit_start(struct lineedit *e, char *buf, size_t size, lineedit_echo_fn echo, void *ctx) {
    *e = (struct lineedit){.buf = buf, .size = size, .echo = echo, .ctx = ctx};
    buf[0] = 0;
}

static void echo(struct lineedit *e, const char *s, size_t n) {
    if (e->echo) e->echo(e->ctx, s, n);
}

static int continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

/* Removes the last character: a lead byte and its continuation bytes. */
static void erase_one(struct lineedit *e) {
    if (e->len == 0) return;
    size_t n = e->len;
    while (n > 1 && continuation((uint8_t)e->buf[n - 1])) n--;
    n--;
    /* a lone stray continuation run counts as one character too */
    e->len = n;
    e->buf[n] = 0;
    echo(e, "\b \b", 3);
}

/* The length of buf[0..len) without an incomplete UTF-8 sequence at its end. */
static size_t complete(const char *buf, size_t len) {
    size_t i = len, k = 0;
    while (i > 0 && k < 4 && continuation((uint8_t)buf[i - 1])) i--, k++;
    if (i == 0) return len;
    uint8_t lead = (uint8_t)buf[i - 1];
    size_t need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    return lead >= 0xC0 && k < need ? i - 1 : len;
}

enum lineedit_result lineedit_feed(struct lineedit *e, uint8_t b) {
    if (e->esc) {                       /* inside an escape sequence */
        if (e->esc == 1) e->esc = b == '[' ? 2 : b == 'O' ? 3 : 0;
        else if (e->esc == 3) e->esc = 0;
        else if (b >= 0x40 && b <= 0x7E) e->esc = 0;   /* CSI's final byte */
        return LINEEDIT_MORE;
    }
    switch (b) {
    case '\r':
    case '\n':
        e->len = complete(e->buf, e->len);
        e->buf[e->len] = 0;
        echo(e, "\n", 1);
        return LINEEDIT_DONE;
    case '\b':
    case 0x7f:
        erase_one(e);
        return LINEEDIT_MORE;
    case CTRL('U'):
        while (e->len) erase_one(e);
        return LINEEDIT_MORE;
    case CTRL('D'):
        return e->len == 0 ? LINEEDIT_EOF : LINEEDIT_MORE;
    case 0x1b:
        e->esc = 1;
        return LINEEDIT_MORE;
    case '\t':
        b = ' ';
        break;
    }
    if (b < 0x20) return LINEEDIT_MORE;     /* other control bytes */
    if (continuation(b) && e->drop) {
        e->drop--;
        return LINEEDIT_MORE;
    }
    e->drop = 0;
    /* A character is added whole or not at all: a lead byte needs room for
     * its continuation bytes too. */
    size_t need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
    if (e->len + need >= e->size) {          /* full: the character is dropped */
        e->drop = (int)need - 1;
        return LINEEDIT_MORE;
    }
    e->buf[e->len++] = (char)b;
    e->buf[e->len] = 0;
    char c = (char)b;
    echo(e, &c, 1);
    return LINEEDIT_MORE;
}

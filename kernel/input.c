/* Typing (see input.h): polls the UART, the i8042 and the USB keyboards in
 * turn. After 50 ms with nothing typed the core naps 0.5 ms between polls
 * (idle.h) rather than spinning: the UART's 16-byte FIFO takes 1.4 ms to
 * fill at 115200 baud, so a nap loses no byte, and the first byte typed
 * ends the naps until the next quiet spell. */
#include "kernel/input.h"
#include "drivers/ps2kbd.h"
#include "drivers/usb.h"
#include "drivers/usb_kbd.h"
#include "kernel/console.h"
#include "kernel/idle.h"
#include "kernel/lineedit.h"
#include "kernel/time.h"
#include "drivers/serial.h"

#define QUIET_NS (50 * 1000000ull)
#define NAP_US 500

static bool have_keyboard;
static uint64_t last_byte_ns;   /* when a byte last came */
static bool serial_after_cr;    /* a terminal's "\r\n" is one Enter */

void input_init(void) {
    have_keyboard = ps2kbd_init();
    input_flush();   /* keys pressed during the boot (in the GRUB menu) */
    if (have_keyboard) kprintf("keyboard: PS/2 controller, %s\n", ps2kbd_describe());
    int usb = usb_kbd_count();
    for (int i = 0; i < usb; i++) {
        char where[96];
        usb_kbd_describe(i, where, sizeof where);
        kprintf("keyboard: %s\n", where);
    }
    if (!have_keyboard && !usb)
        kprintf("keyboard: no PS/2 controller answered%s; typing only on the serial port\n",
                usb_present() ? " and no USB keyboard is plugged in (one plugged in later works)" : "");
}

/* A USB keyboard may be plugged in at any time where a controller runs. */
bool input_available(void) { return have_keyboard || usb_present() || console_has_serial(); }

/* The next byte typed on any source, or -1. */
static int poll_source(void) {
    int c = serial_read_byte();
    if (c >= 0) {
        bool skip = c == '\n' && serial_after_cr;
        serial_after_cr = c == '\r';
        if (!skip) return c;
    }
    c = ps2kbd_read_char();
    return c >= 0 ? c : usb_kbd_read_char();
}

static int poll_byte(void) {
    int c = poll_source();
    if (c >= 0) last_byte_ns = time_ns();
    return c;
}

/* Between polls that found nothing. */
static void wait_a_moment(void) {
    if (time_ns() - last_byte_ns > QUIET_NS) idle_nap_us(NAP_US);
}

static void echo(void *ctx, const char *s, size_t n) {
    (void)ctx;
    console_write(s, n);
}

enum input_result input_read_line_within(char *buf, size_t size, uint64_t timeout_ns) {
    struct lineedit e;
    lineedit_start(&e, buf, size, echo, 0);
    if (!input_available()) return INPUT_EOF;
    uint64_t end = timeout_ns ? time_ns() + timeout_ns : 0;
    console_show_cursor(true);
    enum lineedit_result r = LINEEDIT_MORE;
    while (r == LINEEDIT_MORE) {
        int c = poll_byte();
        if (c >= 0) r = lineedit_feed(&e, (uint8_t)c);
        else if (end && time_ns() > end) break;
        else wait_a_moment();
    }
    console_show_cursor(false);
    if (r == LINEEDIT_MORE) {
        buf[0] = 0;
        return INPUT_TIMEOUT;
    }
    return r == LINEEDIT_EOF ? INPUT_EOF : INPUT_LINE;
}

enum input_result input_read_line(char *buf, size_t size) { return input_read_line_within(buf, size, 0); }

void input_flush(void) {
    for (int i = 0; i < 4096 && poll_byte() >= 0; i++) {}
}

int input_wait_key(void) {
    if (!input_available()) for (;;) __asm__ volatile("cli; hlt");
    for (;;) {
        int c = poll_byte();
        if (c >= 0) return c;
        wait_a_moment();
    }
}

/* The i8042 keyboard controller, polled.
 *
 * The hardware (the "8042" PS/2 controller, OSDev wiki): port 0x64 read is
 * the status register (bit 0: a byte waits in the output buffer at 0x60;
 * bit 1: the input buffer is full, do not write yet; bit 5: the waiting
 * byte came from the second port, the mouse); port 0x64 write is a
 * command; port 0x60 is data. Command 0x20 reads the configuration byte
 * (bit 4: first port's clock disabled; bit 6: translation of the
 * keyboard's scan code set 2 into set 1), 0xAE enables the first port; a
 * byte written to port 0x60 goes to the keyboard (0xF4: start scanning).
 * Without a controller, the ports read 0xFF.
 *
 * Every wait is bounded: a machine without the controller, or a USB
 * legacy emulation that answers slowly, must not hang the kernel. */
#include "drivers/ps2kbd.h"
#include "drivers/keymap.h"
#include "kernel/io.h"

#define DATA 0x60
#define STATUS 0x64
#define COMMAND 0x64
enum { OUT_FULL = 1 << 0, IN_FULL = 1 << 1, FROM_AUX = 1 << 5 };
enum { CFG_PORT1_OFF = 1 << 4, CFG_TRANSLATE = 1 << 6 };

static bool present;
static struct keymap map;

/* Spins up to about `tries` status reads for the bits to reach the state. */
static bool wait_status(uint8_t mask, uint8_t want, int tries) {
    for (int i = 0; i < tries; i++)
        if ((inb(STATUS) & mask) == want) return true;
    return false;
}

bool ps2kbd_init(void) {
    present = false;
    if (inb(STATUS) == 0xFF) return false;            /* nothing decodes the port */
    for (int i = 0; i < 64 && (inb(STATUS) & OUT_FULL); i++) (void)inb(DATA);   /* stale bytes */
    if (!wait_status(IN_FULL, 0, 100000)) return false;
    outb(COMMAND, 0x20);
    bool set2 = false;
    if (wait_status(OUT_FULL, OUT_FULL, 100000)) {
        uint8_t cfg = inb(DATA);
        set2 = !(cfg & CFG_TRANSLATE);
        if ((cfg & CFG_PORT1_OFF) && wait_status(IN_FULL, 0, 100000)) outb(COMMAND, 0xAE);
    }
    /* The keyboard's "enable scanning" (0xF4): firmware may have stopped it
     * at exit; a keyboard that scans already just acknowledges (0xFA, which
     * the decoder drops). */
    if (wait_status(IN_FULL, 0, 100000)) outb(DATA, 0xF4);
    /* no answer: a minimal emulation; it speaks set 1 like the rest */
    keymap_init(&map, set2);
    present = true;
    return true;
}

const char *ps2kbd_describe(void) {
    return map.set2 ? "scan code set 2" : "scan code set 1 (translated)";
}

int ps2kbd_read_char(void) {
    if (!present) return -1;
    for (int i = 0; i < 16; i++) {                  /* a few bytes per call at most */
        uint8_t st = inb(STATUS);
        if (!(st & OUT_FULL)) return -1;
        uint8_t b = inb(DATA);
        if (st & FROM_AUX) continue;                /* the mouse: not ours */
        int c = keymap_feed(&map, b);
        if (c >= 0) return c;
    }
    return -1;
}

/* The 16550 UART at COM1 (I/O port 0x3f8), driven by polling: we never enable
 * interrupts. Presence is tested with the chip's loopback mode, so a machine
 * without a serial port neither hangs on the transmit-ready bit nor prints
 * into the void. */
#include "drivers/serial.h"
#include "kernel/io.h"

#define COM1 0x3f8
enum { DATA = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 };
#define LSR_DATA_READY 0x01
#define LSR_TX_EMPTY   0x20

static bool present;

bool serial_init(void) {
    outb(COM1 + IER, 0x00);     /* no interrupts */
    outb(COM1 + LCR, 0x80);     /* divisor latch on */
    outb(COM1 + DATA, 0x01);    /* divisor 1: 115200 baud */
    outb(COM1 + IER, 0x00);
    outb(COM1 + LCR, 0x03);     /* 8 bits, no parity, 1 stop bit */
    outb(COM1 + FCR, 0xc7);     /* FIFOs on and cleared */
    outb(COM1 + MCR, 0x1e);     /* loopback: what we send comes back */
    outb(COM1 + DATA, 0xae);
    present = false;
    for (int i = 0; i < 100000 && !present; i++)
        if ((inb(COM1 + LSR) & LSR_DATA_READY) && inb(COM1 + DATA) == 0xae) present = true;
    outb(COM1 + MCR, 0x0f);     /* normal operation, DTR/RTS/OUT1/OUT2 */
    return present;
}

static void put(char c) {
    /* Bounded wait: a wedged UART must not hang the kernel. */
    for (int i = 0; i < 1000000 && !(inb(COM1 + LSR) & LSR_TX_EMPTY); i++) cpu_pause();
    outb(COM1 + DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t n) {
    if (!present) return;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') put('\r');
        put(s[i]);
    }
}

int serial_read_byte(void) {
    if (!present || !(inb(COM1 + LSR) & LSR_DATA_READY)) return -1;
    return inb(COM1 + DATA);
}

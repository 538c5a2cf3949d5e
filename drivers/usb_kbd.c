/* USB boot keyboards (see usb_kbd.h).
 *
 * A keyboard's boot interface (HID class 3, subclass 1 "boot", protocol 1
 * "keyboard") is put in the boot protocol (SET_PROTOCOL 0), so that its
 * reports are the fixed 8 bytes any BIOS can read, and told to report only
 * changes (SET_IDLE 0): the repeat of a held key is made here, from the
 * clock. One 8-byte transfer stays queued on its interrupt IN endpoint;
 * each answer is decoded (drivers/usb_kbd_report.c) into characters that
 * wait in a small queue for kernel/input.c. The Caps Lock light follows
 * Caps Lock (SET_REPORT, output report). */
#include "drivers/usb_kbd.h"
#include "drivers/usb_kbd_report.h"
#include "kernel/console.h"
#include "kernel/time.h"
#include "lib/format.h"

#define MAX_KEYBOARDS 8
#define QUEUE 64
#define REPORT 8

struct usb_kbd {
    struct usb_device *dev;
    struct usb_kbd_report state;
    uint8_t iface;
    uint8_t leds;
    uint16_t report_len;
    int errors;                 /* failed transfers in a row */
};

static struct usb_kbd keyboards[MAX_KEYBOARDS];
static int queue[QUEUE];
static unsigned q_head, q_tail;

static void push(int c) {
    if (q_tail - q_head < QUEUE) queue[q_tail++ % QUEUE] = c;
}

static uint64_t now_ms(void) { return time_ns() / 1000000; }

static void set_leds(struct usb_kbd *k, uint8_t leds) {
    k->leds = leds;
    usb_control(k->dev, 0x21, 0x09 /* SET_REPORT */, 0x0200 /* output, id 0 */, k->iface, &leds, 1, 0);
}

static void listen(struct usb_kbd *k) {
    xhci_submit(&k->dev->ep[0], k->dev->buf + USB_CONTROL_MAX, k->report_len);
}

const char *usb_kbd_start(struct usb_device *d, const struct usb_interface_info *iface) {
    struct usb_kbd *k = 0;
    for (int i = 0; i < MAX_KEYBOARDS && !k; i++)
        if (!keyboards[i].dev) k = &keyboards[i];
    if (!k) return "more than 8 keyboards";
    const struct usb_endpoint_info *ep = 0;
    for (int i = 0; i < iface->n_endpoints && !ep; i++)
        if ((iface->ep[i].attributes & 3) == 3 && (iface->ep[i].address & 0x80)) ep = &iface->ep[i];
    if (!ep || ep->max_packet == 0) return "its keyboard interface has no interrupt IN endpoint";
    struct xhci_ep_desc e = {ep->address, XHCI_EP_INTR_IN, ep->max_packet, ep->interval, ep->max_burst};
    if (usb_configure(d, &e, 1) != XHCI_OK) return "it could not be configured";
    /* A keyboard that refuses these still sends boot reports on its boot interface. */
    usb_control(d, 0x21, 0x0B /* SET_PROTOCOL */, 0 /* boot */, iface->number, 0, 0, 0);
    usb_control(d, 0x21, 0x0A /* SET_IDLE */, 0 /* only changes */, iface->number, 0, 0, 0);
    *k = (struct usb_kbd){.dev = d, .iface = iface->number,
                          .report_len = ep->max_packet < REPORT ? ep->max_packet : REPORT};
    usb_kbd_report_init(&k->state);
    d->driver = k;
    set_leds(k, 0);
    listen(k);
    if (usb_booted()) {
        char where[64];
        usb_where(d, where, sizeof where);
        kprintf("keyboard: USB HID on %s (plugged in)\n", where);
    }
    return 0;
}

void usb_kbd_poll(struct usb_device *d) {
    struct usb_kbd *k = d->driver;
    if (!k) return;
    uint32_t n = 0;
    int r = xhci_poll_transfer(&d->ep[0], &n);
    uint64_t now = now_ms();
    if (r == XHCI_OK) {
        int out[6];
        int count = usb_kbd_report_feed(&k->state, d->buf + USB_CONTROL_MAX, n, now, out);
        for (int i = 0; i < count; i++) push(out[i]);
        k->errors = 0;
        listen(k);
    } else if (r != XHCI_PENDING && ++k->errors <= 8) {
        listen(k);   /* a transfer error: ask again, a few times */
    }
    int c = usb_kbd_report_repeat(&k->state, now);
    if (c >= 0) push(c);
    if (usb_kbd_report_leds(&k->state) != k->leds) set_leds(k, usb_kbd_report_leds(&k->state));
}

void usb_kbd_stop(struct usb_device *d) {
    struct usb_kbd *k = d->driver;
    if (!k) return;
    char where[64];
    usb_where(d, where, sizeof where);
    kprintf("keyboard: USB HID on %s unplugged\n", where);
    k->dev = 0;
    d->driver = 0;
}

int usb_kbd_read_char(void) {
    usb_poll();
    return q_head == q_tail ? -1 : queue[q_head++ % QUEUE];
}

int usb_kbd_count(void) {
    int n = 0;
    for (int i = 0; i < MAX_KEYBOARDS; i++) n += keyboards[i].dev != 0;
    return n;
}

void usb_kbd_describe(int i, char *buf, size_t size) {
    for (int j = 0; j < MAX_KEYBOARDS; j++) {
        if (!keyboards[j].dev || i-- > 0) continue;
        char where[64];
        usb_where(keyboards[j].dev, where, sizeof where);
        fmt_snprintf(buf, size, "USB HID on %s", where);
        return;
    }
    if (size) buf[0] = 0;
}

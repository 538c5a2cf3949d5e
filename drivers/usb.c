/* USB devices (see usb.h): enumeration and hot-plug over the xHCI
 * controllers.
 *
 * Bringing up a device (USB 2.0 9.1, xHCI 4.3): the port it is on was
 * reset; the controller gives it a slot and an address (the control
 * endpoint starts with the packet size its speed implies: 8 bytes at low
 * and full speed, 64 at high, 512 at super speed); the first 8 bytes of the
 * device descriptor give the real size; then the whole device descriptor
 * and the first configuration. The first interface a class driver here
 * knows takes the device: a hub, a boot keyboard, or Bulk-Only mass
 * storage. Others are left unconfigured (and reported once).
 *
 * Where a device sits goes into its slot context: the root port, the route
 * string (the hub ports on the way, 4 bits a tier), and for a low- or
 * full-speed device behind a high-speed hub that hub's slot and port (its
 * transaction translator), inherited through full-speed hubs below it.
 *
 * Memory: a fixed table of devices; each entry's pages (three rings and a
 * buffer page) are allocated the first time it is used and reused after. */
#include "drivers/usb.h"
#include "drivers/usb_hub.h"
#include "drivers/usb_kbd.h"
#include "drivers/usb_msc.h"
#include "drivers/xhci_ring.h"
#include "kernel/console.h"
#include "kernel/time.h"
#include "lib/libc.h"
#include "lib/format.h"

#define PAGE 4096
#define MS 1000000ull
#define MAX_CONTROLLERS 4
#define ROOT_POLL_MS 100    /* how often root ports are checked for plugging */

static struct usb_device devices[USB_MAX_DEVICES];
static struct usb_device *root[MAX_CONTROLLERS][256];   /* the device on each root port */
static bool booted;
static uint64_t next_root_check;

bool usb_present(void) { return xhci_count() > 0; }
bool usb_booted(void) { return booted; }

static int controller_index(const struct xhci *hc) {
    for (int i = 0; i < xhci_count(); i++)
        if (xhci_get(i) == hc) return i;
    return 0;
}

void usb_where(const struct usb_device *d, char *buf, size_t size) {
    const struct usb_device *chain[USB_MAX_DEPTH + 1];
    int n = 0;
    for (const struct usb_device *p = d; p && n <= USB_MAX_DEPTH; p = p->parent) chain[n++] = p;
    size_t o = (size_t)fmt_snprintf(buf, size, "xHCI port %u", chain[n - 1]->port);
    if (n > 1 && o < size) o += (size_t)fmt_snprintf(buf + o, size - o, ", hub port%s ", n > 2 ? "s" : "");
    for (int i = n - 2; i >= 0 && o < size; i--)
        o += (size_t)fmt_snprintf(buf + o, size - o, "%u%s", chain[i]->port, i ? "." : "");
    if (xhci_count() > 1 && o < size) fmt_snprintf(buf + o, size - o, " of %s", xhci_name(d->hc));
}

int usb_control(struct usb_device *d, uint8_t type, uint8_t request, uint16_t value,
                uint16_t index, void *data, uint16_t len, uint32_t *actual) {
    if (len > USB_CONTROL_MAX) return XHCI_ERROR;
    uint8_t setup[8] = {type, request, (uint8_t)value, (uint8_t)(value >> 8),
                        (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len, (uint8_t)(len >> 8)};
    bool in = type & 0x80;
    if (!in && len) memcpy(d->buf, data, len);
    uint32_t got = 0;
    int r = xhci_control(&d->ep0, setup, d->buf, len, USB_CONTROL_TIMEOUT_MS, &got);
    if (got > len) got = len;
    if (r == XHCI_OK && in && len) memcpy(data, d->buf, got);
    if (actual) *actual = r == XHCI_OK ? got : 0;
    return r;
}

int usb_configure(struct usb_device *d, const struct xhci_ep_desc *eps, int n) {
    struct xhci_ep *list[2] = {&d->ep[0], &d->ep[1]};
    if (n > 2) return XHCI_ERROR;
    if (xhci_configure(d->hc, d->slot, &d->where, list, eps, n) != XHCI_OK) return XHCI_ERROR;
    return usb_control(d, 0x00, 9 /* SET_CONFIGURATION */, d->config.value, 0, 0, 0, 0);
}

int usb_clear_halt(struct usb_device *d, struct xhci_ep *ep, uint8_t address) {
    int r = usb_control(d, 0x02, 1 /* CLEAR_FEATURE */, 0 /* ENDPOINT_HALT */, address, 0, 0, 0);
    int s = xhci_ep_reset(ep);
    return r != XHCI_OK ? r : s;
}

/* A free entry of the table, with its pages. */
static struct usb_device *new_device(struct xhci *hc) {
    for (int i = 0; i < USB_MAX_DEVICES; i++) {
        struct usb_device *d = &devices[i];
        if (d->used) continue;
        uint8_t *mem = d->buf ? d->buf - 3 * PAGE : 0;
        if (!mem || !xhci_reaches(hc, mem, 4 * PAGE)) {
            mem = xhci_alloc(hc, 4 * PAGE);
            if (!mem) return 0;
        }
        struct usb_device fresh = {0};
        *d = fresh;
        d->used = true;
        d->hc = hc;
        d->ep0.ring = (struct xhci_ring){.trb = (struct xhci_trb *)mem, .size = PAGE / sizeof(struct xhci_trb)};
        for (int e = 0; e < 2; e++)
            d->ep[e].ring = (struct xhci_ring){.trb = (struct xhci_trb *)(mem + (e + 1) * PAGE),
                                               .size = PAGE / sizeof(struct xhci_trb)};
        d->buf = mem + 3 * PAGE;
        memset(d->buf, 0, PAGE);
        return d;
    }
    return 0;
}

static void release(struct usb_device *d) {
    xhci_cancel(&d->ep0);
    for (int e = 0; e < 2; e++) xhci_cancel(&d->ep[e]);
    if (d->slot > 0) xhci_slot_close(d->hc, d->slot);
    d->slot = 0;
    d->used = false;
}

static const char *failed(int r, const char *what) {
    static char why[96];
    fmt_snprintf(why, sizeof why, "%s: %s", what,
                 r == XHCI_TIMEOUT ? "no answer within 1 s" : r == XHCI_STALL ? "refused (stall)" : "transfer error");
    return why;
}

/* Descriptors, then the class driver. A reason when it fails. */
static const char *bring_up(struct usb_device *d) {
    static uint8_t b[USB_CONTROL_MAX];
    uint8_t speed = d->where.speed;
    uint16_t mps0 = speed >= XHCI_SPEED_SUPER ? 512 : speed == XHCI_SPEED_HIGH ? 64 : 8;
    d->slot = xhci_slot_open(d->hc, &d->where, mps0, &d->ep0);
    if (d->slot < 0) return "it did not take an address";
    uint32_t got;
    int r = usb_control(d, 0x80, 6 /* GET_DESCRIPTOR */, USB_DESC_DEVICE << 8, 0, b, 8, &got);
    if (r) return failed(r, "device descriptor");
    uint16_t mps = usb_max_packet0(b, got);
    if (!mps) return "its device descriptor is malformed";
    if (mps != mps0 && xhci_ep0_set_max_packet(&d->ep0, mps) != XHCI_OK)
        return "the controller refused its control packet size";
    r = usb_control(d, 0x80, 6, USB_DESC_DEVICE << 8, 0, b, 18, &got);
    if (r) return failed(r, "device descriptor");
    const char *why = usb_parse_device(b, got, &d->desc);
    if (why) return why;
    r = usb_control(d, 0x80, 6, USB_DESC_CONFIG << 8, 0, b, 9, &got);
    if (r) return failed(r, "configuration descriptor");
    uint16_t total = got >= 4 ? (uint16_t)(b[2] | b[3] << 8) : 0;
    if (total > USB_CONTROL_MAX) total = USB_CONTROL_MAX;
    if (total > 9) {
        r = usb_control(d, 0x80, 6, USB_DESC_CONFIG << 8, 0, b, total, &got);
        if (r) return failed(r, "configuration descriptor");
    }
    why = usb_parse_config(b, got, &d->config);
    if (why) return why;

    for (int i = 0; i < d->config.n_interfaces; i++) {
        const struct usb_interface_info *f = &d->config.iface[i];
        if (f->cls == USB_CLASS_HUB) {
            d->kind = USB_HUB;
            return usb_hub_start(d, f);
        }
        if (f->cls == USB_CLASS_HID && f->subclass == 1 && f->protocol == 1) {
            d->kind = USB_KEYBOARD;
            return usb_kbd_start(d, f);
        }
        if (f->cls == USB_CLASS_STORAGE && f->protocol == 0x50) {
            d->kind = USB_STORAGE;
            return usb_msc_start(d, f);
        }
    }
    char where[64];
    usb_where(d, where, sizeof where);
    kprintf("note: usb: %04x:%04x on %s: no keyboard, hub or Bulk-Only storage interface; left alone\n",
            d->desc.vendor, d->desc.product, where);
    return 0;
}

struct usb_device *usb_connect(struct xhci *hc, struct usb_device *parent, int port, int speed) {
    struct usb_device *d = new_device(hc);
    if (!d) {
        kprintf("note: usb: a device on xHCI %s skipped: more than %d devices, or no memory\n", xhci_name(hc),
                USB_MAX_DEVICES);
        return 0;
    }
    d->parent = parent;
    d->port = (uint8_t)port;
    d->depth = parent ? parent->depth + 1 : 0;
    d->where.speed = (uint8_t)speed;
    d->where.root_port = parent ? parent->where.root_port : (uint8_t)port;
    d->where.route = parent ? parent->where.route | (uint32_t)(port & 15) << (4 * parent->depth) : 0;
    bool slow = speed == XHCI_SPEED_LOW || speed == XHCI_SPEED_FULL;
    if (parent && slow) {
        if (parent->where.speed == XHCI_SPEED_HIGH) {
            d->where.tt_slot = (uint8_t)parent->slot;
            d->where.tt_port = (uint8_t)port;
        } else {
            d->where.tt_slot = parent->where.tt_slot;
            d->where.tt_port = parent->where.tt_port;
        }
    }
    const char *why = bring_up(d);
    if (why) {
        char where[64];
        usb_where(d, where, sizeof where);
        kprintf("note: usb: the device on %s skipped: %s\n", where, why);
        d->kind = USB_UNCLAIMED;
        release(d);
        return 0;
    }
    return d;
}

void usb_disconnect(struct usb_device *d) {
    if (!d || !d->used) return;
    if (d->kind == USB_HUB) usb_hub_stop(d);
    else if (d->kind == USB_KEYBOARD) usb_kbd_stop(d);
    else if (d->kind == USB_STORAGE) usb_msc_stop(d);
    release(d);
}

/* Resets root port p and brings up its device. */
static void attach_root(struct xhci *hc, int p) {
    int speed = xhci_port_reset(hc, p);
    if (speed < 0) {
        kprintf("note: usb: the device on xHCI port %d skipped: its port did not come out of reset\n", p);
        return;
    }
    root[controller_index(hc)][p] = usb_connect(hc, 0, p, speed);
}

/* Whether a USB 3 link is still training on some port (PORTSC link state
 * Polling): its device shows up as connected only when that ends. */
static bool links_training(void) {
    for (int i = 0; i < xhci_count(); i++)
        for (int p = 1; p <= xhci_port_count(xhci_get(i)); p++)
            if (xhci_port_training(xhci_get(i), p)) return true;
    return false;
}

void usb_init(void) {
    if (xhci_init() == 0) {
        booted = true;
        return;
    }
    time_delay_us(100000);   /* ports see their devices */
    for (uint64_t end = time_ns() + 1000 * MS; links_training() && time_ns() < end;) time_delay_us(10000);
    for (int i = 0; i < xhci_count(); i++) {
        struct xhci *hc = xhci_get(i);
        for (int p = 1; p <= xhci_port_count(hc); p++) {
            xhci_port_changed(hc, p);
            if (xhci_port_connected(hc, p)) attach_root(hc, p);
        }
    }
    booted = true;
    next_root_check = time_ns() + ROOT_POLL_MS * MS;
}

void usb_poll(void) {
    static uint64_t next_poll;
    if (!booted || !xhci_count()) return;
    uint64_t now = time_ns();
    if (now < next_poll) return;
    next_poll = now + MS;   /* at most once a millisecond */
    for (int i = 0; i < xhci_count(); i++) xhci_poll(xhci_get(i));
    for (int i = 0; i < USB_MAX_DEVICES; i++) {
        struct usb_device *d = &devices[i];
        if (!d->used) continue;
        if (xhci_dead(d->hc)) {
            if (!d->parent) usb_disconnect(d);
            continue;
        }
        if (d->kind == USB_KEYBOARD) usb_kbd_poll(d);
        else if (d->kind == USB_HUB) usb_hub_poll(d);
    }
    if (now < next_root_check) return;
    next_root_check = now + ROOT_POLL_MS * MS;
    for (int i = 0; i < xhci_count(); i++) {
        struct xhci *hc = xhci_get(i);
        for (int p = 1; p <= xhci_port_count(hc); p++) {
            if (!xhci_port_changed(hc, p)) continue;
            usb_disconnect(root[i][p]);
            root[i][p] = 0;
            if (xhci_port_connected(hc, p)) {
                time_delay_us(50000);   /* let the contacts settle */
                attach_root(hc, p);
            }
        }
    }
}

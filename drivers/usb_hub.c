/* USB hubs (see usb_hub.h).
 *
 * The hub class (USB 2.0 chapter 11.24, USB 3.2 chapter 10.16): a hub
 * descriptor (0x29; 0x2A for a USB 3 hub) gives the port count and the
 * transaction translator's think time; class requests to "other" (a port)
 * switch its power on, reset it and read its status: wPortStatus
 * (connected, enabled, in reset, speed) and wPortChange (what changed,
 * each bit cleared with its own C_PORT_* feature). A USB 3 hub must be
 * told its depth (SET_HUB_DEPTH) and its devices all run at super speed.
 * The hub's interrupt IN endpoint answers with a bitmap of the ports whose
 * status changed (bit 0: the hub itself): one transfer stays queued on it,
 * and usb_hub_poll looks at it.
 *
 * The controller must know a hub as one (slot context Hub, Number of
 * Ports, TT Think Time) before devices behind it get slots. */
#include "drivers/usb_hub.h"
#include "kernel/console.h"
#include "kernel/time.h"
#include "lib/libc.h"

#define MAX_HUBS 8
#define MAX_PORTS 15   /* a route string tier has 4 bits */
#define MS 1000000ull

enum { ST_CONNECTION = 1 << 0, ST_ENABLE = 1 << 1, ST_RESET = 1 << 4, ST_LOW_SPEED = 1 << 9,
       ST_HIGH_SPEED = 1 << 10 };
enum { F_PORT_RESET = 4, F_PORT_POWER = 8 };

struct usb_hub {
    struct usb_device *dev;
    uint8_t ports;
    bool usb3;
    struct usb_device *child[MAX_PORTS + 1];
    int errors;                 /* failed status transfers in a row */
};

static struct usb_hub hubs[MAX_HUBS];

/* wPortChange bits and the features that clear them; USB 2 and USB 3. */
static const struct { uint16_t bit; uint8_t feature; bool usb2, usb3; } changes[] = {
    {1 << 0, 16, true, true},    /* C_PORT_CONNECTION */
    {1 << 1, 17, true, false},   /* C_PORT_ENABLE */
    {1 << 2, 18, true, false},   /* C_PORT_SUSPEND */
    {1 << 3, 19, true, true},    /* C_PORT_OVER_CURRENT */
    {1 << 4, 20, true, true},    /* C_PORT_RESET */
    {1 << 5, 29, false, true},   /* C_BH_PORT_RESET */
    {1 << 6, 25, false, true},   /* C_PORT_LINK_STATE */
    {1 << 7, 26, false, true},   /* C_PORT_CONFIG_ERROR */
};

static int port_status(struct usb_hub *h, int port, uint16_t *status, uint16_t *change) {
    uint8_t b[4];
    uint32_t got;
    int r = usb_control(h->dev, 0xA3, 0 /* GET_STATUS */, 0, (uint16_t)port, b, 4, &got);
    if (r != XHCI_OK || got < 4) return -1;
    *status = (uint16_t)(b[0] | b[1] << 8);
    *change = (uint16_t)(b[2] | b[3] << 8);
    return 0;
}

static int port_feature(struct usb_hub *h, bool set, int port, int feature) {
    return usb_control(h->dev, 0x23, set ? 3 /* SET_FEATURE */ : 1 /* CLEAR_FEATURE */,
                       (uint16_t)feature, (uint16_t)port, 0, 0, 0);
}

static void clear_changes(struct usb_hub *h, int port, uint16_t change) {
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++)
        if ((change & changes[i].bit) && (h->usb3 ? changes[i].usb3 : changes[i].usb2))
            port_feature(h, false, port, changes[i].feature);
}

/* Resets the port: the device's speed, or -1. */
static int reset_port(struct usb_hub *h, int port) {
    if (port_feature(h, true, port, F_PORT_RESET) != XHCI_OK) return -1;
    uint16_t status = 0, change = 0;
    uint64_t end = time_ns() + 500 * MS;
    for (;;) {
        time_delay_us(10000);
        if (port_status(h, port, &status, &change) != 0 || !(status & ST_CONNECTION)) return -1;
        if ((change & (1 << 4 | 1 << 5)) && !(status & ST_RESET)) break;
        if (time_ns() > end) return -1;
    }
    clear_changes(h, port, change);
    if (!h->usb3 && !(status & ST_ENABLE)) return -1;
    time_delay_us(10000);   /* reset recovery */
    if (h->usb3) return XHCI_SPEED_SUPER;
    return status & ST_LOW_SPEED ? XHCI_SPEED_LOW : status & ST_HIGH_SPEED ? XHCI_SPEED_HIGH : XHCI_SPEED_FULL;
}

static void connect_port(struct usb_hub *h, int port) {
    time_delay_us(100000);   /* connection debounce (USB 2.0 7.1.7.3) */
    int speed = reset_port(h, port);
    if (speed < 0) {
        char where[64];
        usb_where(h->dev, where, sizeof where);
        kprintf("note: usb: the device on port %d of the hub on %s skipped: its port did not come out of reset\n",
                port, where);
        return;
    }
    h->child[port] = usb_connect(h->dev->hc, h->dev, port, speed);
}

const char *usb_hub_start(struct usb_device *d, const struct usb_interface_info *iface) {
    if (d->depth >= USB_MAX_DEPTH) return "hubs nested deeper than USB allows";
    struct usb_hub *h = 0;
    for (int i = 0; i < MAX_HUBS && !h; i++)
        if (!hubs[i].dev) h = &hubs[i];
    if (!h) return "more than 8 hubs";
    const struct usb_endpoint_info *ep = 0;
    for (int i = 0; i < iface->n_endpoints && !ep; i++)
        if ((iface->ep[i].attributes & 3) == 3 && (iface->ep[i].address & 0x80)) ep = &iface->ep[i];
    if (!ep) return "its hub interface has no interrupt IN endpoint";

    bool usb3 = d->where.speed >= XHCI_SPEED_SUPER;
    uint8_t b[16];
    uint32_t got;
    int r = usb_control(d, 0xA0, 6, (uint16_t)((usb3 ? USB_DESC_HUB3 : USB_DESC_HUB) << 8), 0, b,
                        sizeof b, &got);
    if (r != XHCI_OK) return "it did not give its hub descriptor";
    struct usb_hub_info info;
    const char *why = usb_parse_hub(b, got, &info);
    if (why) return why;
    uint8_t ports = info.ports > MAX_PORTS ? MAX_PORTS : info.ports;
    if (ports == 0) return "its hub descriptor has no ports";

    d->where.hub_ports = ports;
    d->where.hub_ttt = d->where.speed == XHCI_SPEED_HIGH ? (info.characteristics >> 5) & 3 : 0;
    struct xhci_ep_desc e = {ep->address, XHCI_EP_INTR_IN, ep->max_packet, ep->interval, ep->max_burst};
    if (usb_configure(d, &e, 1) != XHCI_OK) return "it could not be configured";
    if (usb3 && usb_control(d, 0x20, 12 /* SET_HUB_DEPTH */, d->depth, 0, 0, 0, 0) != XHCI_OK)
        return "it refused its hub depth";
    *h = (struct usb_hub){.dev = d, .ports = ports, .usb3 = usb3};
    d->driver = h;

    for (int p = 1; p <= ports; p++) port_feature(h, true, p, F_PORT_POWER);
    time_delay_us((info.power_on_ms > 100 ? info.power_on_ms : 100) * 1000u);
    char where[64];
    usb_where(d, where, sizeof where);
    kprintf("usb: %s hub with %u ports on %s\n", usb3 ? "USB 3" : "USB 2", ports, where);
    for (int p = 1; p <= ports; p++) {
        uint16_t status, change;
        if (port_status(h, p, &status, &change) != 0) continue;
        clear_changes(h, p, change);
        if (status & ST_CONNECTION) connect_port(h, p);
    }
    xhci_submit(&d->ep[0], d->buf + USB_CONTROL_MAX, (ports + 8u) / 8u);
    return 0;
}

static void port_changed(struct usb_hub *h, int p) {
    uint16_t status, change;
    if (port_status(h, p, &status, &change) != 0) return;
    clear_changes(h, p, change);
    bool gone = h->child[p] && !(status & ST_CONNECTION);
    if (!(change & 1) && !gone) return;
    usb_disconnect(h->child[p]);
    h->child[p] = 0;
    if (status & ST_CONNECTION) connect_port(h, p);
}

void usb_hub_poll(struct usb_device *d) {
    struct usb_hub *h = d->driver;
    if (!h) return;
    uint32_t n = 0;
    int r = xhci_poll_transfer(&d->ep[0], &n);
    if (r == XHCI_PENDING) return;
    if (r == XHCI_OK) {
        h->errors = 0;
        const uint8_t *bits = d->buf + USB_CONTROL_MAX;
        for (int p = 1; p <= h->ports && (uint32_t)(p / 8) < n; p++)
            if (bits[p / 8] >> (p % 8) & 1) port_changed(h, p);
    } else if (++h->errors > 8) {
        return;   /* the hub is going or broken: stop asking */
    }
    xhci_submit(&d->ep[0], d->buf + USB_CONTROL_MAX, (h->ports + 8u) / 8u);
}

void usb_hub_stop(struct usb_device *d) {
    struct usb_hub *h = d->driver;
    if (!h) return;
    for (int p = 1; p <= h->ports; p++) usb_disconnect(h->child[p]);
    h->dev = 0;
    d->driver = 0;
}

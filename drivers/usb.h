/* USB devices on the xHCI controllers: enumeration (address, descriptors),
 * the class drivers that take them (hubs, boot keyboards, mass storage),
 * and hot-plug, all polled.
 *
 * usb_init brings up the controllers and every device plugged in at boot.
 * usb_poll (called while the kernel waits for a key) handles what changed
 * since: reports from keyboards, devices plugged in or pulled out, on the
 * root ports and behind hubs. */
#ifndef DRIVERS_USB_H
#define DRIVERS_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/usb_desc.h"
#include "drivers/xhci.h"

#define USB_MAX_DEVICES 32
#define USB_MAX_DEPTH 5             /* hubs in a row: the route string has 5 tiers */
#define USB_CONTROL_MAX 2048        /* bytes one control transfer moves at most */
#define USB_CLASS_AREA 2048         /* dev->buf + USB_CONTROL_MAX: the class driver's */
#define USB_CONTROL_TIMEOUT_MS 1000

enum usb_kind { USB_UNCLAIMED, USB_HUB, USB_KEYBOARD, USB_STORAGE };

struct usb_device {
    bool used;
    struct xhci *hc;
    struct usb_device *parent;      /* the hub it hangs on; 0 on a root port */
    uint8_t port;                   /* its port on that hub, or its root port */
    uint8_t depth;                  /* hubs between it and its root port */
    struct xhci_slot_desc where;    /* speed, root port, route, transaction translator */
    int slot;
    struct usb_device_desc desc;
    struct usb_config_info config;
    struct xhci_ep ep0;
    struct xhci_ep ep[2];           /* the class driver's endpoints */
    uint8_t *buf;                   /* one DMA page: control data, then the class area */
    enum usb_kind kind;
    void *driver;                   /* the class driver's state */
};

/* Brings up every xHCI controller and the devices on it. */
void usb_init(void);
/* Whether any controller runs (a keyboard may be plugged in later). */
bool usb_present(void);
/* Handles reports and plugging (see above); cheap when called often. */
void usb_poll(void);
/* Whether usb_init is over: drivers report devices plugged in later. */
bool usb_booted(void);

/* A request on the control endpoint (USB 2.0 9.3): len bytes from data
 * (OUT) or into data (IN, by bmRequestType bit 7); data may be 0 when len
 * is 0. *actual (may be 0) receives the bytes moved. An XHCI_* result. */
int usb_control(struct usb_device *d, uint8_t type, uint8_t request, uint16_t value,
                uint16_t index, void *data, uint16_t len, uint32_t *actual);
/* Configure Endpoint for the class driver's endpoints (d->ep[0..n)), then
 * SET_CONFIGURATION. */
int usb_configure(struct usb_device *d, const struct xhci_ep_desc *eps, int n);
/* CLEAR_FEATURE(ENDPOINT_HALT) on the device and a fresh sequence on the
 * controller's side: the endpoint starts over on both ends. */
int usb_clear_halt(struct usb_device *d, struct xhci_ep *ep, uint8_t address);

/* Plugs in the device on port (of hub parent, or a root port when parent
 * is 0), which was just reset and runs at speed; returns it, or 0 (with a
 * note) when it could not be brought up. */
struct usb_device *usb_connect(struct xhci *hc, struct usb_device *parent, int port, int speed);
/* Forgets the device (pulled out), and what hangs on it. */
void usb_disconnect(struct usb_device *d);

/* "xHCI port 3", "xHCI port 1, hub port 2" (and the controller, when
 * there are several). */
void usb_where(const struct usb_device *d, char *buf, size_t size);

#endif

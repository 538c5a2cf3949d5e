/* The xHCI USB host controller, polled: what the USB layer (drivers/usb*.c)
 * needs from it. Controllers are found on PCI (class 0C03, interface 30),
 * taken from the firmware (the USB legacy hand-off), reset and started;
 * then the USB layer enumerates the root ports, opens a slot per device
 * and moves data through transfer rings.
 *
 * Memory: rings and contexts come from memory_alloc (RAM, identity-mapped,
 * so a CPU address is the DMA address) once, and are reused when a device
 * goes and another comes. Every wait has a time-out; a transfer that times
 * out is taken back off its ring, so nothing is left half-done. */
#ifndef DRIVERS_XHCI_H
#define DRIVERS_XHCI_H

#include <stdbool.h>
#include <stdint.h>

struct xhci;   /* one controller */

/* A transfer request block: the unit of every ring. */
struct xhci_trb {
    uint64_t param;
    uint32_t status;
    uint32_t control;
};

/* A producer ring (command or transfer ring): TRBs 0..size-2, and in the
 * last slot a link TRB back to the first that toggles the cycle bit. */
struct xhci_ring {
    struct xhci_trb *trb;
    uint32_t size;
    uint32_t enq;              /* the next TRB to write */
    uint32_t cycle;            /* the producer cycle bit, 0 or 1 */
};

/* Results of transfers and of the functions below. */
enum xhci_result {
    XHCI_OK = 0,
    XHCI_ERROR = -1,           /* a transaction error, babble, or a command refused */
    XHCI_STALL = -2,           /* the device stalled the endpoint (cleared on our side) */
    XHCI_TIMEOUT = -3,         /* no answer in time (the transfer was taken back) */
    XHCI_PENDING = 1,          /* xhci_poll_transfer: still under way */
};

/* One endpoint of one device: its ring and the transfer (TD) on it. */
struct xhci_ep {
    struct xhci *hc;
    uint8_t slot, dci;         /* device slot; device context index (1 = control) */
    uint8_t type;              /* XHCI_EP_* */
    uint16_t max_packet;
    struct xhci_ring ring;
    /* the TD in flight: ring indices of its first and last TRB */
    bool busy, done, short_seen;
    uint32_t td_first, td_last, td_len, actual;
    int result;
};

/* Endpoint types (as the endpoint context numbers them). */
enum { XHCI_EP_BULK_OUT = 2, XHCI_EP_INTR_OUT = 3, XHCI_EP_CONTROL = 4, XHCI_EP_BULK_IN = 6,
       XHCI_EP_INTR_IN = 7 };

/* Speeds as PORTSC reports them. */
enum { XHCI_SPEED_FULL = 1, XHCI_SPEED_LOW = 2, XHCI_SPEED_HIGH = 3, XHCI_SPEED_SUPER = 4,
       XHCI_SPEED_SUPER_PLUS = 5 };

/* Where a device sits, for its slot context. */
struct xhci_slot_desc {
    uint8_t speed;             /* XHCI_SPEED_* */
    uint8_t root_port;         /* 1-based */
    uint32_t route;            /* route string: hub port numbers, 4 bits a tier */
    uint8_t tt_slot, tt_port;  /* low/full speed behind a high-speed hub: that hub's slot and port */
    /* a hub: its port count and think time (0 = not a hub) */
    uint8_t hub_ports, hub_ttt;
};

/* An endpoint to configure. */
struct xhci_ep_desc {
    uint8_t address;           /* bEndpointAddress: number, bit 7 = IN */
    uint8_t type;              /* XHCI_EP_* */
    uint16_t max_packet;
    uint8_t interval;          /* bInterval as the descriptor gives it */
    uint8_t max_burst;         /* SuperSpeed companion's bMaxBurst */
};

/* ---- controllers (drivers/xhci.c) */

/* Finds and starts every controller; says what it found on the console.
 * Returns how many run. */
int xhci_init(void);
int xhci_count(void);
struct xhci *xhci_get(int i);
const char *xhci_name(const struct xhci *hc);   /* "00:04.0" */
bool xhci_dead(const struct xhci *hc);          /* stopped answering: leave it alone */
int xhci_port_count(const struct xhci *hc);
/* Zeroed pages the controller can reach by DMA (below 4 GiB for a
 * controller without 64-bit addresses), never freed; 0 when none. */
void *xhci_alloc(struct xhci *hc, uint64_t bytes);
/* Whether the controller can reach [p, p + bytes) by DMA. */
bool xhci_reaches(const struct xhci *hc, const void *p, uint64_t bytes);
/* Handles whatever the controller reported (transfers that finished). */
void xhci_poll(struct xhci *hc);

/* ---- root ports (drivers/xhci.c), numbered from 1 */

bool xhci_port_connected(struct xhci *hc, int port);
/* Whether the port's connection changed since the last call (clears the
 * change bits). */
bool xhci_port_changed(struct xhci *hc, int port);
/* Whether a USB 3 link is training on the port: a device there is not
 * connected yet, but will be in a moment. */
bool xhci_port_training(struct xhci *hc, int port);
/* Resets the port (a USB 3 port that trained its link is enabled already)
 * and returns the device's speed, or -1 when nothing is there or the reset
 * did not finish in time. */
int xhci_port_reset(struct xhci *hc, int port);

/* ---- device slots (drivers/xhci_device.c) */

/* Opens a slot for a device that answers at address 0 on a port just
 * reset: Enable Slot, then Address Device with a control endpoint of
 * max_packet bytes on ep0 (whose ring page the caller gives: ring.trb,
 * ring.size). Returns the slot id, or -1. */
int xhci_slot_open(struct xhci *hc, const struct xhci_slot_desc *d, uint16_t max_packet,
                   struct xhci_ep *ep0);
/* Frees the slot (the device went away); its endpoints stop working. */
void xhci_slot_close(struct xhci *hc, int slot);
/* Tells the controller the control endpoint's real packet size (from the
 * device descriptor). */
int xhci_ep0_set_max_packet(struct xhci_ep *ep0, uint16_t max_packet);
/* Configures the endpoints eps[i] (rings given by the caller) as descs[i]
 * say, and for a hub the slot's hub fields (d->hub_ports). */
int xhci_configure(struct xhci *hc, int slot, const struct xhci_slot_desc *d,
                   struct xhci_ep *const *eps, const struct xhci_ep_desc *descs, int n);
/* After a stall, an error or a time-out: brings the endpoint back to a
 * stopped, empty state (Reset or Stop Endpoint, then Set TR Dequeue
 * Pointer past whatever was queued), so that the next transfer runs. */
int xhci_ep_recover(struct xhci_ep *ep);
/* Drops and adds the endpoint again: its data toggle (sequence number)
 * starts over, as the device's does after CLEAR_FEATURE(ENDPOINT_HALT). */
int xhci_ep_reset(struct xhci_ep *ep);

/* ---- transfers (drivers/xhci_transfer.c) */

/* A control transfer: the 8-byte setup packet, then len bytes to or from
 * data (direction from the setup packet's bit 7). *actual (may be NULL)
 * receives the bytes moved. */
int xhci_control(struct xhci_ep *ep0, const uint8_t setup[8], void *data, uint16_t len,
                 uint32_t timeout_ms, uint32_t *actual);
/* A bulk or interrupt transfer of len bytes (up to 16 MiB, any address:
 * split at 64 KiB boundaries as the controller needs), waited for. */
int xhci_transfer(struct xhci_ep *ep, void *buf, uint32_t len, uint32_t timeout_ms,
                  uint32_t *actual);
/* The same, started and not waited for (an interrupt endpoint's next
 * report); xhci_poll_transfer says when it is done. */
int xhci_submit(struct xhci_ep *ep, void *buf, uint32_t len);
int xhci_poll_transfer(struct xhci_ep *ep, uint32_t *actual);
/* Takes back the transfer in flight on ep, if any (Stop Endpoint). */
void xhci_cancel(struct xhci_ep *ep);

#endif

/* xHCI transfers: control transfers (setup, data, status stages), and bulk
 * and interrupt transfers (Normal TRBs), one TD in flight per endpoint, and
 * the transfer events that end them (xHCI specification 4.11 "TRBs", 4.10
 * "Transfer Ring Management").
 *
 * A TD ends with the event for its last TRB (the only one with IOC), or
 * with an error event on any of its TRBs. A short packet (fewer bytes than
 * asked) gives an event on the TRB where it happened (ISP) and, on
 * controllers that follow the specification, one more on the last TRB:
 * the length is taken from the first, and the TD is over at the second (or
 * 20 ms after the first, for controllers that skip it). Events naming a TRB
 * outside the TD in flight are stale (a TD taken back) and dropped.
 *
 * A data buffer may not cross a 64 KiB boundary inside one TRB (4.11.7.1),
 * so buffers are cut there: a TD of chained Normal TRBs. */
#include "drivers/xhci.h"
#include "drivers/xhci_hw.h"
#include "drivers/xhci_ring.h"
#include "kernel/time.h"
#include "lib/libc.h"

#define MS 1000000ull
#define TRB_LEN(status) ((status) & 0x1FFFF)
#define MAX_TRANSFER (8u << 20)   /* 128 TRBs of 64 KiB: well inside a 255-TRB ring */

static bool is_data(const struct xhci_trb *t) {
    uint32_t type = TRB_TYPE_OF(t->control);
    return type == TRB_NORMAL || type == TRB_DATA;
}

/* Bytes the TD's data TRBs before index i ask for. */
static uint32_t bytes_before(const struct xhci_ep *ep, uint32_t i) {
    uint32_t sum = 0;
    for (uint32_t j = ep->td_first; j != i; j = (j + 1) % ep->ring.size)
        if (is_data(&ep->ring.trb[j])) sum += TRB_LEN(ep->ring.trb[j].status);
    return sum;
}

void xhci_transfer_event(struct xhci_ep *ep, uint64_t trb, uint32_t residual, uint8_t cc,
                         bool event_data) {
    if (!ep->busy || ep->done || event_data) return;
    int i = xhci_ring_index(&ep->ring, trb);
    if (i < 0 || !xhci_ring_in_run(&ep->ring, ep->td_first, ep->td_last, (uint32_t)i)) return;
    const struct xhci_trb *t = &ep->ring.trb[i];
    if (cc != CC_SUCCESS && cc != CC_SHORT_PACKET) {
        ep->done = true;
        ep->result = cc == CC_STALL ? XHCI_STALL : XHCI_ERROR;
        return;
    }
    if (!ep->short_seen && is_data(t)) {
        uint32_t len = TRB_LEN(t->status);
        ep->actual = bytes_before(ep, (uint32_t)i) + (residual < len ? len - residual : 0);
    }
    if (cc == CC_SHORT_PACKET) ep->short_seen = true;
    if ((uint32_t)i == ep->td_last) {
        if (!ep->short_seen) ep->actual = ep->td_len;
        ep->done = true;
        ep->result = XHCI_OK;
    }
}

static void begin(struct xhci_ep *ep, uint32_t first, uint32_t last, uint32_t len) {
    ep->td_first = first;
    ep->td_last = last;
    ep->td_len = len;
    ep->actual = 0;
    ep->done = ep->short_seen = false;
    ep->result = XHCI_PENDING;
    ep->busy = true;
    xhci_ring_release(&ep->ring, first);
    doorbell(ep->hc, ep->slot, ep->dci);
}

/* The result of the TD once it is over, with the endpoint made usable
 * again after an error. */
static int finish(struct xhci_ep *ep, uint32_t *actual) {
    ep->busy = false;
    if (actual) *actual = ep->actual;
    if (ep->result != XHCI_OK) xhci_ep_recover(ep);
    return ep->result;
}

static int wait(struct xhci_ep *ep, uint32_t timeout_ms, uint32_t *actual) {
    uint64_t end = time_ns() + timeout_ms * MS, short_end = 0;
    for (;;) {
        xhci_poll_events(ep->hc);
        if (ep->done) return finish(ep, actual);
        if (ep->hc->dead) {
            ep->busy = false;
            return XHCI_ERROR;
        }
        uint64_t now = time_ns();
        if (ep->short_seen && !short_end) short_end = now + 20 * MS;
        if (short_end && now > short_end) {   /* no event for the last TRB: over anyway */
            ep->result = XHCI_OK;
            return finish(ep, actual);
        }
        if (now > end) {
            if (actual) *actual = 0;
            xhci_ep_recover(ep);
            return XHCI_TIMEOUT;
        }
    }
}

int xhci_control(struct xhci_ep *ep0, const uint8_t setup[8], void *data, uint16_t len,
                 uint32_t timeout_ms, uint32_t *actual) {
    if (!ep0->hc || ep0->hc->dead) return XHCI_ERROR;
    if (ep0->busy) xhci_cancel(ep0);
    bool in = setup[0] & 0x80;
    uint64_t packet;
    memcpy(&packet, setup, 8);
    uint32_t trt = len ? (in ? 3 : 2) : 0;
    uint32_t first = xhci_ring_put(&ep0->ring, packet, 8,
                                   TRB_TYPE(TRB_SETUP) | TRB_IDT | TRB_SETUP_TRT(trt), true);
    if (len)
        xhci_ring_put(&ep0->ring, (uint64_t)(uintptr_t)data, len,
                      TRB_TYPE(TRB_DATA) | TRB_ISP | (in ? TRB_DIR_IN : 0), false);
    uint32_t last = xhci_ring_put(&ep0->ring, 0, 0,
                                  TRB_TYPE(TRB_STATUS) | TRB_IOC | (len && in ? 0 : TRB_DIR_IN), false);
    begin(ep0, first, last, len);
    return wait(ep0, timeout_ms, actual);
}

/* Queues buf as one TD of Normal TRBs, cut at 64 KiB boundaries, and rings
 * the doorbell. TD Size: packets still to come after each TRB (max 31). */
static int queue(struct xhci_ep *ep, void *buf, uint32_t len) {
    if (!ep->hc || ep->hc->dead || len > MAX_TRANSFER) return XHCI_ERROR;
    if (ep->busy) xhci_cancel(ep);
    uint32_t mps = ep->max_packet ? ep->max_packet : 512;
    uint64_t a = (uint64_t)(uintptr_t)buf;
    uint32_t left = len, first = ep->ring.enq, last = first;
    bool head = true;
    do {
        uint32_t chunk = 0x10000 - (uint32_t)(a & 0xFFFF);
        if (chunk > left) chunk = left;
        left -= chunk;
        uint32_t packets = (left + mps - 1) / mps;
        uint32_t status = chunk | (packets > 31 ? 31 : packets) << 17;
        uint32_t control = TRB_TYPE(TRB_NORMAL) | TRB_ISP | (left ? TRB_CH : TRB_IOC);
        last = xhci_ring_put(&ep->ring, a, status, control, head);
        head = false;
        a += chunk;
    } while (left);
    begin(ep, first, last, len);
    return XHCI_OK;
}

int xhci_transfer(struct xhci_ep *ep, void *buf, uint32_t len, uint32_t timeout_ms,
                  uint32_t *actual) {
    int r = queue(ep, buf, len);
    return r == XHCI_OK ? wait(ep, timeout_ms, actual) : r;
}

int xhci_submit(struct xhci_ep *ep, void *buf, uint32_t len) { return queue(ep, buf, len); }

int xhci_poll_transfer(struct xhci_ep *ep, uint32_t *actual) {
    if (!ep->busy) return XHCI_ERROR;
    xhci_poll_events(ep->hc);
    if (ep->done) return finish(ep, actual);
    if (ep->hc->dead) {
        ep->busy = false;
        return XHCI_ERROR;
    }
    return XHCI_PENDING;
}

void xhci_cancel(struct xhci_ep *ep) {
    if (ep->busy) xhci_ep_recover(ep);
}

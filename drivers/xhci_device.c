/* xHCI device slots and endpoint contexts: the commands that give a device
 * a slot and an address, configure its endpoints, and bring an endpoint
 * back after a stall or a time-out (xHCI specification 4.3 "USB Device
 * Initialization", 4.6 "Command Interface", 6.2 "Device Context Data
 * Structures").
 *
 * Contexts are 32 or 64 bytes (HCCPARAMS1.CSZ). A device's output context
 * (written by the controller) is [slot][endpoint DCI 1]...[DCI 31]; the
 * input context that a command reads is [input control][slot][DCI 1]...,
 * the control context's "add" flags naming which of the others count.
 * Endpoint DCI: 1 for the control endpoint, 2 * number + (1 for IN). */
#include "drivers/xhci.h"
#include "drivers/xhci_hw.h"
#include "drivers/xhci_ring.h"
#include "lib/libc.h"

#define PAGE 4096

/* Slot context dwords. */
#define SLOT_ROUTE(r) ((r) & 0xFFFFFu)
#define SLOT_SPEED(s) ((uint32_t)(s) << 20)
#define SLOT_HUB (1u << 26)
#define SLOT_ENTRIES(n) ((uint32_t)(n) << 27)
#define SLOT_ROOT_PORT(p) ((uint32_t)(p) << 16)
#define SLOT_PORTS(n) ((uint32_t)(n) << 24)
#define SLOT_TT(slot, port) ((uint32_t)(slot) | (uint32_t)(port) << 8)
#define SLOT_TTT(t) ((uint32_t)(t) << 16)
/* Endpoint context dwords. */
#define EP_INTERVAL(i) ((uint32_t)(i) << 16)
#define EP_CERR(n) ((uint32_t)(n) << 1)
#define EP_TYPE(t) ((uint32_t)(t) << 3)
#define EP_BURST(b) ((uint32_t)(b) << 8)
#define EP_MPS(m) ((uint32_t)(m) << 16)

static void *input_context(struct xhci *hc, uint32_t add) {
    memset(hc->in_ctx, 0, 33 * hc->ctx_size);
    *ctx_dw(hc, hc->in_ctx, 0, 1) = add;
    return hc->in_ctx;
}

/* Points ep's ring at the start, and files ep for the events of (slot, dci). */
static void attach_ep(struct xhci *hc, struct xhci_ep *ep, int slot, int dci, uint8_t type,
                      uint16_t max_packet) {
    xhci_ring_init(&ep->ring, ep->ring.trb, ep->ring.size);
    ep->hc = hc;
    ep->slot = (uint8_t)slot;
    ep->dci = (uint8_t)dci;
    ep->type = type;
    ep->max_packet = max_packet;
    ep->busy = false;
    hc->eps[slot * 32 + dci] = ep;
}

/* The endpoint context's TR dequeue pointer: ring start, cycle 1. */
static void set_dequeue(struct xhci *hc, void *in, int dci, const struct xhci_ep *ep) {
    uint64_t a = (uint64_t)(uintptr_t)ep->ring.trb | 1;
    *ctx_dw(hc, in, dci + 1, 2) = (uint32_t)a;
    *ctx_dw(hc, in, dci + 1, 3) = (uint32_t)(a >> 32);
}

int xhci_slot_open(struct xhci *hc, const struct xhci_slot_desc *d, uint16_t max_packet,
                   struct xhci_ep *ep0) {
    uint8_t slot = 0;
    if (xhci_command(hc, 0, TRB_TYPE(TRB_ENABLE_SLOT), &slot) != CC_SUCCESS) return -1;
    if (slot == 0 || slot > hc->max_slots) return -1;
    if (!hc->dev_ctx[slot]) hc->dev_ctx[slot] = xhci_alloc(hc, PAGE);
    if (!hc->dev_ctx[slot]) {
        xhci_command(hc, 0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(slot), 0);
        return -1;
    }
    memset(hc->dev_ctx[slot], 0, PAGE);
    hc->dcbaa[slot] = (uint64_t)(uintptr_t)hc->dev_ctx[slot];

    void *in = input_context(hc, 1u << 0 | 1u << 1);
    *ctx_dw(hc, in, 1, 0) = SLOT_ROUTE(d->route) | SLOT_SPEED(d->speed) | SLOT_ENTRIES(1);
    *ctx_dw(hc, in, 1, 1) = SLOT_ROOT_PORT(d->root_port);
    *ctx_dw(hc, in, 1, 2) = SLOT_TT(d->tt_slot, d->tt_port);
    attach_ep(hc, ep0, slot, 1, XHCI_EP_CONTROL, max_packet);
    *ctx_dw(hc, in, 2, 1) = EP_CERR(3) | EP_TYPE(EP_CONTROL) | EP_MPS(max_packet);
    set_dequeue(hc, in, 1, ep0);
    *ctx_dw(hc, in, 2, 4) = 8;   /* average TRB length: setup packets */
    int cc = xhci_command(hc, (uint64_t)(uintptr_t)in, TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(slot), 0);
    if (cc != CC_SUCCESS) {
        xhci_slot_close(hc, slot);
        return -1;
    }
    return slot;
}

void xhci_slot_close(struct xhci *hc, int slot) {
    if (slot <= 0 || (uint32_t)slot > hc->max_slots) return;
    for (int dci = 0; dci < 32; dci++) {
        struct xhci_ep *ep = hc->eps[slot * 32 + dci];
        if (ep) ep->busy = false;
        hc->eps[slot * 32 + dci] = 0;
    }
    xhci_command(hc, 0, TRB_TYPE(TRB_DISABLE_SLOT) | TRB_SLOT(slot), 0);
    hc->dcbaa[slot] = 0;
}

int xhci_ep0_set_max_packet(struct xhci_ep *ep0, uint16_t max_packet) {
    struct xhci *hc = ep0->hc;
    void *in = input_context(hc, 1u << 1);
    *ctx_dw(hc, in, 2, 1) = EP_CERR(3) | EP_TYPE(EP_CONTROL) | EP_MPS(max_packet);
    ep0->max_packet = max_packet;
    int cc = xhci_command(hc, (uint64_t)(uintptr_t)in,
                          TRB_TYPE(TRB_EVALUATE_CONTEXT) | TRB_SLOT(ep0->slot), 0);
    return cc == CC_SUCCESS ? XHCI_OK : XHCI_ERROR;
}

/* The endpoint context's Interval: 2^Interval x 125 us. High and super
 * speed give bInterval as that exponent + 1; full and low speed interrupt
 * endpoints give frames (ms), rounded down to a power of two here. */
static uint32_t interval(uint8_t speed, const struct xhci_ep_desc *e) {
    bool in_frames = speed == XHCI_SPEED_FULL || speed == XHCI_SPEED_LOW;
    bool periodic = e->type == XHCI_EP_INTR_IN || e->type == XHCI_EP_INTR_OUT;
    if (!periodic) return 0;
    if (in_frames) {
        uint32_t frames = e->interval ? e->interval : 1, exp = 3;   /* 8 x 125 us = 1 frame */
        while (exp < 10 && (2u << (exp - 3)) <= frames) exp++;
        return exp;
    }
    uint32_t v = e->interval ? e->interval - 1u : 0;
    return v > 15 ? 15 : v;
}

int xhci_configure(struct xhci *hc, int slot, const struct xhci_slot_desc *d,
                   struct xhci_ep *const *eps, const struct xhci_ep_desc *descs, int n) {
    uint32_t add = 1u << 0;
    void *in = input_context(hc, 0);
    /* the slot context as the controller has it, with our changes */
    for (int i = 0; i < 8 && (uint32_t)i * 4 < hc->ctx_size; i++)
        *ctx_dw(hc, in, 1, i) = *ctx_dw(hc, hc->dev_ctx[slot], 0, i);
    *ctx_dw(hc, in, 1, 3) = 0;   /* device address and slot state: the controller's */
    uint32_t entries = *ctx_dw(hc, in, 1, 0) >> 27;
    for (int i = 0; i < n; i++) {
        const struct xhci_ep_desc *e = &descs[i];
        int dci = (e->address & 0x0F) * 2 + (e->address & 0x80 ? 1 : 0);
        if (dci < 2) return XHCI_ERROR;
        bool periodic = e->type == XHCI_EP_INTR_IN || e->type == XHCI_EP_INTR_OUT;
        attach_ep(hc, eps[i], slot, dci, e->type, e->max_packet);
        *ctx_dw(hc, in, dci + 1, 0) = EP_INTERVAL(interval(d->speed, e));
        *ctx_dw(hc, in, dci + 1, 1) = EP_CERR(3) | EP_TYPE(e->type) | EP_BURST(e->max_burst) |
                                      EP_MPS(e->max_packet);
        set_dequeue(hc, in, dci, eps[i]);
        uint32_t esit = periodic ? (uint32_t)e->max_packet * (e->max_burst + 1u) : 0;
        *ctx_dw(hc, in, dci + 1, 4) = (periodic ? e->max_packet : 1024u) | (esit & 0xFFFF) << 16;
        add |= 1u << dci;
        if ((uint32_t)dci > entries) entries = (uint32_t)dci;
    }
    volatile uint32_t *s0 = ctx_dw(hc, in, 1, 0);
    *s0 = (*s0 & ~(0x1Fu << 27)) | SLOT_ENTRIES(entries);
    if (d->hub_ports) {
        *s0 |= SLOT_HUB;
        *ctx_dw(hc, in, 1, 1) = (*ctx_dw(hc, in, 1, 1) & 0x00FFFFFFu) | SLOT_PORTS(d->hub_ports);
        *ctx_dw(hc, in, 1, 2) |= SLOT_TTT(d->hub_ttt);
    }
    *ctx_dw(hc, in, 0, 1) = add;
    int cc = xhci_command(hc, (uint64_t)(uintptr_t)in, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(slot), 0);
    return cc == CC_SUCCESS ? XHCI_OK : XHCI_ERROR;
}

int xhci_ep_recover(struct xhci_ep *ep) {
    struct xhci *hc = ep->hc;
    if (!hc || hc->dead || !hc->dev_ctx[ep->slot]) return XHCI_ERROR;
    uint32_t target = TRB_SLOT(ep->slot) | TRB_EP(ep->dci);
    uint32_t state = *ctx_dw(hc, hc->dev_ctx[ep->slot], ep->dci, 0) & 7;
    if (state == EP_STATE_HALTED) xhci_command(hc, 0, TRB_TYPE(TRB_RESET_EP) | target, 0);
    else if (state == EP_STATE_RUNNING) xhci_command(hc, 0, TRB_TYPE(TRB_STOP_EP) | target, 0);
    ep->busy = false;
    uint64_t deq = xhci_ring_addr(&ep->ring, ep->ring.enq) | ep->ring.cycle;
    int cc = xhci_command(hc, deq, TRB_TYPE(TRB_SET_TR_DEQUEUE) | target, 0);
    return cc == CC_SUCCESS ? XHCI_OK : XHCI_ERROR;
}

int xhci_ep_reset(struct xhci_ep *ep) {
    struct xhci *hc = ep->hc;
    if (!hc || hc->dead || !hc->dev_ctx[ep->slot]) return XHCI_ERROR;
    if (ep->busy) xhci_ep_recover(ep);
    void *in = input_context(hc, 1u << 0 | 1u << ep->dci);
    *ctx_dw(hc, in, 0, 0) = 1u << ep->dci;   /* drop, then add */
    for (int i = 0; i < 8 && (uint32_t)i * 4 < hc->ctx_size; i++) {
        *ctx_dw(hc, in, 1, i) = *ctx_dw(hc, hc->dev_ctx[ep->slot], 0, i);
        *ctx_dw(hc, in, ep->dci + 1, i) = *ctx_dw(hc, hc->dev_ctx[ep->slot], ep->dci, i);
    }
    *ctx_dw(hc, in, 1, 3) = 0;
    *ctx_dw(hc, in, ep->dci + 1, 0) &= ~7u;   /* the state is the controller's */
    uint64_t deq = xhci_ring_addr(&ep->ring, ep->ring.enq) | ep->ring.cycle;
    *ctx_dw(hc, in, ep->dci + 1, 2) = (uint32_t)deq;
    *ctx_dw(hc, in, ep->dci + 1, 3) = (uint32_t)(deq >> 32);
    int cc = xhci_command(hc, (uint64_t)(uintptr_t)in, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(ep->slot), 0);
    return cc == CC_SUCCESS ? XHCI_OK : XHCI_ERROR;
}

/* xHCI producer rings (command and transfer rings) as plain memory: where
 * the next TRB goes, the cycle bit that hands a TRB to the controller, the
 * link TRB at the end that sends the controller back to the start and
 * toggles the cycle, and which TRB an event names. No hardware: the
 * controller code (drivers/xhci*.c) uses it, and so do the host tests.
 *
 * The cycle bit: the controller runs a ring while each TRB's cycle bit
 * equals its own consumer cycle state; the producer writes TRBs with its
 * producer cycle bit, flipped at every pass over the link. A TRB written
 * "held" carries the wrong cycle bit until xhci_ring_release: a TD's
 * first TRB is held while the rest of it is written, so the controller
 * never sees half a TD. */
#ifndef DRIVERS_XHCI_RING_H
#define DRIVERS_XHCI_RING_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/xhci.h"

/* Clears size TRBs (size >= 2) at trbs and starts the ring: enqueue at 0,
 * cycle 1, a link TRB with toggle-cycle in the last slot. */
void xhci_ring_init(struct xhci_ring *r, struct xhci_trb *trbs, uint32_t size);
/* Writes one TRB at the enqueue point with the producer cycle bit (control's
 * own bit 0 is ignored) and returns its index. When the next slot is the
 * link TRB, the link is handed over (with the chain bit when this TRB has
 * it, as a TD that crosses the link needs) and the cycle toggles. */
uint32_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control,
                       bool hold);
/* Gives a held TRB its right cycle bit. */
void xhci_ring_release(struct xhci_ring *r, uint32_t index);
/* TRBs that can still be written before the ring is full, when the
 * controller has consumed everything up to the enqueue point. */
uint32_t xhci_ring_capacity(const struct xhci_ring *r);
/* The bus address of TRB index (identity-mapped: its address). */
uint64_t xhci_ring_addr(const struct xhci_ring *r, uint32_t index);
/* The index of the TRB at addr, or -1 when addr is not a TRB of the ring. */
int xhci_ring_index(const struct xhci_ring *r, uint64_t addr);
/* Whether index lies in the run first..last, which may wrap past the end. */
bool xhci_ring_in_run(const struct xhci_ring *r, uint32_t first, uint32_t last, uint32_t index);

#endif

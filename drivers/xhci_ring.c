/* xHCI producer rings (see xhci_ring.h; xHCI specification 4.9: "TRB
 * Ring"). Stores to a TRB's control word, which holds the cycle bit, come
 * last: the compiler barrier keeps them after the other words (x86 keeps
 * stores in order, and the controller snoops the CPU's caches). */
#include "drivers/xhci_ring.h"
#include "drivers/xhci_hw.h"

#define BARRIER() __asm__ volatile("" ::: "memory")

void xhci_ring_init(struct xhci_ring *r, struct xhci_trb *trbs, uint32_t size) {
    volatile struct xhci_trb *t = trbs;
    for (uint32_t i = 0; i < size; i++) t[i] = (struct xhci_trb){0, 0, 0};
    r->trb = trbs;
    r->size = size;
    r->enq = 0;
    r->cycle = 1;
    t[size - 1].param = (uint64_t)(uintptr_t)trbs;
    BARRIER();
    t[size - 1].control = TRB_TYPE(TRB_LINK) | TRB_TC;   /* cycle 0: not the controller's yet */
}

uint32_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control,
                       bool hold) {
    volatile struct xhci_trb *t = &r->trb[r->enq];
    uint32_t index = r->enq;
    t->param = param;
    t->status = status;
    BARRIER();
    t->control = (control & ~TRB_CYCLE) | (r->cycle ^ (hold ? 1u : 0u));
    if (++r->enq == r->size - 1) {
        volatile struct xhci_trb *link = &r->trb[r->enq];
        link->param = (uint64_t)(uintptr_t)r->trb;
        BARRIER();
        link->control = TRB_TYPE(TRB_LINK) | TRB_TC | (control & TRB_CH) | r->cycle;
        r->enq = 0;
        r->cycle ^= 1;
    }
    return index;
}

void xhci_ring_release(struct xhci_ring *r, uint32_t index) {
    BARRIER();
    ((volatile struct xhci_trb *)r->trb)[index].control ^= TRB_CYCLE;
}

uint32_t xhci_ring_capacity(const struct xhci_ring *r) { return r->size - 1; }

uint64_t xhci_ring_addr(const struct xhci_ring *r, uint32_t index) {
    return (uint64_t)(uintptr_t)&r->trb[index];
}

int xhci_ring_index(const struct xhci_ring *r, uint64_t addr) {
    uint64_t base = (uint64_t)(uintptr_t)r->trb;
    if (addr < base || (addr - base) % sizeof(struct xhci_trb) != 0) return -1;
    uint64_t i = (addr - base) / sizeof(struct xhci_trb);
    return i < r->size ? (int)i : -1;
}

bool xhci_ring_in_run(const struct xhci_ring *r, uint32_t first, uint32_t last, uint32_t index) {
    uint32_t n = r->size;
    return (index + n - first) % n <= (last + n - first) % n;
}

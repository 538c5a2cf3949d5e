/* xHCI controllers: finding them, taking them from the firmware, resetting
 * and starting them; their root ports; their event ring and command ring.
 *
 * The hardware (xHCI specification 1.2, chapter 4.2 "Host Controller
 * Initialization"): BAR 0 holds the capability registers, then (at
 * CAPLENGTH) the operational registers with one register set per root
 * port, the runtime registers (interrupter 0: the event ring) and the
 * doorbells. Software gives the controller a table of device context
 * pointers (DCBAA, entry 0 pointing at its scratchpad pages), a command
 * ring, and an event ring described by a one-entry segment table; then sets
 * Run. Everything else happens through TRBs: commands on the command ring
 * (doorbell 0), transfers on each endpoint's ring (the device's doorbell),
 * and the controller's answers on the event ring, read here by polling:
 * interrupts stay off.
 *
 * The firmware may have been using the controller (SeaBIOS and OVMF drive
 * USB keyboards and the boot stick with it; SMM code may emulate a PS/2
 * keyboard through it), so it is taken with the legacy hand-off and a full
 * reset before anything else. */
#include "drivers/xhci.h"
#include "drivers/xhci_handoff.h"
#include "drivers/xhci_hw.h"
#include "drivers/xhci_ring.h"
#include "kernel/console.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/pci.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

#define MAX_CONTROLLERS 4
#define PAGE 4096
#define MS 1000000ull

static struct xhci controllers[MAX_CONTROLLERS];
static int n_controllers;

static uint64_t now_ms(void) { return time_ns() / MS; }

/* Waits until (reg & mask) == want, up to ms milliseconds. */
static bool wait_reg(volatile uint8_t *base, uint32_t off, uint32_t mask, uint32_t want, uint64_t ms) {
    uint64_t end = time_ns() + ms * MS;
    for (;;) {
        if ((rd32(base, off) & mask) == want) return true;
        if (time_ns() > end) return false;
        time_delay_us(10);
    }
}

/* Pages for the controller's structures; 0 when memory is short, or above
 * 4 GiB for a controller that only has 32-bit addresses. */
bool xhci_reaches(const struct xhci *hc, const void *p, uint64_t bytes) {
    return hc->ac64 || (uint64_t)(uintptr_t)p + bytes <= (1ull << 32);
}

void *xhci_alloc(struct xhci *hc, uint64_t bytes) {
    void *p = memory_alloc(bytes, PAGE);
    if (!p || !xhci_reaches(hc, p, bytes)) return 0;
    memset(p, 0, bytes);
    return p;
}

/* Walks the extended capabilities: the legacy hand-off (id 1). */
static void take_from_firmware(struct xhci *hc) {
    uint32_t off = (rd32(hc->cap, CAP_HCCPARAMS1) >> 16) * 4;
    for (int guard = 0; off && guard < 64; guard++) {
        uint32_t v = rd32(hc->cap, off);
        if ((v & 0xFF) == 1) {
            enum xhci_handoff_result r = xhci_handoff((volatile uint32_t *)(hc->cap + off), now_ms, 1000);
            if (r == XHCI_HANDOFF_RELEASED) kprintf("usb: xHCI %s: the firmware handed it over\n", hc->name);
            if (r == XHCI_HANDOFF_FORCED)
                kprintf("usb: xHCI %s: the firmware did not let go within 1 s; taken anyway\n", hc->name);
        }
        uint32_t next = (v >> 8) & 0xFF;
        if (!next) break;
        off += next * 4;
    }
}

/* Intel 7- and 8-series chipsets (Panther Point, Lynx Point) wire their
 * USB ports to the EHCI controller until software moves them: each port
 * the mask registers allow goes to xHCI (USB3_PSSEN from USB3PRM, XUSB2PR
 * from USB2PRM), as Linux does. Other controllers need nothing. */
static void route_intel_ports(const struct pci_dev *d) {
    if (d->vendor != 0x8086 || (d->device != 0x1E31 && d->device != 0x8C31 && d->device != 0x9C31)) return;
    pci_write32(d, 0xD8, pci_read32(d, 0xDC));   /* SuperSpeed on the USB 3 ports */
    pci_write32(d, 0xD0, pci_read32(d, 0xD4));   /* the USB 2 ports to xHCI */
}

/* Stops, resets and sets up the controller. A reason when it fails. */
static const char *start(struct xhci *hc) {
    uint32_t hcs1 = rd32(hc->cap, CAP_HCSPARAMS1), hcs2 = rd32(hc->cap, CAP_HCSPARAMS2);
    uint32_t hcc1 = rd32(hc->cap, CAP_HCCPARAMS1);
    if (hcs1 == 0xFFFFFFFFu) return "its registers read all ones";
    hc->op = hc->cap + (rd32(hc->cap, CAP_LENGTH) & 0xFF);
    hc->ir = hc->cap + (rd32(hc->cap, CAP_RTSOFF) & ~0x1Fu) + 0x20;
    hc->db = (volatile uint32_t *)(hc->cap + (rd32(hc->cap, CAP_DBOFF) & ~0x3u));
    hc->max_slots = hcs1 & 0xFF;
    hc->ports = hcs1 >> 24;
    hc->ac64 = hcc1 & HCC_AC64;
    hc->ctx_size = hcc1 & HCC_CSZ ? 64 : 32;
    if (hc->max_slots == 0 || hc->ports == 0) return "it offers no slots or no ports";

    take_from_firmware(hc);
    route_intel_ports(&hc->pci);

    if (!(rd32(hc->op, OP_USBSTS) & STS_HCH)) {
        wr32(hc->op, OP_USBCMD, rd32(hc->op, OP_USBCMD) & ~CMD_RUN);
        if (!wait_reg(hc->op, OP_USBSTS, STS_HCH, STS_HCH, 100)) return "it did not halt within 100 ms";
    }
    wr32(hc->op, OP_USBCMD, CMD_HCRST);
    time_delay_us(1000);   /* some Intel controllers must not be read just after HCRST */
    if (!wait_reg(hc->op, OP_USBCMD, CMD_HCRST, 0, 1000) || !wait_reg(hc->op, OP_USBSTS, STS_CNR, 0, 1000))
        return "its reset did not finish within 1 s";
    if (!(rd32(hc->op, OP_PAGESIZE) & 1)) return "it does not take 4 KiB pages";

    uint32_t scratch = ((hcs2 >> 21) & 0x1F) << 5 | hcs2 >> 27;
    hc->dcbaa = xhci_alloc(hc, (hc->max_slots + 1) * 8);
    hc->dev_ctx = xhci_alloc(hc, (hc->max_slots + 1) * sizeof(void *));
    hc->eps = xhci_alloc(hc, (hc->max_slots + 1) * 32 * sizeof(struct xhci_ep *));
    hc->in_ctx = xhci_alloc(hc, 33 * hc->ctx_size);
    struct xhci_trb *cmd = xhci_alloc(hc, PAGE);
    hc->events = xhci_alloc(hc, PAGE);
    uint64_t *erst = xhci_alloc(hc, 64);
    uint64_t *pads = scratch ? xhci_alloc(hc, scratch * 8) : 0;
    uint8_t *pad_pages = scratch ? xhci_alloc(hc, (uint64_t)scratch * PAGE) : 0;
    if (!hc->dcbaa || !hc->dev_ctx || !hc->eps || !hc->in_ctx || !cmd || !hc->events || !erst ||
        (scratch && (!pads || !pad_pages)))
        return hc->ac64 ? "out of memory" : "no memory below 4 GiB for a 32-bit controller";
    for (uint32_t i = 0; i < scratch; i++) pads[i] = (uint64_t)(uintptr_t)(pad_pages + (uint64_t)i * PAGE);
    if (scratch) hc->dcbaa[0] = (uint64_t)(uintptr_t)pads;

    xhci_ring_init(&hc->cmd, cmd, PAGE / sizeof(struct xhci_trb));
    hc->ev_next = 0;
    hc->ev_cycle = 1;
    erst[0] = (uint64_t)(uintptr_t)hc->events;
    erst[1] = XHCI_EVENTS;

    wr32(hc->op, OP_CONFIG, hc->max_slots);
    wr64(hc->op, OP_DCBAAP, (uint64_t)(uintptr_t)hc->dcbaa);
    wr64(hc->op, OP_CRCR, (uint64_t)(uintptr_t)cmd | 1);   /* ring cycle state 1 */
    wr32(hc->ir, IR_IMAN, 0);                              /* polled: no interrupts */
    wr32(hc->ir, IR_ERSTSZ, 1);
    wr64(hc->ir, IR_ERDP, (uint64_t)(uintptr_t)hc->events);
    wr64(hc->ir, IR_ERSTBA, (uint64_t)(uintptr_t)erst);     /* last: this enables the event ring */
    wr32(hc->op, OP_USBCMD, CMD_RUN);
    if (!wait_reg(hc->op, OP_USBSTS, STS_HCH, 0, 100)) return "it did not start within 100 ms";

    if (hcc1 & HCC_PPC) {   /* ports that software must power */
        for (uint32_t p = 1; p <= hc->ports; p++) {
            uint32_t v = portsc_read(hc, (int)p);
            if (!(v & PORTSC_PP)) portsc_write(hc, (int)p, (v & PORTSC_KEEP) | PORTSC_PP);
        }
        time_delay_us(20000);
    }
    return 0;
}

static bool found(const struct pci_dev *d, void *ctx) {
    (void)ctx;
    if (d->class_code != 0x0C || d->subclass != 0x03 || d->prog_if != 0x30) return true;
    char id[32];
    pci_name(d, id, sizeof id);
    if (n_controllers == MAX_CONTROLLERS) {
        kprintf("note: usb: xHCI %s skipped: more than %d controllers\n", id, MAX_CONTROLLERS);
        return true;
    }
    uint64_t size;
    uint64_t bar = pci_bar(d, 0, &size);
    if (!bar || size < 0x1000) {
        kprintf("note: usb: xHCI %s skipped: its registers are not assigned\n", id);
        return true;
    }
    void *regs = paging_map_mmio(bar, size);   /* OVMF puts 64-bit BARs above 4 GiB */
    if (!regs) {
        kprintf("note: usb: xHCI %s skipped: its registers at %#llx cannot be mapped\n", id,
                (unsigned long long)bar);
        return true;
    }
    struct xhci *hc = &controllers[n_controllers];
    memset(hc, 0, sizeof *hc);
    hc->pci = *d;
    hc->cap = regs;
    fmt_snprintf(hc->name, sizeof hc->name, "%02x:%02x.%x", d->bus, d->dev, d->fn);
    pci_enable(d);
    const char *why = start(hc);
    if (why) {
        kprintf("note: usb: xHCI %s skipped: %s\n", id, why);
        return true;
    }
    kprintf("usb: xHCI %s, %u ports, %u slots, %s DMA\n", id, hc->ports, hc->max_slots,
            hc->ac64 ? "64-bit" : "32-bit");
    n_controllers++;
    return true;
}

int xhci_init(void) {
    pci_scan(found, 0);
    return n_controllers;
}

int xhci_count(void) { return n_controllers; }
struct xhci *xhci_get(int i) { return i >= 0 && i < n_controllers ? &controllers[i] : 0; }
const char *xhci_name(const struct xhci *hc) { return hc->name; }
bool xhci_dead(const struct xhci *hc) { return hc->dead; }
int xhci_port_count(const struct xhci *hc) { return (int)hc->ports; }

static void give_up(struct xhci *hc, const char *why) {
    if (hc->dead) return;
    hc->dead = true;
    kprintf("note: usb: xHCI %s stopped working (%s); its devices are gone\n", hc->name, why);
}

/* ---------------------------------------------------------------- events */

static void file_event(struct xhci *hc, uint64_t param, uint32_t status, uint32_t control) {
    uint32_t type = TRB_TYPE_OF(control);
    uint8_t cc = (uint8_t)(status >> 24);
    if (type == TRB_EV_COMMAND) {
        if (hc->cmd_trb && param == hc->cmd_trb) {
            hc->cmd_done = true;
            hc->cmd_cc = cc;
            hc->cmd_slot = (uint8_t)(control >> 24);
        }
    } else if (type == TRB_EV_TRANSFER) {
        uint32_t slot = control >> 24, dci = (control >> 16) & 0x1F;
        if (slot == 0 || slot > hc->max_slots) return;
        struct xhci_ep *ep = hc->eps[slot * 32 + dci];
        if (ep) xhci_transfer_event(ep, param, status & 0xFFFFFF, cc, control & TRB_ED);
    }
    /* Port status changes: the USB layer reads PORTSC itself. */
}

void xhci_poll_events(struct xhci *hc) {
    if (hc->dead) return;
    bool any = false;
    for (int n = 0; n < XHCI_EVENTS; n++) {
        volatile struct xhci_trb *e = &hc->events[hc->ev_next];
        uint32_t control = e->control;
        if ((control & TRB_CYCLE) != hc->ev_cycle) break;
        __asm__ volatile("" ::: "memory");   /* the rest of the TRB after its cycle bit */
        file_event(hc, e->param, e->status, control);
        if (++hc->ev_next == XHCI_EVENTS) {
            hc->ev_next = 0;
            hc->ev_cycle ^= 1;
        }
        any = true;
    }
    if (any) wr64(hc->ir, IR_ERDP, (uint64_t)(uintptr_t)&hc->events[hc->ev_next] | ERDP_EHB);
    uint32_t sts = rd32(hc->op, OP_USBSTS);
    if (sts == 0xFFFFFFFFu) give_up(hc, "its registers read all ones");
    else if (sts & (STS_HSE | STS_HCE)) give_up(hc, sts & STS_HSE ? "host system error" : "controller error");
}

void xhci_poll(struct xhci *hc) { xhci_poll_events(hc); }

int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint8_t *slot_out) {
    if (hc->dead) return -1;
    uint32_t i = xhci_ring_put(&hc->cmd, param, 0, control, false);
    hc->cmd_trb = xhci_ring_addr(&hc->cmd, i);
    hc->cmd_done = false;
    doorbell(hc, 0, 0);
    uint64_t end = time_ns() + 2000 * MS;
    while (!hc->cmd_done && !hc->dead) {
        xhci_poll_events(hc);
        if (time_ns() > end) {
            give_up(hc, "a command got no answer within 2 s");
            break;
        }
    }
    hc->cmd_trb = 0;
    if (!hc->cmd_done) return -1;
    if (slot_out) *slot_out = hc->cmd_slot;
    return hc->cmd_cc;
}

/* ---------------------------------------------------------------- root ports */

bool xhci_port_connected(struct xhci *hc, int port) {
    return !hc->dead && (portsc_read(hc, port) & PORTSC_CCS);
}

bool xhci_port_training(struct xhci *hc, int port) {
    uint32_t v = hc->dead ? 0 : portsc_read(hc, port);
    return (v & PORTSC_PP) && !(v & PORTSC_CCS) && PORTSC_PLS(v) == 7;   /* Polling */
}

bool xhci_port_changed(struct xhci *hc, int port) {
    if (hc->dead) return false;
    uint32_t v = portsc_read(hc, port);
    if (v & PORTSC_CHANGES) portsc_write(hc, port, (v & PORTSC_KEEP) | (v & PORTSC_CHANGES));
    return v & PORTSC_CSC;
}

/* Sets bit (PR or WPR) and waits for the reset to end with the port
 * enabled: the new PORTSC, or 0 when it did not. */
static uint32_t reset_with(struct xhci *hc, int port, uint32_t bit, uint32_t change) {
    portsc_write(hc, port, (portsc_read(hc, port) & PORTSC_KEEP) | bit);
    uint64_t end = time_ns() + 500 * MS;
    for (;;) {
        time_delay_us(1000);
        uint32_t v = portsc_read(hc, port);
        if (!(v & PORTSC_CCS)) return 0;
        if ((v & change) && !(v & PORTSC_PR)) {
            portsc_write(hc, port, (v & PORTSC_KEEP) | (v & PORTSC_CHANGES));
            return v & PORTSC_PED ? v : 0;
        }
        if (time_ns() > end) return 0;
    }
}

int xhci_port_reset(struct xhci *hc, int port) {
    if (hc->dead) return -1;
    uint32_t v = portsc_read(hc, port);
    if (!(v & PORTSC_CCS)) return -1;
    if (!(v & PORTSC_PED)) {   /* a USB 3 port that trained its link is enabled already */
        v = reset_with(hc, port, PORTSC_PR, PORTSC_PRC);
        if (!v && (portsc_read(hc, port) & PORTSC_CCS)) v = reset_with(hc, port, PORTSC_WPR, PORTSC_WRC);
        if (!v) return -1;
        time_delay_us(10000);   /* reset recovery (USB 2.0 7.1.7.5: 10 ms) */
    }
    int speed = (int)PORTSC_SPEED(v);
    return speed >= XHCI_SPEED_FULL && speed <= XHCI_SPEED_SUPER_PLUS ? speed : -1;
}

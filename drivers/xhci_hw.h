/* The xHCI hardware as the drivers/xhci*.c files share it: register
 * offsets and bits, TRB and context layouts (xHCI specification 1.2,
 * chapters 5 and 6), the controller's state, and the few functions one
 * xhci file offers another. Nothing outside drivers/xhci*.c includes this;
 * the USB layer sees drivers/xhci.h. */
#ifndef DRIVERS_XHCI_HW_H
#define DRIVERS_XHCI_HW_H

#include <stdbool.h>
#include <stdint.h>
#include "drivers/xhci.h"
#include "kernel/pci.h"

/* Capability registers (offsets from BAR 0). */
enum {
    CAP_LENGTH = 0x00, CAP_HCSPARAMS1 = 0x04, CAP_HCSPARAMS2 = 0x08, CAP_HCCPARAMS1 = 0x10,
    CAP_DBOFF = 0x14, CAP_RTSOFF = 0x18,
};
#define HCC_AC64 (1u << 0)               /* 64-bit addresses */
#define HCC_CSZ (1u << 2)                /* 64-byte contexts */
#define HCC_PPC (1u << 3)                /* ports need software power */

/* Operational registers (offsets from BAR 0 + CAPLENGTH). */
enum {
    OP_USBCMD = 0x00, OP_USBSTS = 0x04, OP_PAGESIZE = 0x08, OP_CRCR = 0x18, OP_DCBAAP = 0x30,
    OP_CONFIG = 0x38, OP_PORTS = 0x400,   /* port n (1-based) at OP_PORTS + 0x10 * (n - 1) */
};
#define CMD_RUN (1u << 0)
#define CMD_HCRST (1u << 1)
#define STS_HCH (1u << 0)                /* halted */
#define STS_HSE (1u << 2)                /* host system error */
#define STS_CNR (1u << 11)               /* controller not ready */
#define STS_HCE (1u << 12)               /* host controller error */

/* PORTSC. The change bits (17-23) and PED are cleared by writing 1, so a
 * write starts from the bits that keep their value (PORTSC_KEEP). */
#define PORTSC_CCS (1u << 0)             /* a device is connected */
#define PORTSC_PED (1u << 1)             /* enabled */
#define PORTSC_PR (1u << 4)              /* reset in progress */
#define PORTSC_PLS(v) (((v) >> 5) & 0xF) /* link state */
#define PORTSC_PP (1u << 9)              /* powered */
#define PORTSC_SPEED(v) (((v) >> 10) & 0xF)
#define PORTSC_CSC (1u << 17)
#define PORTSC_PEC (1u << 18)
#define PORTSC_WRC (1u << 19)
#define PORTSC_OCC (1u << 20)
#define PORTSC_PRC (1u << 21)
#define PORTSC_PLC (1u << 22)
#define PORTSC_CEC (1u << 23)
#define PORTSC_WPR (1u << 31)            /* warm reset (USB 3) */
#define PORTSC_CHANGES (PORTSC_CSC | PORTSC_PEC | PORTSC_WRC | PORTSC_OCC | PORTSC_PRC | \
                        PORTSC_PLC | PORTSC_CEC)
#define PORTSC_KEEP (PORTSC_PP | (3u << 14) | (7u << 25))   /* power, indicator, wake bits */

/* Interrupter 0's registers (offsets from the runtime base + 0x20). */
enum { IR_IMAN = 0x00, IR_IMOD = 0x04, IR_ERSTSZ = 0x08, IR_ERSTBA = 0x10, IR_ERDP = 0x18 };
#define ERDP_EHB (1u << 3)               /* event handler busy: cleared by writing 1 */

/* TRB control word. */
#define TRB_CYCLE (1u << 0)
#define TRB_TC (1u << 1)                 /* link: toggle cycle */
#define TRB_ENT (1u << 1)
#define TRB_ISP (1u << 2)                /* interrupt (event) on short packet */
#define TRB_CH (1u << 4)                 /* chain: the TD goes on */
#define TRB_IOC (1u << 5)                /* event on completion */
#define TRB_IDT (1u << 6)                /* immediate data (setup stage) */
#define TRB_BSR (1u << 9)                /* address device: block SET_ADDRESS */
#define TRB_DIR_IN (1u << 16)            /* data and status stages */
#define TRB_ED (1u << 2)                 /* transfer event: for an Event Data TRB */
#define TRB_TYPE(t) ((uint32_t)(t) << 10)
#define TRB_TYPE_OF(c) (((c) >> 10) & 0x3F)
#define TRB_SLOT(s) ((uint32_t)(s) << 24)
#define TRB_EP(dci) ((uint32_t)(dci) << 16)
#define TRB_SETUP_TRT(t) ((uint32_t)(t) << 16)   /* 0 no data, 2 OUT, 3 IN */

enum trb_type {
    TRB_NORMAL = 1, TRB_SETUP = 2, TRB_DATA = 3, TRB_STATUS = 4, TRB_LINK = 6,
    TRB_ENABLE_SLOT = 9, TRB_DISABLE_SLOT = 10, TRB_ADDRESS_DEVICE = 11, TRB_CONFIGURE_EP = 12,
    TRB_EVALUATE_CONTEXT = 13, TRB_RESET_EP = 14, TRB_STOP_EP = 15, TRB_SET_TR_DEQUEUE = 16,
    TRB_NOOP_CMD = 23,
    TRB_EV_TRANSFER = 32, TRB_EV_COMMAND = 33, TRB_EV_PORT = 34, TRB_EV_HOST = 37,
};

/* Completion codes (event status bits 31-24). */
enum {
    CC_SUCCESS = 1, CC_DATA_BUFFER = 2, CC_BABBLE = 3, CC_TRANSACTION = 4, CC_TRB = 5,
    CC_STALL = 6, CC_SHORT_PACKET = 13, CC_CONTEXT_STATE = 19, CC_STOPPED = 26,
    CC_STOPPED_LENGTH_INVALID = 27,
};

/* Endpoint types of the endpoint context. */
enum { EP_ISOCH_OUT = 1, EP_BULK_OUT = 2, EP_INTR_OUT = 3, EP_CONTROL = 4, EP_ISOCH_IN = 5,
       EP_BULK_IN = 6, EP_INTR_IN = 7 };
/* Endpoint states (endpoint context dword 0, bits 2-0). */
enum { EP_STATE_DISABLED = 0, EP_STATE_RUNNING = 1, EP_STATE_HALTED = 2, EP_STATE_STOPPED = 3,
       EP_STATE_ERROR = 4 };

#define XHCI_EVENTS 256                  /* event ring TRBs: one page */
#define XHCI_MAX_PORTS 255

struct xhci {
    struct pci_dev pci;
    char name[16];                       /* "00:04.0" */
    volatile uint8_t *cap, *op, *ir;     /* register blocks */
    volatile uint32_t *db;               /* doorbells */
    uint32_t max_slots, ports, ctx_size, page_size;
    bool ac64, dead;

    uint64_t *dcbaa;                     /* device context pointers, by slot */
    void **dev_ctx;                      /* each slot's output context page, kept for reuse */
    struct xhci_ep **eps;                /* (slot, dci) -> endpoint, for the events */
    uint8_t *in_ctx;                     /* one input context: commands run one at a time */

    struct xhci_ring cmd;
    volatile struct xhci_trb *events;
    uint32_t ev_next, ev_cycle;

    /* the command in flight */
    uint64_t cmd_trb;                    /* its address, 0 when none */
    bool cmd_done;
    uint8_t cmd_cc, cmd_slot;
};

static inline uint32_t rd32(volatile uint8_t *base, uint32_t off) {
    return *(volatile uint32_t *)(base + off);
}
static inline void wr32(volatile uint8_t *base, uint32_t off, uint32_t v) {
    *(volatile uint32_t *)(base + off) = v;
}
static inline void wr64(volatile uint8_t *base, uint32_t off, uint64_t v) {
    wr32(base, off, (uint32_t)v);
    wr32(base, off + 4, (uint32_t)(v >> 32));
}
static inline uint32_t portsc_read(struct xhci *hc, int port) {
    return rd32(hc->op, OP_PORTS + 0x10 * (uint32_t)(port - 1));
}
static inline void portsc_write(struct xhci *hc, int port, uint32_t v) {
    wr32(hc->op, OP_PORTS + 0x10 * (uint32_t)(port - 1), v);
}
static inline void doorbell(struct xhci *hc, uint32_t slot, uint32_t target) {
    __asm__ volatile("" ::: "memory");   /* the TRBs are written before the doorbell */
    hc->db[slot] = target;
}

/* Context dword i of context n (0 = the first) in a context block. */
static inline volatile uint32_t *ctx_dw(struct xhci *hc, void *block, int n, int i) {
    return (volatile uint32_t *)((uint8_t *)block + (uint32_t)n * hc->ctx_size) + i;
}

/* xhci.c: reads every event waiting and files it (commands, transfers). */
void xhci_poll_events(struct xhci *hc);
/* xhci.c: runs one command (param, control without the cycle bit) and
 * waits for its completion. The completion code, or -1 after the time-out
 * (the controller is then marked dead: its command ring is stuck). */
int xhci_command(struct xhci *hc, uint64_t param, uint32_t control, uint8_t *slot_out);
/* xhci_transfer.c: a transfer event for ep (the TRB it names, the bytes of
 * that TRB not moved, the completion code). */
void xhci_transfer_event(struct xhci_ep *ep, uint64_t trb, uint32_t residual, uint8_t cc,
                         bool event_data);

#endif

/* NVMe, polled (see nvme.h).
 *
 * The hardware (NVM Express base specification 1.4): BAR0 holds the
 * controller's registers: CAP (capabilities: MQES the largest queue, TO the
 * ready time-out in 500 ms units, DSTRD the doorbell stride, MPSMIN the
 * smallest memory page), CC (configuration: EN, the page size, the entry
 * sizes), CSTS (status: RDY, CFS fatal), AQA/ASQ/ACQ (the admin queues),
 * and from 0x1000 the doorbells, one per queue. Commands are 64-byte
 * entries in a submission queue in RAM; the controller writes a 16-byte
 * entry into the paired completion queue, whose phase bit flips on each
 * pass through the ring, so a new entry is one whose phase is the one
 * expected. Data moves by DMA to the pages that PRP entries name: PRP1 the
 * first (any dword offset), PRP2 the second page or, for more, a page of
 * further page addresses (a PRP list).
 *
 * Bring-up: CC.EN = 0 and wait for CSTS.RDY = 0 (the firmware may have left
 * the controller running), the admin queues, CC.EN = 1 and wait for RDY;
 * IDENTIFY the controller and its active namespaces; one I/O queue pair.
 * Everything is one command at a time, waited for by polling with a
 * time-out; a controller that misses one is marked broken and every later
 * read fails at once (a late completion would confuse the rings). */
#include "drivers/nvme.h"
#include <stdbool.h>
#include <stdint.h>
#include "kernel/console.h"
#include "kernel/disk.h"
#include "kernel/io.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/pci.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

enum {
    REG_CAP = 0x00, REG_VS = 0x08, REG_INTMS = 0x0C, REG_CC = 0x14, REG_CSTS = 0x1C,
    REG_AQA = 0x24, REG_ASQ = 0x28, REG_ACQ = 0x30, REG_DOORBELLS = 0x1000,
};
enum { CC_EN = 1, CC_IOSQES = 6 << 16, CC_IOCQES = 4 << 20 };
enum { CSTS_RDY = 1, CSTS_CFS = 2 };
enum { ADMIN_CREATE_SQ = 0x01, ADMIN_CREATE_CQ = 0x05, ADMIN_IDENTIFY = 0x06, IO_READ = 0x02 };
enum { CNS_NAMESPACE = 0, CNS_CONTROLLER = 1, CNS_ACTIVE_LIST = 2 };

#define PAGE 4096u
#define QUEUE_ENTRIES 16u
#define MAX_CONTROLLERS 4
#define MAX_NAMESPACES 8            /* per controller */
#define MAX_TRANSFER (2u << 20)     /* one PRP list page: 512 pages */
#define COMMAND_TIMEOUT_NS (10ull * 1000000000)

struct sqe { uint32_t cdw0, nsid, cdw2, cdw3; uint64_t mptr, prp1, prp2; uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15; };
struct cqe { uint32_t result, reserved; uint16_t sq_head, sq_id, cid, status; };
_Static_assert(sizeof(struct sqe) == 64 && sizeof(struct cqe) == 16, "NVMe queue entries");

struct queue {
    volatile struct sqe *sq;
    volatile struct cqe *cq;
    volatile uint32_t *sq_doorbell, *cq_doorbell;
    uint16_t tail, head, phase;
};

struct controller {
    volatile uint8_t *regs;
    struct queue admin, io;
    uint64_t *prp_list;             /* one page */
    uint8_t *bounce;                /* one page, for buffers not dword-aligned */
    uint32_t max_transfer;          /* bytes per command */
    bool broken;
    char model[41], where[32];
};

struct namespace {
    struct controller *c;
    uint32_t nsid, lba_size;
};

static struct controller controllers[MAX_CONTROLLERS];
static int n_controllers;
static struct namespace namespaces[DISK_MAX];
static int n_namespaces;

static uint32_t rd32(struct controller *c, unsigned off) { return *(volatile uint32_t *)(c->regs + off); }
static void wr32(struct controller *c, unsigned off, uint32_t v) { *(volatile uint32_t *)(c->regs + off) = v; }
/* 64-bit registers as two 32-bit halves, low first: every controller takes that. */
static uint64_t rd64(struct controller *c, unsigned off) {
    return rd32(c, off) | (uint64_t)rd32(c, off + 4) << 32;
}
static void wr64(struct controller *c, unsigned off, uint64_t v) {
    wr32(c, off, (uint32_t)v);
    wr32(c, off + 4, (uint32_t)(v >> 32));
}

/* Waits until (CSTS & CSTS_RDY) == want; false on a time-out or a fatal status. */
static bool wait_ready(struct controller *c, uint32_t want, uint64_t timeout_ns) {
    uint64_t end = time_ns() + timeout_ns;
    for (;;) {
        uint32_t s = rd32(c, REG_CSTS);
        if (s == 0xFFFFFFFFu) return false;   /* the device fell off the bus */
        if ((s & CSTS_RDY) == want) return true;
        if (want && (s & CSTS_CFS)) return false;
        if (time_ns() > end) return false;
        cpu_pause();
    }
}

static void *page(void) {
    void *p = memory_alloc(PAGE, PAGE);
    if (p) memset(p, 0, PAGE);
    return p;
}

static bool queue_init(struct controller *c, struct queue *q, unsigned qid, unsigned stride) {
    q->sq = page();
    q->cq = page();
    if (!q->sq || !q->cq) return false;
    q->sq_doorbell = (volatile uint32_t *)(c->regs + REG_DOORBELLS + (2 * qid) * stride);
    q->cq_doorbell = (volatile uint32_t *)(c->regs + REG_DOORBELLS + (2 * qid + 1) * stride);
    q->tail = q->head = 0;
    q->phase = 1;
    return true;
}

/* Submits cmd on q and waits for its completion: 0, or -1 on an error status
 * or a time-out (which marks the controller broken). */
static int submit(struct controller *c, struct queue *q, struct sqe cmd) {
    if (c->broken) return -1;
    uint16_t cid = q->tail;
    cmd.cdw0 |= (uint32_t)cid << 16;
    q->sq[q->tail] = cmd;
    q->tail = (uint16_t)((q->tail + 1) % QUEUE_ENTRIES);
    __asm__ volatile("" ::: "memory");
    *q->sq_doorbell = q->tail;

    uint64_t end = time_ns() + COMMAND_TIMEOUT_NS;
    volatile struct cqe *e = &q->cq[q->head];
    while ((e->status & 1) != q->phase) {
        if (time_ns() > end) {
            c->broken = true;
            kprintf("note: nvme %s: no answer to command %#x within %llu s; the controller is left alone\n",
                    c->where, cmd.cdw0 & 0xFF, (unsigned long long)(COMMAND_TIMEOUT_NS / 1000000000));
            return -1;
        }
        cpu_pause();
    }
    __asm__ volatile("" ::: "memory");
    uint16_t status = e->status >> 1, got = e->cid;
    q->head = (uint16_t)((q->head + 1) % QUEUE_ENTRIES);
    if (q->head == 0) q->phase ^= 1;
    *q->cq_doorbell = q->head;
    if (got != cid) {
        c->broken = true;
        kprintf("note: nvme %s: completion for command %u while %u was waited for; the controller is left alone\n",
                c->where, got, cid);
        return -1;
    }
    return status == 0 ? 0 : -1;
}

static int identify(struct controller *c, uint32_t cns, uint32_t nsid, void *buf) {
    struct sqe cmd = { .cdw0 = ADMIN_IDENTIFY, .nsid = nsid, .prp1 = (uint64_t)buf, .cdw10 = cns };
    return submit(c, &c->admin, cmd);
}

/* Copies an identify string (space-padded ASCII) and trims it. */
static void copy_trimmed(char *dst, const uint8_t *src, unsigned n) {
    unsigned len = 0;
    for (unsigned i = 0; i < n; i++) {
        char ch = src[i] >= 0x20 && src[i] < 0x7F ? (char)src[i] : ' ';
        dst[i] = ch;
        if (ch != ' ') len = i + 1;
    }
    dst[len] = 0;
}

/* Reads count sectors (count * lba_size <= max_transfer) into buf. */
static int read_direct(struct namespace *ns, uint64_t lba, uint32_t count, void *buf) {
    struct controller *c = ns->c;
    uint64_t addr = (uint64_t)buf, bytes = (uint64_t)count * ns->lba_size;
    uint64_t first_page = addr & ~(uint64_t)(PAGE - 1), end = addr + bytes;
    uint64_t pages = (end - first_page + PAGE - 1) / PAGE;
    struct sqe cmd = { .cdw0 = IO_READ, .nsid = ns->nsid, .prp1 = addr,
                       .cdw10 = (uint32_t)lba, .cdw11 = (uint32_t)(lba >> 32), .cdw12 = count - 1 };
    if (pages == 2) {
        cmd.prp2 = first_page + PAGE;
    } else if (pages > 2) {
        for (uint64_t i = 1; i < pages; i++) c->prp_list[i - 1] = first_page + i * PAGE;
        cmd.prp2 = (uint64_t)c->prp_list;
    }
    return submit(c, &c->io, cmd);
}

/* struct disk's read. */
static int nvme_read(void *ctx, uint64_t lba, uint32_t count, void *buf) {
    struct namespace *ns = ctx;
    struct controller *c = ns->c;
    if (c->broken) return -1;
    uint8_t *p = buf;
    if ((uint64_t)p % 4 == 0) {
        uint32_t per = c->max_transfer / ns->lba_size;
        while (count > 0) {
            uint32_t n = count < per ? count : per;
            if (read_direct(ns, lba, n, p) != 0) return -1;
            lba += n, count -= n, p += (uint64_t)n * ns->lba_size;
        }
        return 0;
    }
    uint32_t per = PAGE / ns->lba_size;   /* through the bounce page */
    while (count > 0) {
        uint32_t n = count < per ? count : per;
        if (read_direct(ns, lba, n, c->bounce) != 0) return -1;
        memcpy(p, c->bounce, (size_t)n * ns->lba_size);
        lba += n, count -= n, p += (uint64_t)n * ns->lba_size;
    }
    return 0;
}

static void add_namespace(struct controller *c, uint32_t nsid, uint8_t *id) {
    uint64_t sectors;
    memcpy(&sectors, id, 8);                  /* NSZE */
    uint8_t flbas = id[26];
    uint8_t *lbaf = id + 128 + 4 * (flbas & 0xF);
    uint16_t metadata = (uint16_t)(lbaf[0] | lbaf[1] << 8);
    unsigned lbads = lbaf[2];
    if (sectors == 0) return;                 /* allocated but not attached */
    if (lbads < 9 || lbads > 12 || ((flbas & 0x10) && metadata)) {
        kprintf("note: nvme %s namespace %u: %u-byte blocks%s; skipped\n", c->where, nsid,
                lbads < 32 ? 1u << lbads : 0, metadata && (flbas & 0x10) ? " with metadata inline" : "");
        return;
    }
    if (n_namespaces == DISK_MAX) return;
    struct namespace *ns = &namespaces[n_namespaces];
    *ns = (struct namespace){ c, nsid, 1u << lbads };
    struct disk d = { .sector_size = ns->lba_size, .sectors = sectors, .ctx = ns, .read = nvme_read,
                      .max_sectors = 0xFFFFFFFFu / ns->lba_size };
    fmt_snprintf(d.name, sizeof d.name, "nvme%d", n_namespaces);
    fmt_snprintf(d.model, sizeof d.model, "%s", c->model);
    n_namespaces++;
    char size[32];
    disk_format_size(sectors * ns->lba_size, size, sizeof size);
    kdetail("disk: %s: %s, %s (%llu sectors of %u bytes), NVMe namespace %u at %s\n", d.name, d.model,
            size, (unsigned long long)sectors, ns->lba_size, nsid, c->where);
    disk_register(&d);
}

/* Brings controller c up and registers its namespaces; a reason when not. */
static const char *bring_up(struct controller *c) {
    uint64_t cap = rd64(c, REG_CAP);
    if (cap == ~0ull) return "its registers read all ones";
    if (!(cap >> 37 & 1)) return "it does not offer the NVM command set";
    if ((cap >> 48 & 0xF) != 0) return "its smallest memory page is larger than 4 KiB";
    unsigned stride = 4u << (cap >> 32 & 0xF);
    uint64_t timeout = (cap >> 24 & 0xFF) * 500000000ull;
    if (timeout < 1000000000ull) timeout = 1000000000ull;

    wr32(c, REG_INTMS, 0xFFFFFFFFu);          /* polled: no interrupts */
    if (rd32(c, REG_CC) & CC_EN) wr32(c, REG_CC, 0);
    if (!wait_ready(c, 0, timeout)) return "it did not stop (CSTS.RDY stayed 1) after CC.EN = 0";

    if (!queue_init(c, &c->admin, 0, stride) || !queue_init(c, &c->io, 1, stride) ||
        !(c->prp_list = page()) || !(c->bounce = page()))
        return "no memory for its queues";
    wr32(c, REG_AQA, (QUEUE_ENTRIES - 1) << 16 | (QUEUE_ENTRIES - 1));
    wr64(c, REG_ASQ, (uint64_t)c->admin.sq);
    wr64(c, REG_ACQ, (uint64_t)c->admin.cq);
    wr32(c, REG_CC, CC_EN | CC_IOSQES | CC_IOCQES);   /* 4 KiB pages, NVM command set */
    if (!wait_ready(c, 1, timeout)) return "it did not become ready (CSTS.RDY) after CC.EN = 1";

    uint8_t *id = page();
    if (!id) return "no memory";
    if (identify(c, CNS_CONTROLLER, 0, id) != 0) return "IDENTIFY controller failed";
    copy_trimmed(c->model, id + 24, 40);
    uint8_t mdts = id[77];
    uint32_t nn;
    memcpy(&nn, id + 516, 4);
    c->max_transfer = MAX_TRANSFER;
    if (mdts && mdts < 20 && (PAGE << mdts) < c->max_transfer) c->max_transfer = PAGE << mdts;

    uint32_t entries = (uint32_t)(cap & 0xFFFF) + 1;
    if (entries < QUEUE_ENTRIES) return "its queues are shorter than 16 entries";
    struct sqe cq = { .cdw0 = ADMIN_CREATE_CQ, .prp1 = (uint64_t)c->io.cq,
                      .cdw10 = (QUEUE_ENTRIES - 1) << 16 | 1, .cdw11 = 1 /* contiguous, no interrupt */ };
    struct sqe sq = { .cdw0 = ADMIN_CREATE_SQ, .prp1 = (uint64_t)c->io.sq,
                      .cdw10 = (QUEUE_ENTRIES - 1) << 16 | 1, .cdw11 = 1u << 16 | 1 /* CQ 1, contiguous */ };
    if (submit(c, &c->admin, cq) != 0 || submit(c, &c->admin, sq) != 0) return "creating the I/O queues failed";

    /* The active namespaces: the list (NVMe 1.1 and later), else 1..nn. */
    uint32_t list[MAX_NAMESPACES];
    int n = 0;
    uint8_t *ids = page();
    if (!ids) return "no memory";
    if (rd32(c, REG_VS) >= 0x10100 && identify(c, CNS_ACTIVE_LIST, 0, ids) == 0) {
        for (int i = 0; i < MAX_NAMESPACES; i++) {
            memcpy(&list[n], ids + 4 * i, 4);
            if (list[n] == 0) break;
            n++;
        }
    } else {
        if (c->broken) return "IDENTIFY active namespaces timed out";
        for (uint32_t i = 1; i <= nn && n < MAX_NAMESPACES; i++) list[n++] = i;
    }
    if (n == 0) kprintf("note: nvme %s (%s): no active namespace\n", c->where, c->model);
    for (int i = 0; i < n && !c->broken; i++)
        if (identify(c, CNS_NAMESPACE, list[i], id) == 0) add_namespace(c, list[i], id);
    return c->broken ? "it stopped answering" : 0;
}

static bool probe(const struct pci_dev *d, void *ctx) {
    (void)ctx;
    if (d->class_code != 0x01 || d->subclass != 0x08 || d->prog_if != 0x02) return true;
    char where[32];
    pci_name(d, where, sizeof where);
    if (n_controllers == MAX_CONTROLLERS) {
        kprintf("note: nvme %s: more than %d NVMe controllers; skipped\n", where, MAX_CONTROLLERS);
        return true;
    }
    uint64_t size, bar = pci_bar(d, 0, &size);
    if (!bar || size < 0x2000) {
        kprintf("note: nvme %s: BAR0 is not assigned (%#llx, %llu bytes); skipped\n", where,
                (unsigned long long)bar, (unsigned long long)size);
        return true;
    }
    struct controller *c = &controllers[n_controllers];
    memset(c, 0, sizeof *c);
    memcpy(c->where, where, sizeof where);
    c->regs = paging_map_mmio(bar, size);
    if (!c->regs) {
        kprintf("note: nvme %s: its registers at %#llx cannot be mapped; skipped\n", where,
                (unsigned long long)bar);
        return true;
    }
    pci_enable(d);
    n_controllers++;
    const char *why = bring_up(c);
    if (why) {
        c->broken = true;
        kprintf("note: nvme %s%s%s%s: %s; skipped\n", where, c->model[0] ? " (" : "", c->model,
                c->model[0] ? ")" : "", why);
    }
    return true;
}

void nvme_init(void) { pci_scan(probe, 0); }

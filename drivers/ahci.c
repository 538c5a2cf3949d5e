/* AHCI, polled (see ahci.h).
 *
 * The hardware (Serial ATA AHCI 1.3.1): BAR5 ("ABAR") holds the HBA's
 * registers: CAP (ports, 64-bit addressing S64A, staggered spin-up SSS),
 * GHC (AHCI enable AE, reset HR), PI (which ports exist), CAP2/BOHC (the
 * BIOS/OS handoff), then 0x80 bytes per port from 0x100: the command list
 * and received-FIS addresses (CLB, FB), IS (interrupt status, polled here:
 * TFES is a device error), CMD (ST runs the command list, FRE receives
 * FISes; CR and FR say whether they still run), TFD (the device's ATA
 * status), SIG (what the device is), SSTS/SCTL/SERR (the SATA link: DET = 3
 * is a device with a link; SCTL.DET = 1 then 0 is a COMRESET) and CI (a bit
 * per command slot, set to issue, cleared by the HBA when done).
 *
 * A command is a FIS (the ATA taskfile: command, LBA, count) in a command
 * table, with a scatter list of physical pieces for the data, named by slot
 * 0 of the command list. SATA disks read with READ DMA EXT (48-bit LBA).
 * ATAPI drives (CD/DVD) take SCSI commands in a PACKET: READ CAPACITY,
 * READ(10).
 *
 * Bring-up: take the controller from the firmware (BOHC.OOS, where CAP2.BOH
 * says the firmware may hold it), reset it (GHC.HR), enable AHCI, then for
 * each port: stop it (ST and FRE off, wait for CR and FR), give it its
 * memory, receive FISes, COMRESET the link, wait for the device to leave
 * BSY, start it, IDENTIFY it. One command at a time, polled with a
 * time-out; a failed command goes through AHCI's error recovery (stop,
 * clear errors, COMRESET if the device is stuck, start), and a port that
 * does not recover is left alone. */
#include "drivers/ahci.h"
#include <stdbool.h>
#include <stdint.h>
#include "drivers/ata.h"
#include "kernel/console.h"
#include "kernel/disk.h"
#include "kernel/io.h"
#include "kernel/memory.h"
#include "kernel/paging.h"
#include "kernel/pci.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

enum { CAP = 0x00, GHC = 0x04, PI = 0x0C, CAP2 = 0x24, BOHC = 0x28 };
enum { CAP_SSS = 1u << 27, CAP_S64A = 1u << 31 };
enum { GHC_HR = 1u << 0, GHC_IE = 1u << 1, GHC_AE = 1u << 31 };
enum { CAP2_BOH = 1u << 0 };
enum { BOHC_BOS = 1u << 0, BOHC_OOS = 1u << 1, BOHC_BB = 1u << 4 };

enum { PX_CLB = 0x00, PX_CLBU = 0x04, PX_FB = 0x08, PX_FBU = 0x0C, PX_IS = 0x10, PX_IE = 0x14,
       PX_CMD = 0x18, PX_TFD = 0x20, PX_SIG = 0x24, PX_SSTS = 0x28, PX_SCTL = 0x2C, PX_SERR = 0x30,
       PX_CI = 0x38 };
enum { CMD_ST = 1u << 0, CMD_SUD = 1u << 1, CMD_POD = 1u << 2, CMD_FRE = 1u << 4,
       CMD_FR = 1u << 14, CMD_CR = 1u << 15 };
enum { IS_TFES = 1u << 30, IS_FATAL = 0x78000000u /* TFES, HBFS, HBDS, IFS */ };

#define MS 1000000ull
#define COMMAND_TIMEOUT (10000 * MS)
#define SPINUP_TIMEOUT (10000 * MS)
#define MAX_PORTS (DISK_MAX)
#define PAGE 4096u

struct port {
    volatile uint8_t *regs;
    struct ahci_cmd_header *list;   /* 32 headers, 1 KiB */
    uint8_t *fis;                   /* received FISes, 256 bytes */
    struct ahci_cmd_table *table;
    uint8_t *bounce;                /* one page: IDENTIFY data, odd buffers */
    bool s64, atapi, dead;
    uint32_t sector_size;
    int number;
    char where[40];
};

static struct port ports[MAX_PORTS];
static int n_ports, n_sata, n_cd;

static uint32_t rd(volatile uint8_t *base, unsigned off) { return *(volatile uint32_t *)(base + off); }
static void wr(volatile uint8_t *base, unsigned off, uint32_t v) { *(volatile uint32_t *)(base + off) = v; }

/* Waits until (register & mask) == want; false on a time-out. */
static bool wait_reg(volatile uint8_t *base, unsigned off, uint32_t mask, uint32_t want, uint64_t ns) {
    uint64_t end = time_ns() + ns;
    while ((rd(base, off) & mask) != want)
        if (time_ns() > end) return false;
        else cpu_pause();
    return true;
}

/* Stops the command list and FIS receive; false when they do not stop. */
static bool port_stop(struct port *p) {
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) & ~CMD_ST);
    if (!wait_reg(p->regs, PX_CMD, CMD_CR, 0, 500 * MS)) return false;
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) & ~CMD_FRE);
    return wait_reg(p->regs, PX_CMD, CMD_FR, 0, 500 * MS);
}

/* COMRESET, then the link: true when a device has one (DET = 3). */
static bool port_comreset(struct port *p) {
    uint32_t sctl = rd(p->regs, PX_SCTL) & ~0xFu;
    wr(p->regs, PX_SCTL, sctl | 0x300 | 1);   /* DET = 1: COMRESET; IPM: no power saving */
    time_delay_us(1000);
    wr(p->regs, PX_SCTL, sctl | 0x300);
    /* A device shows within 10 ms (DET 1), its link soon after (DET 3). */
    uint64_t t0 = time_ns();
    for (;;) {
        uint32_t det = rd(p->regs, PX_SSTS) & 0xF;
        if (det == 3) break;
        uint64_t waited = time_ns() - t0;
        if ((det == 0 && waited > 20 * MS) || waited > 1000 * MS) return false;
        cpu_pause();
    }
    wr(p->regs, PX_SERR, 0xFFFFFFFFu);   /* DIAG.X etc.: TFD updates again */
    return true;
}

/* Waits for the device to leave BSY and DRQ, then starts the command list. */
static bool port_start(struct port *p, uint64_t timeout) {
    if (!wait_reg(p->regs, PX_TFD, ATA_STATUS_BSY | ATA_STATUS_DRQ, 0, timeout)) return false;
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) | CMD_FRE | CMD_ST);
    return true;
}

/* AHCI 6.2.2.1, non-queued error recovery; a port that fails it is dead. */
static void port_recover(struct port *p) {
    bool ok = port_stop(p);
    wr(p->regs, PX_SERR, 0xFFFFFFFFu);
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    if (ok) {
        wr(p->regs, PX_CMD, rd(p->regs, PX_CMD) | CMD_FRE);
        if (rd(p->regs, PX_TFD) & (ATA_STATUS_BSY | ATA_STATUS_DRQ)) ok = port_comreset(p);
    }
    if (ok) ok = port_start(p, 2000 * MS);
    if (!ok) {
        p->dead = true;
        kprintf("note: ahci %s: the device does not recover from an error; left alone\n", p->where);
    }
}

/* Issues one command in slot 0: the FIS fields, an ATAPI packet (cdb, or
 * 0), bytes into buf (identity-mapped, even address). 0, or -1 on an error
 * or a time-out. */
static int command(struct port *p, const struct fis_h2d *fis, const uint8_t *cdb, void *buf, uint32_t bytes) {
    if (p->dead) return -1;
    struct ahci_cmd_table *t = p->table;
    memset(t, 0, sizeof *t);
    memcpy(t->fis, fis, sizeof *fis);
    if (cdb) memcpy(t->atapi, cdb, 12);
    if (bytes) t->prd[0] = (struct ahci_prd){ (uint64_t)buf, 0, bytes - 1 };
    p->list[0] = (struct ahci_cmd_header){
        .flags = (uint16_t)(sizeof *fis / 4 | (cdb ? AHCI_CMD_ATAPI : 0)),
        .prdt_length = bytes ? 1 : 0,
        .table = (uint64_t)t,
    };
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    __asm__ volatile("" ::: "memory");
    wr(p->regs, PX_CI, 1);

    uint64_t end = time_ns() + COMMAND_TIMEOUT;
    for (;;) {
        uint32_t is = rd(p->regs, PX_IS);
        if (is & IS_FATAL) break;
        if (!(rd(p->regs, PX_CI) & 1)) {
            __asm__ volatile("" ::: "memory");
            uint32_t status = rd(p->regs, PX_TFD) & 0xFF;
            if (!(status & (ATA_STATUS_ERR | ATA_STATUS_BSY | ATA_STATUS_DRQ))) return 0;
            break;
        }
        if (time_ns() > end) {
            kprintf("note: ahci %s: no answer to command %#x within %llu s\n", p->where, fis->command,
                    (unsigned long long)(COMMAND_TIMEOUT / 1000000000));
            break;
        }
        cpu_pause();
    }
    port_recover(p);
    return -1;
}

static struct fis_h2d fis_for(uint8_t command_code) {
    return (struct fis_h2d){ .type = FIS_TYPE_H2D, .flags = FIS_H2D_COMMAND, .command = command_code };
}

/* Whether the buffer can take DMA straight away. */
static bool dma_ok(const struct port *p, const void *buf, uint64_t bytes) {
    uint64_t a = (uint64_t)buf;
    return a % 4 == 0 && (p->s64 || a + bytes <= (1ull << 32));
}

static int read_direct(struct port *p, uint64_t lba, uint32_t count, void *buf) {
    uint32_t bytes = count * p->sector_size;
    if (p->atapi) {
        uint8_t cdb[12] = { SCSI_READ_10, 0, (uint8_t)(lba >> 24), (uint8_t)(lba >> 16), (uint8_t)(lba >> 8),
                            (uint8_t)lba, 0, (uint8_t)(count >> 8), (uint8_t)count, 0, 0, 0 };
        struct fis_h2d f = fis_for(ATA_PACKET);
        f.features = 1;   /* DMA */
        f.lba1 = 0xFE;    /* byte count limit (for PIO; harmless) */
        f.lba2 = 0xFF;
        return command(p, &f, cdb, buf, bytes);
    }
    struct fis_h2d f = fis_for(ATA_READ_DMA_EXT);
    f.lba0 = (uint8_t)lba, f.lba1 = (uint8_t)(lba >> 8), f.lba2 = (uint8_t)(lba >> 16);
    f.lba3 = (uint8_t)(lba >> 24), f.lba4 = (uint8_t)(lba >> 32), f.lba5 = (uint8_t)(lba >> 40);
    f.device = ATA_DEVICE_LBA;
    f.count = (uint8_t)count, f.count_hi = (uint8_t)(count >> 8);
    return command(p, &f, 0, buf, bytes);
}

/* struct disk's read: count <= max_sectors (4 MiB, one scatter entry). */
static int ahci_read(void *ctx, uint64_t lba, uint32_t count, void *buf) {
    struct port *p = ctx;
    if (p->dead) return -1;
    if (dma_ok(p, buf, (uint64_t)count * p->sector_size)) return read_direct(p, lba, count, buf);
    uint8_t *out = buf;
    uint32_t per = PAGE / p->sector_size;   /* through the bounce page */
    while (count > 0) {
        uint32_t n = count < per ? count : per;
        if (read_direct(p, lba, n, p->bounce) != 0) return -1;
        memcpy(out, p->bounce, (size_t)n * p->sector_size);
        lba += n, count -= n, out += (size_t)n * p->sector_size;
    }
    return 0;
}

/* An IDENTIFY string: words of two bytes, each word's bytes swapped. */
static void identify_string(char *dst, const uint8_t *id, unsigned word, unsigned words) {
    unsigned len = 0;
    for (unsigned i = 0; i < 2 * words; i++) {
        uint8_t b = id[2 * word + (i ^ 1)];
        dst[i] = b >= 0x20 && b < 0x7F ? (char)b : ' ';
        if (dst[i] != ' ') len = i + 1;
    }
    dst[len] = 0;
}

static uint16_t word_at(const uint8_t *id, unsigned w) { return (uint16_t)(id[2 * w] | id[2 * w + 1] << 8); }

/* ATAPI: the disc's size, after the unit attention a reset leaves. */
static bool read_capacity(struct port *p, uint64_t *sectors, uint32_t *block) {
    for (int attempt = 0; attempt < 4; attempt++) {
        uint8_t cdb[12] = { SCSI_READ_CAPACITY_10 };
        struct fis_h2d f = fis_for(ATA_PACKET);
        f.features = 1;
        f.lba1 = 8;
        if (command(p, &f, cdb, p->bounce, 8) == 0) {
            const uint8_t *r = p->bounce;
            uint32_t last = (uint32_t)r[0] << 24 | r[1] << 16 | r[2] << 8 | r[3];
            *block = (uint32_t)r[4] << 24 | r[5] << 16 | r[6] << 8 | r[7];
            *sectors = (uint64_t)last + 1;
            return true;
        }
        if (p->dead) return false;
        time_delay_us(50000);
    }
    return false;
}

static void register_device(struct port *p, const uint8_t *id, uint64_t sectors) {
    struct disk d = { .sector_size = p->sector_size, .sectors = sectors, .ctx = p, .read = ahci_read,
                      .max_sectors = AHCI_PRD_MAX / p->sector_size };
    if (p->atapi) fmt_snprintf(d.name, sizeof d.name, "cd%d", n_cd++);
    else fmt_snprintf(d.name, sizeof d.name, "sata%d", n_sata++);
    identify_string(d.model, id, 27, 20);
    char size[32];
    disk_format_size(sectors * p->sector_size, size, sizeof size);
    kdetail("disk: %s: %s, %s (%llu sectors of %u bytes), %s at %s\n", d.name, d.model, size,
            (unsigned long long)sectors, p->sector_size, p->atapi ? "ATAPI" : "SATA", p->where);
    disk_register(&d);
}

/* Brings up port i of the controller; a note when a device is skipped. */
static void port_init(volatile uint8_t *hba, int i, uint32_t cap, const char *where) {
    if (n_ports == MAX_PORTS) return;
    struct port *p = &ports[n_ports];
    memset(p, 0, sizeof *p);
    p->regs = hba + 0x100 + 0x80 * i;
    p->s64 = cap & CAP_S64A;
    p->number = i;
    fmt_snprintf(p->where, sizeof p->where, "port %d at %s", i, where);
    if (!port_stop(p)) {
        kprintf("note: ahci %s: the port does not stop (PxCMD.CR/FR stay set); skipped\n", p->where);
        return;
    }
    uint8_t *mem = memory_alloc(PAGE, PAGE);
    p->bounce = memory_alloc(PAGE, PAGE);
    if (!mem || !p->bounce || (!p->s64 && ((uint64_t)mem >> 32 || (uint64_t)p->bounce >> 32))) {
        kprintf("note: ahci %s: no memory it can reach; skipped\n", p->where);
        return;
    }
    memset(mem, 0, PAGE);
    p->list = (struct ahci_cmd_header *)mem;
    p->fis = mem + 1024;
    p->table = (struct ahci_cmd_table *)(mem + 2048);
    wr(p->regs, PX_CLB, (uint32_t)(uint64_t)p->list);
    wr(p->regs, PX_CLBU, (uint32_t)((uint64_t)p->list >> 32));
    wr(p->regs, PX_FB, (uint32_t)(uint64_t)p->fis);
    wr(p->regs, PX_FBU, (uint32_t)((uint64_t)p->fis >> 32));
    wr(p->regs, PX_IE, 0);
    wr(p->regs, PX_SERR, 0xFFFFFFFFu);
    wr(p->regs, PX_IS, 0xFFFFFFFFu);
    uint32_t cmd = rd(p->regs, PX_CMD) | CMD_FRE | CMD_POD;
    if (cap & CAP_SSS) cmd |= CMD_SUD;
    wr(p->regs, PX_CMD, cmd);

    if (!port_comreset(p)) return;   /* nothing attached */
    if (!port_start(p, SPINUP_TIMEOUT)) {
        kprintf("note: ahci %s: the device stays busy (status %#x) after %llu s; skipped\n", p->where,
                rd(p->regs, PX_TFD) & 0xFF, (unsigned long long)(SPINUP_TIMEOUT / 1000000000));
        return;
    }
    uint32_t sig = rd(p->regs, PX_SIG);
    p->atapi = sig == SATA_SIG_ATAPI;
    struct fis_h2d f = fis_for(p->atapi ? ATA_IDENTIFY_PACKET : ATA_IDENTIFY);
    if (command(p, &f, 0, p->bounce, 512) != 0) {
        if (sig == SATA_SIG_ATA || sig == SATA_SIG_ATAPI || p->dead) {
            kprintf("note: ahci %s: IDENTIFY failed (signature %#x); skipped\n", p->where, sig);
            return;
        }
        p->atapi = !p->atapi;   /* an odd signature: try the other kind */
        f = fis_for(p->atapi ? ATA_IDENTIFY_PACKET : ATA_IDENTIFY);
        if (command(p, &f, 0, p->bounce, 512) != 0) {
            kprintf("note: ahci %s: the device answers neither IDENTIFY (signature %#x); skipped\n", p->where, sig);
            return;
        }
    }
    uint8_t id[512];
    memcpy(id, p->bounce, sizeof id);
    uint64_t sectors;
    if (p->atapi) {
        if (((word_at(id, 0) >> 8) & 0x1F) != 5) {
            kprintf("note: ahci %s: an ATAPI device that is not a CD/DVD drive; skipped\n", p->where);
            return;
        }
        uint32_t block;
        if (!read_capacity(p, &sectors, &block)) {
            if (!p->dead) kprintf("note: ahci %s: CD/DVD drive with no readable disc; skipped\n", p->where);
            return;
        }
        if (block != 2048) {
            kprintf("note: ahci %s: a disc with %u-byte blocks; skipped\n", p->where, block);
            return;
        }
        p->sector_size = 2048;
    } else {
        p->sector_size = 512;
        uint16_t w106 = word_at(id, 106);
        if ((w106 & 0xC000) == 0x4000 && (w106 & (1 << 12)))
            p->sector_size = 2 * (word_at(id, 117) | (uint32_t)word_at(id, 118) << 16);
        if (word_at(id, 83) & (1 << 10))
            sectors = word_at(id, 100) | (uint64_t)word_at(id, 101) << 16 | (uint64_t)word_at(id, 102) << 32 |
                      (uint64_t)word_at(id, 103) << 48;
        else
            sectors = word_at(id, 60) | (uint32_t)word_at(id, 61) << 16;
        if (p->sector_size != 512 && p->sector_size != 4096) {
            kprintf("note: ahci %s: %u-byte sectors; skipped\n", p->where, p->sector_size);
            return;
        }
    }
    if (sectors == 0) return;
    n_ports++;
    register_device(p, id, sectors);
}

/* Takes the HBA from the firmware, where the firmware says it may hold it. */
static void handoff(volatile uint8_t *hba, const char *where) {
    if (!(rd(hba, CAP2) & CAP2_BOH)) return;
    wr(hba, BOHC, rd(hba, BOHC) | BOHC_OOS);
    if (!wait_reg(hba, BOHC, BOHC_BOS, 0, 25 * MS) ||
        ((rd(hba, BOHC) & BOHC_BB) && !wait_reg(hba, BOHC, BOHC_BB, 0, 2000 * MS)))
        kprintf("note: ahci %s: the firmware did not hand the controller over; taking it anyway\n", where);
}

static bool probe(const struct pci_dev *d, void *ctx) {
    (void)ctx;
    if (d->class_code != 0x01 || d->subclass != 0x06 || d->prog_if != 0x01) return true;
    char where[32];
    pci_name(d, where, sizeof where);
    uint64_t size, bar = pci_bar(d, 5, &size);
    if (!bar || size < 0x180) {
        kprintf("note: ahci %s: BAR5 is not assigned; skipped\n", where);
        return true;
    }
    volatile uint8_t *hba = paging_map_mmio(bar, size);
    if (!hba) {
        kprintf("note: ahci %s: its registers at %#llx cannot be mapped; skipped\n", where, (unsigned long long)bar);
        return true;
    }
    pci_enable(d);
    handoff(hba, where);

    uint32_t pi = rd(hba, PI);
    wr(hba, GHC, GHC_AE);
    wr(hba, GHC, GHC_AE | GHC_HR);
    if (!wait_reg(hba, GHC, GHC_HR, 0, 1000 * MS)) {
        kprintf("note: ahci %s: the controller did not finish its reset (GHC.HR) within 1 s; skipped\n", where);
        return true;
    }
    wr(hba, GHC, GHC_AE);   /* interrupts stay off: polled */
    if (rd(hba, PI) == 0) wr(hba, PI, pi);   /* some keep PI only until a reset */
    uint32_t cap = rd(hba, CAP);
    pi = rd(hba, PI);
    int max = (int)(size > 0x100 ? (size - 0x100) / 0x80 : 0);
    for (int i = 0; i < 32 && i < max; i++)
        if (pi >> i & 1) port_init(hba, i, cap, where);
    return true;
}

void ahci_init(void) { pci_scan(probe, 0); }

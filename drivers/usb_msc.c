/* USB mass storage over Bulk-Only Transport (see usb_msc.h).
 *
 * A command (drivers/usb_scsi.h): the CBW on bulk OUT, the data on bulk IN
 * or OUT, the CSW on bulk IN. A stall of the data stage is cleared and the
 * CSW still read; a CSW that does not come, or makes no sense, calls for
 * the reset recovery of the specification (BOT 5.3.4): the class request
 * Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT) on both
 * bulk endpoints. A command that failed (CSW status 1) is followed by
 * REQUEST SENSE, which also clears the condition (a "unit attention" after
 * a reset, "not ready" while a medium spins up).
 *
 * Bringing a unit up: INQUIRY (a disk or a CD, and its name), TEST UNIT
 * READY until it is ready (at most 5 s), READ CAPACITY (10), and (16) when
 * the disk is 2 TiB or more, and one read of the first sector to see that
 * reads work. Reads then go straight to the caller's buffer by DMA, at
 * most 64 KiB a command; through a bounce buffer only for a controller
 * without 64-bit addresses and a buffer above 4 GiB. A read that fails
 * three times marks the unit failed: every later read returns -1 at once,
 * so a dead stick costs seconds, not a hang per sector. */
#include "drivers/usb_msc.h"
#include "drivers/usb_scsi.h"
#include "kernel/console.h"
#include "kernel/disk.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/libc.h"

#define MAX_UNITS 8
#define MAX_LUNS 4
#define TRANSFER (64u * 1024)
#define MS 1000000ull

/* Offsets in the device's class area (dev->buf + USB_CONTROL_MAX). */
enum { AREA_CBW = 0, AREA_CSW = 64, AREA_DATA = 128 };   /* AREA_DATA: 256 bytes of answers */

struct usb_msc {
    struct usb_device *dev;     /* 0 once the device is gone */
    struct xhci_ep *in, *out;
    uint8_t in_addr, out_addr, iface, lun;
    uint32_t tag;
    uint32_t sector_size;
    bool failed;
    char name[16];              /* its disk's name */
};

static struct usb_msc units[MAX_UNITS];
/* In the kernel image, so below 4 GiB: every controller reaches it. The
 * first read of each unit, and reads for a 32-bit controller into memory
 * above 4 GiB, go through it. */
static uint8_t bounce[TRANSFER] __attribute__((aligned(4096)));
static int n_names;             /* usb0, usb1...: never reused, so a name means one stick */

static uint8_t *area(struct usb_msc *m) { return m->dev->buf + USB_CONTROL_MAX; }

static void reset_recovery(struct usb_msc *m) {
    struct usb_device *d = m->dev;
    usb_control(d, 0x21, 0xFF /* Bulk-Only Mass Storage Reset */, 0, m->iface, 0, 0, 0);
    usb_clear_halt(d, m->in, m->in_addr);
    usb_clear_halt(d, m->out, m->out_addr);
}

/* One command: 0 passed, 1 failed (sense data waits), -1 no good answer
 * (the device was reset). *got: data bytes moved. */
static int command(struct usb_msc *m, const uint8_t *cdb, uint8_t cdb_len, void *data, uint32_t len,
                   uint32_t timeout_ms, uint32_t *got) {
    if (!m->dev) return -1;
    uint8_t *cbw = area(m) + AREA_CBW, *csw = area(m) + AREA_CSW;
    uint32_t tag = ++m->tag, n = 0;
    *got = 0;
    bot_cbw(cbw, tag, len, true, m->lun, cdb, cdb_len);
    if (xhci_transfer(m->out, cbw, BOT_CBW_SIZE, 1000, 0) != XHCI_OK) {
        reset_recovery(m);
        return -1;
    }
    if (len) {
        int r = xhci_transfer(m->in, data, len, timeout_ms, got);
        if (r == XHCI_STALL) {
            usb_clear_halt(m->dev, m->in, m->in_addr);
        } else if (r != XHCI_OK) {
            reset_recovery(m);
            return -1;
        }
    }
    int r = xhci_transfer(m->in, csw, BOT_CSW_SIZE, 1000, &n);
    if (r == XHCI_STALL) {   /* BOT 6.7.2: clear it and try the CSW once more */
        usb_clear_halt(m->dev, m->in, m->in_addr);
        r = xhci_transfer(m->in, csw, BOT_CSW_SIZE, 1000, &n);
    }
    uint32_t residue = 0;
    enum bot_status s = r == XHCI_OK ? bot_csw(csw, n, tag, &residue) : BOT_INVALID;
    if (s == BOT_PASSED) return 0;
    if (s == BOT_FAILED) return 1;
    reset_recovery(m);
    return -1;
}

/* REQUEST SENSE: false when it fails; the key and codes otherwise. */
static bool sense(struct usb_msc *m, uint8_t *key, uint8_t *asc, uint8_t *ascq) {
    uint8_t cdb[16], *b = area(m) + AREA_DATA;
    uint32_t got;
    uint8_t len = scsi_request_sense(cdb, 18);
    return command(m, cdb, len, b, 18, 1000, &got) == 0 && scsi_parse_sense(b, got, key, asc, ascq);
}

/* A command with an answer in the area; REQUEST SENSE after a failure, and
 * one more try. 0 or -1. */
static int ask(struct usb_msc *m, const uint8_t *cdb, uint8_t cdb_len, uint32_t len, uint32_t *got) {
    for (int attempt = 0; attempt < 2; attempt++) {
        int r = command(m, cdb, cdb_len, area(m) + AREA_DATA, len, 1000, got);
        if (r == 0) return 0;
        uint8_t key, asc, ascq;
        if (r == 1) sense(m, &key, &asc, &ascq);
    }
    return -1;
}

static int read_sectors(void *ctx, uint64_t lba, uint32_t count, void *buf) {
    struct usb_msc *m = ctx;
    if (!m->dev || m->failed) return -1;
    if (count == 0) return 0;
    uint32_t len = count * m->sector_size;
    if (len > TRANSFER) return -1;
    bool via_bounce = !xhci_reaches(m->dev->hc, buf, len);
    uint8_t cdb[16];
    uint8_t cdb_len = scsi_read(cdb, lba, count);
    for (int attempt = 0; attempt < 3 && m->dev; attempt++) {
        uint32_t got = 0;
        int r = command(m, cdb, cdb_len, via_bounce ? bounce : buf, len, 5000, &got);
        if (r == 0 && got == len) {
            if (via_bounce) memcpy(buf, bounce, len);
            return 0;
        }
        uint8_t key, asc, ascq;
        if (r == 1) sense(m, &key, &asc, &ascq);
    }
    m->failed = true;
    if (m->dev && m->name[0]) kprintf("note: %s: reads keep failing; the disk is left alone from now on\n", m->name);
    return -1;
}

/* Waits (at most 5 s) for the unit to be ready: 0, or why not. */
static const char *wait_ready(struct usb_msc *m) {
    uint64_t end = time_ns() + 5000 * MS;
    for (;;) {
        uint8_t cdb[16], key = 0, asc = 0, ascq = 0;
        uint32_t got;
        int r = command(m, cdb, scsi_test_unit_ready(cdb), 0, 0, 1000, &got);
        if (r == 0) return 0;
        if (r == 1 && sense(m, &key, &asc, &ascq)) {
            if (key == 2 && asc == 0x3A) return "no medium";
            if (key == 6) continue;   /* unit attention (a reset, a medium change): ask again */
        }
        if (time_ns() > end) return "not ready within 5 s";
        time_delay_us(100000);
    }
}

/* Brings up one unit; registers it as a disk. 0, or why not. */
static const char *start_unit(struct usb_msc *m, char *model, size_t model_size) {
    uint8_t cdb[16];
    uint32_t got;
    if (ask(m, cdb, scsi_inquiry(cdb, 36), 36, &got) != 0) return "it did not answer INQUIRY";
    struct scsi_inquiry_info inq;
    const char *why = scsi_parse_inquiry(area(m) + AREA_DATA, got, &inq);
    if (why) return why;
    if (inq.device_type != 0 && inq.device_type != 5 && inq.device_type != 7 && inq.device_type != 0x0E)
        return "it is not a disk or an optical drive";
    fmt_snprintf(model, model_size, "%s", inq.model[0] ? inq.model : "USB disk");
    if ((why = wait_ready(m))) return why;
    uint64_t sectors;
    uint32_t size;
    bool need16;
    if (ask(m, cdb, scsi_read_capacity10(cdb), 8, &got) != 0) return "it did not answer READ CAPACITY";
    if ((why = scsi_parse_capacity10(area(m) + AREA_DATA, got, &sectors, &size, &need16))) return why;
    if (need16) {
        if (ask(m, cdb, scsi_read_capacity16(cdb, 32), 32, &got) != 0) return "it did not answer READ CAPACITY (16)";
        if ((why = scsi_parse_capacity16(area(m) + AREA_DATA, got, &sectors, &size))) return why;
    }
    m->sector_size = size;
    if (size > TRANSFER) return "its sectors are larger than 64 KiB";
    if (read_sectors(m, 0, 1, bounce) != 0) return "its first sector could not be read";

    struct disk disk = {.sector_size = size, .sectors = sectors, .max_sectors = TRANSFER / size,
                        .ctx = m, .read = read_sectors};
    fmt_snprintf(disk.name, sizeof disk.name, "usb%d", n_names++);
    fmt_snprintf(m->name, sizeof m->name, "%s", disk.name);
    fmt_snprintf(disk.model, sizeof disk.model, "%s", model);
    disk_register(&disk);
    char where[64], bytes[32];
    usb_where(m->dev, where, sizeof where);
    disk_format_size(sectors * size, bytes, sizeof bytes);
    kprintf("disk: %s: %s, %s (%llu sectors of %u bytes), USB on %s", disk.name, disk.model, bytes,
            (unsigned long long)sectors, size, where);
    if (m->lun) kprintf(", unit %u", m->lun);
    kprintf("\n");
    return 0;
}

const char *usb_msc_start(struct usb_device *d, const struct usb_interface_info *iface) {
    const struct usb_endpoint_info *in = 0, *out = 0;
    for (int i = 0; i < iface->n_endpoints; i++) {
        const struct usb_endpoint_info *e = &iface->ep[i];
        if ((e->attributes & 3) != 2 || e->max_packet == 0) continue;
        if (e->address & 0x80) { if (!in) in = e; }
        else if (!out) out = e;
    }
    if (!in || !out) return "its storage interface lacks a bulk IN or OUT endpoint";
    struct xhci_ep_desc eps[2] = {
        {in->address, XHCI_EP_BULK_IN, in->max_packet, 0, in->max_burst},
        {out->address, XHCI_EP_BULK_OUT, out->max_packet, 0, out->max_burst},
    };
    if (usb_configure(d, eps, 2) != XHCI_OK) return "it could not be configured";

    uint8_t max_lun = 0;
    uint32_t got = 0;
    if (usb_control(d, 0xA1, 0xFE /* Get Max LUN */, 0, iface->number, &max_lun, 1, &got) != XHCI_OK || !got)
        max_lun = 0;   /* devices with one unit may stall it */
    if (max_lun >= MAX_LUNS) max_lun = MAX_LUNS - 1;

    struct usb_msc *first = 0;
    const char *why = "more than 8 USB disks";
    char where[64];
    usb_where(d, where, sizeof where);
    for (int lun = 0; lun <= max_lun; lun++) {
        struct usb_msc *m = 0;
        for (int i = 0; i < MAX_UNITS && !m; i++)
            if (!units[i].dev && !units[i].sector_size) m = &units[i];
        if (!m) break;
        *m = (struct usb_msc){.dev = d, .in = &d->ep[0], .out = &d->ep[1], .in_addr = in->address,
                              .out_addr = out->address, .iface = iface->number, .lun = (uint8_t)lun};
        char model[48] = "";
        const char *w = start_unit(m, model, sizeof model);
        if (w) {
            if (max_lun > 0) kprintf("note: usb: unit %d of the disk on %s skipped: %s\n", lun, where, w);
            why = w;
            *m = (struct usb_msc){0};
            continue;
        }
        if (!first) first = m;
    }
    if (!first) return why;
    d->driver = first;
    return 0;
}

void usb_msc_stop(struct usb_device *d) {
    for (int i = 0; i < MAX_UNITS; i++)
        if (units[i].dev == d) {
            units[i].dev = 0;   /* its disk stays listed and fails every read */
            kprintf("note: %s was unplugged; reading it fails from now on\n", units[i].name);
        }
    d->driver = 0;
}

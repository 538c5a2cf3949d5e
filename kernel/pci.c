/* PCI configuration space through ports 0xCF8 (address) and 0xCFC (data):
 * bit 31 enable, bits 23-16 bus, 15-11 device, 10-8 function, 7-2 the
 * dword. A function that is absent reads vendor 0xFFFF. Function 0's
 * header type bit 7 says whether functions 1-7 exist. */
#include "kernel/pci.h"
#include "kernel/io.h"
#include "lib/format.h"

#define ADDR 0xCF8
#define DATA 0xCFC

enum { CMD = 0x04, CMD_MEM = 1 << 1, CMD_MASTER = 1 << 2, CMD_INTX_OFF = 1 << 10 };

static uint32_t address(const struct pci_dev *d, uint8_t off) {
    return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 | (uint32_t)d->fn << 8 |
           (off & 0xFC);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t off) {
    outl(ADDR, address(d, off));
    return inl(DATA);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t off) {
    return (uint16_t)(pci_read32(d, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(const struct pci_dev *d, uint8_t off) {
    return (uint8_t)(pci_read32(d, off) >> ((off & 3) * 8));
}

void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v) {
    outl(ADDR, address(d, off));
    outl(DATA, v);
}

void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v) {
    outl(ADDR, address(d, off));
    outw(DATA + (off & 2), v);
}

void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t v) {
    outl(ADDR, address(d, off));
    outb(DATA + (off & 3), v);
}

void pci_scan(bool (*fn)(const struct pci_dev *d, void *ctx), void *ctx) {
    for (int bus = 0; bus < 256; bus++)
        for (int dev = 0; dev < 32; dev++)
            for (int f = 0; f < 8; f++) {
                struct pci_dev d = { (uint8_t)bus, (uint8_t)dev, (uint8_t)f, 0, 0, 0, 0, 0 };
                uint32_t id = pci_read32(&d, 0);
                if ((id & 0xFFFF) == 0xFFFF) {
                    if (f == 0) break;        /* no device: its other functions neither */
                    continue;
                }
                d.vendor = (uint16_t)id;
                d.device = (uint16_t)(id >> 16);
                uint32_t cls = pci_read32(&d, 0x08);
                d.class_code = (uint8_t)(cls >> 24);
                d.subclass = (uint8_t)(cls >> 16);
                d.prog_if = (uint8_t)(cls >> 8);
                if (!fn(&d, ctx)) return;
                if (f == 0 && !(pci_read8(&d, 0x0E) & 0x80)) break;   /* single-function */
            }
}

uint64_t pci_bar(const struct pci_dev *d, int n, uint64_t *size) {
    uint8_t off = (uint8_t)(0x10 + 4 * n);
    uint32_t lo = pci_read32(d, off);
    if (lo & 1) return 0;                          /* I/O space */
    bool is64 = ((lo >> 1) & 3) == 2;
    uint32_t hi = is64 ? pci_read32(d, (uint8_t)(off + 4)) : 0;
    uint64_t addr = ((uint64_t)hi << 32) | (lo & ~0xFu);
    if (size) {
        uint16_t cmd = pci_read16(d, CMD);
        pci_write16(d, CMD, (uint16_t)(cmd & ~CMD_MEM));
        pci_write32(d, off, 0xFFFFFFFFu);
        uint64_t mask = pci_read32(d, off) & ~0xFu;
        pci_write32(d, off, lo);
        if (is64) {
            pci_write32(d, (uint8_t)(off + 4), 0xFFFFFFFFu);
            mask |= (uint64_t)pci_read32(d, (uint8_t)(off + 4)) << 32;
            pci_write32(d, (uint8_t)(off + 4), hi);
        } else {
            mask |= 0xFFFFFFFF00000000ull;
        }
        pci_write16(d, CMD, cmd);
        *size = mask ? ~mask + 1 : 0;
    }
    return addr;
}

void pci_enable(const struct pci_dev *d) {
    uint16_t cmd = pci_read16(d, CMD);
    pci_write16(d, CMD, (uint16_t)(cmd | CMD_MEM | CMD_MASTER | CMD_INTX_OFF));
}

void pci_name(const struct pci_dev *d, char *buf, unsigned size) {
    fmt_snprintf(buf, size, "%02x:%02x.%x %04x:%04x", d->bus, d->dev, d->fn, d->vendor, d->device);
}

/* PCI configuration space, through the legacy ports 0xCF8/0xCFC that every
 * PC chipset (and QEMU's i440fx and q35) decodes: enough to find the disk
 * and USB controllers by class, read their BARs and let them master the bus
 * for DMA. Extended (PCIe, offsets >= 256) space is not needed by the
 * drivers here and is not reached. */
#ifndef KERNEL_PCI_H
#define KERNEL_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if;
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t off);
uint16_t pci_read16(const struct pci_dev *d, uint8_t off);
uint8_t pci_read8(const struct pci_dev *d, uint8_t off);
void pci_write32(const struct pci_dev *d, uint8_t off, uint32_t v);
void pci_write16(const struct pci_dev *d, uint8_t off, uint16_t v);
void pci_write8(const struct pci_dev *d, uint8_t off, uint8_t v);

/* Calls fn for every function present on every bus, in bus/device/function
 * order, until fn returns false. */
void pci_scan(bool (*fn)(const struct pci_dev *d, void *ctx), void *ctx);

/* BAR n's physical address (a 64-bit BAR takes n and n+1) and, when size is
 * not NULL, its size (found by the all-ones probe, with decoding switched
 * off meanwhile). 0 for an I/O-space or absent BAR. */
uint64_t pci_bar(const struct pci_dev *d, int n, uint64_t *size);

/* Turns on memory-space decoding and bus mastering (DMA), and leaves the
 * controller's legacy interrupt line masked: every driver here polls. */
void pci_enable(const struct pci_dev *d);

/* "00:1f.2 8086:2922" for reports. */
void pci_name(const struct pci_dev *d, char *buf, unsigned size);

#endif

/* The disks the drivers found (NVMe, AHCI SATA and ATAPI, USB mass
 * storage), in one list, each behind one polled read function. The
 * filesystem readers (lib/fs) and the model loader see only this.
 *
 * A driver calls disk_register once per device it brought up; the list
 * keeps a copy. Reads go straight to buf by DMA: buf is any RAM address
 * (identity-mapped, so virtual == physical, above 4 GiB included), and
 * count sectors are at most max_sectors. Every read is bounded by a
 * time-out: a device that stops answering makes read return -1, never
 * hang. */
#ifndef KERNEL_DISK_H
#define KERNEL_DISK_H

#include <stdint.h>

#define DISK_MAX 16

struct disk {
    char name[16];             /* "nvme0", "sata0", "cd0", "usb0" */
    char model[48];            /* what the device calls itself, trimmed */
    uint32_t sector_size;      /* bytes: 512, 2048 (CD) or 4096 */
    uint64_t sectors;
    uint32_t max_sectors;      /* the most one read may ask for */
    void *ctx;                 /* the driver's */
    /* 0, or -1 after a time-out or an error status. */
    int (*read)(void *ctx, uint64_t lba, uint32_t count, void *buf);
};

/* Copies d into the list (ignored, with a note, past DISK_MAX). */
void disk_register(const struct disk *d);
int disk_count(void);
struct disk *disk_get(int i);

/* Reads count sectors from lba into buf, split into reads of at most
 * max_sectors. 0 or -1. */
int disk_read(struct disk *d, uint64_t lba, uint64_t count, void *buf);

/* "2.0 GiB", "300.5 MiB", "512 bytes": a size for people. */
void disk_format_size(uint64_t bytes, char *buf, unsigned size);

#endif

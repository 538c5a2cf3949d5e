/* A block device as the filesystem readers see it: a sector size, a sector
 * count and one read function. The disk drivers (NVMe, AHCI, xHCI mass
 * storage, the boot CD) fill one in; the host tests and fuzzers fill one in
 * over a file or a buffer. Nothing else of the device is known here. */
#ifndef LIB_FS_BLOCKDEV_H
#define LIB_FS_BLOCKDEV_H

#include <stdint.h>

typedef struct {
    void *ctx;
    uint32_t sector_size;      /* 512, 2048 (CD) or 4096 */
    uint64_t sectors;
    /* count sectors from lba into buf; 0 or -1 (device error or time-out). count may be
       anything; the platform splits it. buf may be anywhere in RAM. */
    int (*read)(void *ctx, uint64_t lba, uint64_t count, void *buf);
} fs_blockdev;

#endif

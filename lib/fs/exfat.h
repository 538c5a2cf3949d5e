/* exFAT, read-only: the boot region, the FAT, directory entry sets. */
#ifndef LIB_FS_EXFAT_H
#define LIB_FS_EXFAT_H

#include "lib/fs/fs.h"

/* Recognises and mounts an exFAT volume (v->dev, first_lba, sectors and
 * bytes set): 0 mounted, 1 not exFAT, -1 with v->err set (exFAT, but
 * damaged beyond use). */
int exfat_mount(fs_volume *v);

/* fs_dir_next for exFAT: 1, 0 at the end, -1 with v->err set. */
int exfat_dir_next(fs_volume *v, fs_dir *it, fs_entry *e);

/* The checksums exFAT keeps (also used by tools/mkexfat): of the boot
 * region's first eleven sectors (bytes per sector given), and of a
 * directory entry set of count 32-byte entries. */
uint32_t exfat_boot_checksum(const uint8_t *sectors, uint32_t bytes_per_sector);
uint16_t exfat_set_checksum(const uint8_t *entries, unsigned count);

#endif

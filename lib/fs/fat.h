/* FAT12, FAT16 and FAT32, read-only, with long file names. */
#ifndef LIB_FS_FAT_H
#define LIB_FS_FAT_H

#include "lib/fs/fs.h"

/* Recognises and mounts a FAT volume: 0 mounted, 1 not FAT, -1 with v->err
 * set (FAT, but damaged beyond use). */
int fat_mount(fs_volume *v);

/* fs_dir_next for FAT: 1, 0 at the end, -1 with v->err set. */
int fat_dir_next(fs_volume *v, fs_dir *it, fs_entry *e);

/* The checksum of an 8.3 name that its long-name entries carry. */
uint8_t fat_short_name_checksum(const uint8_t name[11]);

#endif

/* Cluster chains, shared by FAT12/16/32 and exFAT: reading an entry of
 * the file allocation table, and mapping a byte of a file to the volume by
 * following its chain from where the last read left it. */
#ifndef LIB_FS_CLUSTER_H
#define LIB_FS_CLUSTER_H

#include "lib/fs/fs.h"

/* What FAT entry of cluster c says: 1 with *next, another cluster (in
 * range); 0 at the end of the chain; -1 with v->err set (a free or bad
 * cluster, one outside the volume, a read error). */
int cluster_next(fs_volume *v, uint32_t c, uint32_t *next);

/* fs_map for FAT and exFAT files (see io.h). A chain that ends before the
 * file does, loops back on itself or leaves the volume is an error. */
int cluster_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t want, uint64_t *vol_off,
                uint64_t *run);

/* Whether a file's clusters fit in the volume: its first cluster exists,
 * and a contiguous file's last cluster too. 0, or -1 with v->err set. */
int cluster_check(fs_volume *v, const fs_file *f);

#endif

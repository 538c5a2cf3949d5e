/* ISO 9660 (CD and DVD images), read-only: Rock Ridge and Joliet names,
 * files of several extents. */
#ifndef LIB_FS_ISO9660_H
#define LIB_FS_ISO9660_H

#include "lib/fs/fs.h"

/* Recognises and mounts an ISO 9660 volume: 0 mounted, 1 not ISO 9660, -1
 * with v->err set (ISO 9660, but damaged beyond use). */
int iso_mount(fs_volume *v);

/* fs_dir_next for ISO 9660: 1, 0 at the end, -1 with v->err set. */
int iso_dir_next(fs_volume *v, fs_dir *it, fs_entry *e);

/* fs_map for ISO 9660 files (see io.h): the extent holding byte off. */
int iso_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t *vol_off, uint64_t *run);

#endif

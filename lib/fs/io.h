/* What the filesystem readers share: reading bytes of the volume (checked
 * against its size), a sector cache for metadata, errors and notes, and
 * the map from a byte of a file to a byte of the volume. */
#ifndef LIB_FS_IO_H
#define LIB_FS_IO_H

#include <stdint.h>

#include "lib/fs/fs.h"

/* Cache slots: one for directory records, one for the FAT. */
enum { FS_SLOT_DIR, FS_SLOT_FAT };

/* Formats a one-line message into v->err; returns -1. */
int fs_fail(fs_volume *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds a note (counted in dropped when the list is full). */
void fs_note(fs_notes *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies a message into the caller's err buffer (if any). */
void fs_copy_err(char *err, size_t errlen, const char *msg);

/* Reads count sectors from lba of dev into buf, checked against the
 * device's size. 0, or -1 with a message in err. */
int fs_dev_read(const fs_blockdev *dev, uint64_t lba, uint64_t count, void *buf,
                char *err, size_t errlen);

/* Reads len bytes at byte off of the volume into buf: whole sectors go
 * straight into buf, the parts of sectors at either end through
 * v->bounce. 0, or -1 with v->err set. */
int fs_io_read(fs_volume *v, uint64_t off, void *buf, uint64_t len);

/* A pointer to len bytes at byte off of the volume, through cache slot
 * slot (a 4 KiB block, aligned from the volume's start), valid until the
 * slot is used again. The bytes may not cross a 4 KiB boundary. NULL with
 * v->err set on failure. */
const uint8_t *fs_io_peek(fs_volume *v, int slot, uint64_t off, uint32_t len);

/* Where byte off of file f lies: *vol_off (a byte of the volume) and *run,
 * how many bytes from there on belong to f in a row (at least one; more
 * are looked for, up to about want). Returns 1; 0 when off is past the
 * end of a directory sized by its chain; -1 with v->err set. */
int fs_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t want, uint64_t *vol_off,
           uint64_t *run);

/* A pointer to len bytes at byte pos of file f (which may not cross a
 * cluster or a 4 KiB block: directory records do not): 1 with *p set, 0
 * past the end of f, -1 with v->err set. */
int fs_file_peek(fs_volume *v, fs_file *f, uint64_t pos, uint32_t len, const uint8_t **p);

static inline uint16_t fs_le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t fs_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t fs_le64(const uint8_t *p) { return fs_le32(p) | (uint64_t)fs_le32(p + 4) << 32; }

#endif

/* Volume reads, the metadata cache, errors and notes (see io.h). Every
 * read is checked against the volume's and the device's size before the
 * device is asked, so a number read from a damaged disk can never make
 * the driver read outside it. */
#include <stdarg.h>

#include "lib/fs/io.h"
#include "lib/fs/cluster.h"
#include "lib/fs/iso9660.h"
#include "lib/format.h"
#include "lib/libc.h"

int fs_fail(fs_volume *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(v->err, sizeof v->err, fmt, ap);
    va_end(ap);
    return -1;
}

void fs_note(fs_notes *n, const char *fmt, ...)
{
    if (n->count == FS_MAX_NOTES) {
        n->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    fmt_vsnprintf(n->text[n->count++], FS_NOTE_LEN, fmt, ap);
    va_end(ap);
}

void fs_copy_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        fmt_snprintf(err, errlen, "%s", msg);
}

int fs_dev_read(const fs_blockdev *dev, uint64_t lba, uint64_t count, void *buf,
                char *err, size_t errlen)
{
    if (lba > dev->sectors || count > dev->sectors - lba) {
        if (err && errlen)
            fmt_snprintf(err, errlen, "read of sectors %llu+%llu is past the device's end (%llu sectors)",
                         (unsigned long long)lba, (unsigned long long)count,
                         (unsigned long long)dev->sectors);
        return -1;
    }
    if (count && dev->read(dev->ctx, lba, count, buf) != 0) {
        if (err && errlen)
            fmt_snprintf(err, errlen, "the device failed to read sectors %llu+%llu",
                         (unsigned long long)lba, (unsigned long long)count);
        return -1;
    }
    return 0;
}

static int read_sectors(fs_volume *v, uint64_t sector, uint64_t count, void *buf)
{
    return fs_dev_read(v->dev, v->first_lba + sector, count, buf, v->err, sizeof v->err);
}

int fs_io_read(fs_volume *v, uint64_t off, void *buf, uint64_t len)
{
    uint32_t ss = v->dev->sector_size;
    uint8_t *dst = buf;
    if (off > v->bytes || len > v->bytes - off)
        return fs_fail(v, "%s: a read at byte %llu+%llu is outside the volume (%llu bytes)",
                       fs_type_name(v->type), (unsigned long long)off, (unsigned long long)len,
                       (unsigned long long)v->bytes);
    uint32_t head = (uint32_t)(off % ss);
    if (head) {                                  /* the first sector, partly */
        uint64_t n = ss - head < len ? ss - head : len;
        if (read_sectors(v, off / ss, 1, v->bounce) != 0)
            return -1;
        memcpy(dst, v->bounce + head, n);
        dst += n, off += n, len -= n;
    }
    if (len >= ss) {                             /* whole sectors, straight in */
        uint64_t count = len / ss;
        if (read_sectors(v, off / ss, count, dst) != 0)
            return -1;
        dst += count * ss, off += count * ss, len -= count * ss;
    }
    if (len) {                                   /* the last sector, partly */
        if (read_sectors(v, off / ss, 1, v->bounce) != 0)
            return -1;
        memcpy(dst, v->bounce, len);
    }
    return 0;
}

const uint8_t *fs_io_peek(fs_volume *v, int slot, uint64_t off, uint32_t len)
{
    uint64_t block = off & ~(uint64_t)4095;
    if (off > v->bytes || len > v->bytes - off) {
        fs_fail(v, "%s: metadata at byte %llu is outside the volume (%llu bytes)",
                fs_type_name(v->type), (unsigned long long)off, (unsigned long long)v->bytes);
        return 0;
    }
    if (off + len > block + 4096) {
        fs_fail(v, "%s: a record at byte %llu crosses a 4 KiB block", fs_type_name(v->type),
                (unsigned long long)off);
        return 0;
    }
    if (!v->cache_ok[slot] || v->cache_lba[slot] != block) {
        uint32_t ss = v->dev->sector_size;
        uint64_t n = v->bytes - block < 4096 ? v->bytes - block : 4096;
        v->cache_ok[slot] = 0;
        if (read_sectors(v, block / ss, (n + ss - 1) / ss, v->cache[slot]) != 0)
            return 0;
        v->cache_lba[slot] = block;
        v->cache_ok[slot] = 1;
    }
    return v->cache[slot] + (off - block);
}

int fs_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t want, uint64_t *vol_off,
           uint64_t *run)
{
    if (v->type == FS_ISO9660)
        return iso_map(v, f, off, vol_off, run);
    return cluster_map(v, f, off, want, vol_off, run);
}

int fs_file_peek(fs_volume *v, fs_file *f, uint64_t pos, uint32_t len, const uint8_t **p)
{
    uint64_t at, run;
    if (!f->chain_sized && (pos > f->size || len > f->size - pos))
        return 0;
    int r = fs_map(v, f, pos, len, &at, &run);
    if (r <= 0)
        return r;
    if (run < len)
        return fs_fail(v, "%s: a directory record at byte %llu crosses the end of its cluster",
                       fs_type_name(v->type), (unsigned long long)pos);
    *p = fs_io_peek(v, FS_SLOT_DIR, at, len);
    return *p ? 1 : -1;
}

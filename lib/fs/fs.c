/* Mounting, listing, finding and reading files (see fs.h): what the
 * three filesystems have in common, on top of exfat.c, fat.c and
 * iso9660.c, which read their own structures, and cluster.c, which maps
 * file bytes through FAT chains. */
#include "lib/fs/fs.h"
#include "lib/fs/exfat.h"
#include "lib/fs/fat.h"
#include "lib/fs/io.h"
#include "lib/fs/iso9660.h"
#include "lib/format.h"
#include "lib/libc.h"

const char *fs_type_name(enum fs_type type)
{
    switch (type) {
    case FS_EXFAT: return "exFAT";
    case FS_FAT12: return "FAT12";
    case FS_FAT16: return "FAT16";
    case FS_FAT32: return "FAT32";
    case FS_ISO9660: return "ISO 9660";
    default: return "unknown";
    }
}

static int give_err(fs_volume *v, char *err, size_t errlen)
{
    fs_copy_err(err, errlen, v->err);
    return -1;
}

int fs_mount(fs_volume *v, const fs_blockdev *dev, const fs_partition *p,
             char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    if (err && errlen)
        err[0] = 0;
    uint32_t ss = dev->sector_size;
    if (ss != 512 && ss != 1024 && ss != 2048 && ss != 4096) {
        fs_fail(v, "sectors of %u bytes (512, 2048 or 4096 expected)", ss);
        return give_err(v, err, errlen);
    }
    if (p->first_lba > dev->sectors || p->sectors > dev->sectors - p->first_lba ||
        p->sectors == 0 || p->sectors > UINT64_MAX / ss) {
        fs_fail(v, "partition %d (sectors %llu+%llu) is not on the device (%llu sectors)", p->number,
                (unsigned long long)p->first_lba, (unsigned long long)p->sectors,
                (unsigned long long)dev->sectors);
        return give_err(v, err, errlen);
    }
    v->dev = dev;
    v->first_lba = p->first_lba;
    v->sectors = p->sectors;
    v->bytes = p->sectors * ss;

    int (*mounts[])(fs_volume *) = {iso_mount, exfat_mount, fat_mount};
    for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
        v->type = FS_UNKNOWN;
        int r = mounts[i](v);
        if (r == 0)
            return 0;
        if (r < 0) {
            v->type = FS_UNKNOWN;
            return give_err(v, err, errlen);
        }
        v->cache_ok[0] = v->cache_ok[1] = 0;
        v->notes.count = v->notes.dropped = 0;
        v->label[0] = 0;
    }
    v->type = FS_UNKNOWN;
    fs_fail(v, "no exFAT, FAT or ISO 9660 filesystem on partition %d", p->number);
    return give_err(v, err, errlen);
}

void fs_dir_open(fs_dir *it, const fs_file *d)
{
    it->dir = *d;
    it->dir.at_cluster = 0;
    it->pos = 0;
}

static int dir_next(fs_volume *v, fs_dir *it, fs_entry *e)
{
    switch (v->type) {
    case FS_EXFAT: return exfat_dir_next(v, it, e);
    case FS_FAT12: case FS_FAT16: case FS_FAT32: return fat_dir_next(v, it, e);
    case FS_ISO9660: return iso_dir_next(v, it, e);
    default: return fs_fail(v, "the volume is not mounted");
    }
}

int fs_dir_next(fs_volume *v, fs_dir *it, fs_entry *e, char *err, size_t errlen)
{
    int r = dir_next(v, it, e);
    return r < 0 ? give_err(v, err, errlen) : r;
}

/* Appends "/name" to v->path at len; -1 when it does not fit. */
static int path_append(fs_volume *v, size_t len, const char *name)
{
    size_t n = strlen(name);
    if (len + 1 + n + 1 > sizeof v->path)
        return -1;
    v->path[len] = '/';
    memcpy(v->path + len + 1, name, n + 1);
    return 0;
}

int fs_walk(fs_volume *v, fs_walk_fn fn, void *ctx, char *err, size_t errlen)
{
    /* Depth first with an explicit stack (v->walk), so that the kernel's
     * stack does not grow with the tree. A directory that is its own
     * ancestor (damage) is cut off by the depth limit, and the number of
     * directories visited is bounded too. */
    fs_entry *e = &v->entry;
    int depth = 0, dirs = 1, deep_noted = 0;
    if (v->type == FS_UNKNOWN)
        return give_err(v, err, errlen);
    v->walk[0].dir = v->root;
    v->walk[0].dir.at_cluster = 0;
    v->walk[0].pos = 0;
    v->walk[0].path_len = 0;
    v->path[0] = 0;
    while (depth >= 0) {
        fs_dir it = {v->walk[depth].dir, v->walk[depth].pos};
        int r = dir_next(v, &it, e);
        v->walk[depth].dir = it.dir;
        v->walk[depth].pos = it.pos;
        if (r < 0)
            return give_err(v, err, errlen);
        if (r == 0) {
            depth--;
            continue;
        }
        size_t len = v->walk[depth].path_len;
        if (path_append(v, len, e->name) != 0) {
            fs_note(&v->notes, "a path longer than %d bytes was skipped", FS_PATH_MAX - 1);
            continue;
        }
        if (!e->file.is_dir) {
            if (fn(ctx, v->path, &e->file) != 0)
                return 0;
            continue;
        }
        if (depth == FS_MAX_DEPTH || dirs >= 4096) {
            if (!deep_noted)
                fs_note(&v->notes, "%s skipped: %s", v->path,
                        depth == FS_MAX_DEPTH ? "directories nest deeper than 16 levels"
                                              : "more than 4096 directories");
            deep_noted = 1;
            continue;
        }
        dirs++;
        depth++;
        v->walk[depth].dir = e->file;
        v->walk[depth].dir.at_cluster = 0;
        v->walk[depth].pos = 0;
        v->walk[depth].path_len = strlen(v->path);
    }
    return 0;
}

int fs_find(fs_volume *v, const char *path, fs_file *f, char *err, size_t errlen)
{
    fs_entry *e = &v->entry;
    char part[FS_NAME_MAX];
    fs_file dir = v->root;
    if (v->type == FS_UNKNOWN)
        return give_err(v, err, errlen);
    const char *s = path;
    for (;;) {
        while (*s == '/')
            s++;
        if (!*s) {
            *f = dir;
            return 0;
        }
        size_t n = 0;
        while (s[n] && s[n] != '/')
            n++;
        if (n >= sizeof part) {
            fs_fail(v, "a part of \"%s\" is longer than %d bytes", path, FS_NAME_MAX - 1);
            return give_err(v, err, errlen);
        }
        memcpy(part, s, n);
        part[n] = 0;
        s += n;
        if (!dir.is_dir) {
            fs_fail(v, "\"%s\": a file is used as a directory", path);
            fs_copy_err(err, errlen, v->err);
            return 1;
        }
        fs_dir it;
        fs_dir_open(&it, &dir);
        int found = 0, r;
        fs_file match;
        while ((r = dir_next(v, &it, e)) == 1) {
            if (v->case_sensitive && strcmp(e->name, part) == 0) {
                match = e->file;
                found = 2;
                break;
            }
            if (!found && fs_name_equal_nocase(e->name, part)) {
                match = e->file;
                found = 1;
                if (!v->case_sensitive)
                    break;
            }
        }
        if (r < 0)
            return give_err(v, err, errlen);
        if (!found) {
            fs_fail(v, "no \"%.*s\" in \"%s\"", (int)n, part, path);
            fs_copy_err(err, errlen, v->err);
            return 1;
        }
        dir = match;
        dir.at_cluster = 0;
    }
}

int fs_read(fs_volume *v, fs_file *f, uint64_t offset, void *buf, uint64_t len,
            char *err, size_t errlen)
{
    uint8_t *dst = buf;
    if (v->type == FS_UNKNOWN)
        return give_err(v, err, errlen);
    if (offset > f->size || len > f->size - offset) {
        fs_fail(v, "a read of bytes %llu+%llu of a file of %llu bytes", (unsigned long long)offset,
                (unsigned long long)len, (unsigned long long)f->size);
        return give_err(v, err, errlen);
    }
    while (len > 0) {
        uint64_t n, at, run;
        if (offset >= f->valid_size) {            /* exFAT: past ValidDataLength, zeros */
            memset(dst, 0, len);
            return 0;
        }
        uint64_t want = f->valid_size - offset < len ? f->valid_size - offset : len;
        int r = fs_map(v, f, offset, want, &at, &run);
        if (r == 0)
            fs_fail(v, "%s: the file ends before its size says", fs_type_name(v->type));
        if (r <= 0)
            return give_err(v, err, errlen);
        n = run < want ? run : want;
        if (fs_io_read(v, at, dst, n) != 0)
            return give_err(v, err, errlen);
        dst += n, offset += n, len -= n;
    }
    return 0;
}

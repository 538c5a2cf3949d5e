/* The block device the lib/fs fuzz targets read: the input is an 8-byte
 * header and the first bytes of a disk image. Header: byte 0 the sector
 * size (0: 512, 1: 2048, 2: 4096, 3: 1024, others 512), bytes 1-4 the
 * device's size in sectors (little-endian; at least the data's), byte 5
 * non-zero: reads of sectors at or past byte 5 * 64 fail (a device
 * error). Past the data the device reads as zeros, so a small input can be
 * a large disk whose metadata sits at its start (the seeds are real images
 * cut after their last non-zero byte). Every read must stay inside the
 * device (abort otherwise), and the whole walk is exercised: partitions,
 * mount, labels, notes, fs_walk, fs_find of each listed path and fs_read
 * of a few ranges of each file; every message one line, NUL-terminated. */
#ifndef TESTS_FUZZ_FS_DEVICE_H
#define TESTS_FUZZ_FS_DEVICE_H

#include "lib/fs/fs.h"
#include "tests/fuzz/fuzz.h"

struct fuzz_disk {
    const uint8_t *data;
    size_t len;
    uint32_t sector;
    uint64_t sectors, fail_from;
};

static int fuzz_disk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
    struct fuzz_disk *d = ctx;
    FUZZ_ASSERT(lba <= d->sectors && count <= d->sectors - lba,
                "read of sectors %llu+%llu past the device's %llu", (unsigned long long)lba,
                (unsigned long long)count, (unsigned long long)d->sectors);
    FUZZ_ASSERT(count <= (64u << 20) / d->sector, "a read of %llu sectors (the fuzzer's reads are small)",
                (unsigned long long)count);
    if (d->fail_from && lba + count > d->fail_from)
        return -1;
    uint64_t at = lba * d->sector, n = count * d->sector, have = 0;
    if (at < d->len)
        have = d->len - at < n ? d->len - at : n;
    if (have)
        memcpy(buf, d->data + at, have);
    memset((uint8_t *)buf + have, 0, n - have);
    return 0;
}

/* Fills in d and dev from the input; 0, or -1 when it is too short. */
static inline int fuzz_disk_open(struct fuzz_disk *d, fs_blockdev *dev, const uint8_t *data, size_t size)
{
    static const uint32_t sizes[4] = {512, 2048, 4096, 1024};
    if (size < 8)
        return -1;
    d->sector = data[0] < 4 ? sizes[data[0]] : 512;
    uint64_t want = (uint64_t)data[1] | (uint64_t)data[2] << 8 | (uint64_t)data[3] << 16 |
                    (uint64_t)data[4] << 24;
    d->data = data + 8;
    d->len = size - 8;
    uint64_t have = (d->len + d->sector - 1) / d->sector;
    d->sectors = want > have ? want : have;
    d->fail_from = (uint64_t)data[5] * 64;
    *dev = (fs_blockdev){d, d->sector, d->sectors, fuzz_disk_read};
    return 0;
}

static void fuzz_check_notes(const fs_notes *n)
{
    FUZZ_ASSERT(n->count >= 0 && n->count <= FS_MAX_NOTES && n->dropped >= 0, "notes %d", n->count);
    for (int i = 0; i < n->count; i++)
        fuzz_check_message(n->text[i], FS_NOTE_LEN, 1, "note");
}

static uint8_t fuzz_buf[1 << 16];

static int fuzz_visit(void *ctx, const char *path, const fs_file *f)
{
    fs_volume *v = ctx;
    char err[160];
    size_t n = strnlen(path, FS_PATH_MAX);
    FUZZ_ASSERT(n < FS_PATH_MAX && path[0] == '/', "path [%.*s]", (int)n, path);
    FUZZ_ASSERT(!f->is_dir, "a directory handed to the walk's callback");
    fs_file copy = *f;
    uint64_t len = f->size < sizeof fuzz_buf ? f->size : sizeof fuzz_buf;
    int r = fs_read(v, &copy, 0, fuzz_buf, len, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "fs_read returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "fs_read error");
    FUZZ_ASSERT(r != 0 || err[0] == 0, "err set after a read that worked: %s", err);
    if (f->size > 3 * sizeof fuzz_buf) {        /* the middle and the end, then back */
        r = fs_read(v, &copy, f->size / 2, fuzz_buf, 4096, err, sizeof err);
        fuzz_check_message(err, sizeof err, r != 0, "fs_read error");
        r = fs_read(v, &copy, f->size - 100, fuzz_buf, 100, err, sizeof err);
        fuzz_check_message(err, sizeof err, r != 0, "fs_read error");
        r = fs_read(v, &copy, 1, fuzz_buf, 100, err, sizeof err);
        fuzz_check_message(err, sizeof err, r != 0, "fs_read error");
    }
    r = fs_read(v, &copy, f->size, fuzz_buf, 1, err, sizeof err);
    FUZZ_ASSERT(r == -1, "a read past a file's end succeeded");
    fs_file found;
    r = fs_find(v, path, &found, err, sizeof err);
    FUZZ_ASSERT(r >= -1 && r <= 1, "fs_find returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "fs_find error");
    return 0;
}

/* Mounts partition p and walks it all. */
static inline void fuzz_volume(const fs_blockdev *dev, const fs_partition *p)
{
    static fs_volume v;
    char err[160];
    int r = fs_mount(&v, dev, p, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "fs_mount returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "fs_mount error");
    if (r != 0)
        return;
    FUZZ_ASSERT(v.type != FS_UNKNOWN, "mounted an unknown type");
    FUZZ_ASSERT(strnlen(v.label, sizeof v.label) < sizeof v.label, "label not terminated");
    r = fs_walk(&v, fuzz_visit, &v, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "fs_walk returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "fs_walk error");
    fuzz_check_notes(&v.notes);
    fs_file f;
    r = fs_find(&v, "/models/model.gguf", &f, err, sizeof err);
    fuzz_check_message(err, sizeof err, r != 0, "fs_find error");
}

/* The whole device as one volume (no partition table), mounted and walked:
 * the body of the exFAT, FAT and ISO 9660 targets, which differ in their
 * seeds (tests/fuzz/seeds.py) and so in what the fuzzer explores. */
static inline int fuzz_whole_device_volume(const uint8_t *data, size_t size)
{
    struct fuzz_disk d;
    fs_blockdev dev;
    if (fuzz_disk_open(&d, &dev, data, size) != 0)
        return 0;
    fs_partition p = {.number = 0, .first_lba = 0, .sectors = dev.sectors};
    fuzz_volume(&dev, &p);
    return 0;
}

#endif

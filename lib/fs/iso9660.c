/* ISO 9660 (ECMA-119), read-only, as grub-mkrescue and xorriso write it.
 *
 * From block 16 (blocks of 2048 bytes) come volume descriptors: the primary
 * one (type 1: the label, the root directory's record), perhaps a Joliet
 * supplementary one (type 2 with a UCS-2 escape sequence: a second tree
 * with UTF-16BE names), and a terminator (type 255).
 *
 * A directory is a list of records, none crossing a block (a zero length
 * byte pads to the next block): extent (block), length, flags (0x02
 * directory, 0x80 "more extents follow": a file of 4 GiB or more is several
 * records of one name, each an extent below 4 GiB, as -iso-level 3 writes
 * it), name. Names are upper-case 8.3 with ";1" unless Rock Ridge (SUSP
 * entries after the name: NM holds the real name, CE continues the entries
 * elsewhere, RE and CL mark directories moved for depth) or Joliet give
 * the real one. Rock Ridge is preferred, then Joliet, then plain names. */
#include "lib/fs/iso9660.h"
#include "lib/fs/io.h"
#include "lib/fs/unicode.h"
#include "lib/libc.h"

#define BLOCK 2048u

int iso_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t *vol_off, uint64_t *run)
{
    uint64_t start = 0;
    for (uint32_t i = 0; i < f->extents && i < FS_MAX_EXTENTS; i++) {
        uint64_t n = f->extent[i].bytes;
        if (off < start + n) {
            *vol_off = (uint64_t)f->extent[i].block * BLOCK + (off - start);
            *run = n - (off - start);
            return 1;
        }
        start += n;
    }
    return fs_fail(v, "ISO 9660: byte %llu is past the file's extents", (unsigned long long)off);
}

/* Whether an extent lies inside the volume. */
static int extent_inside(const fs_volume *v, uint32_t block, uint32_t bytes)
{
    uint64_t at = (uint64_t)block * BLOCK;
    return at <= v->bytes && bytes <= v->bytes - at;
}

/* The SUSP area of a directory record (its bytes after the name). */
static void susp_area(const uint8_t *rec, uint32_t len, uint32_t skip, const uint8_t **p, uint32_t *n)
{
    uint32_t name_len = rec[32], at = 33 + name_len + ((name_len & 1) ? 0 : 1) + skip;
    *p = rec + at;
    *n = at < len ? len - at : 0;
}

struct rock_ridge {
    int has_name, relocated, child;
    uint32_t child_block;
};

/* Reads the Rock Ridge entries of a record (copied to rec): the NM name
 * into name (bytes, cap with the NUL), RE and CL. CE continuation areas
 * are followed (at most 16). 0, or -1 with v->err set. */
static int rock_ridge(fs_volume *v, const uint8_t *rec, uint32_t len, char *name, size_t cap,
                      struct rock_ridge *rr)
{
    const uint8_t *p;
    uint32_t n, name_len = 0;
    memset(rr, 0, sizeof *rr);
    susp_area(rec, len, v->iso.susp_skip, &p, &n);
    for (int areas = 0; areas < 16; areas++) {
        uint32_t ce_block = 0, ce_off = 0, ce_len = 0;
        int has_ce = 0, stop = 0;
        while (n >= 4 && !stop) {
            uint32_t elen = p[2];
            if (elen < 4 || elen > n)
                break;
            if (p[0] == 'N' && p[1] == 'M' && elen >= 5 && !(p[4] & 6)) {
                uint32_t k = elen - 5;
                if (name_len + k + 1 > cap)
                    k = (uint32_t)cap - 1 - name_len;
                memcpy(name + name_len, p + 5, k);
                name_len += k;
                rr->has_name = 1;
            } else if (p[0] == 'R' && p[1] == 'E') {
                rr->relocated = 1;
            } else if (p[0] == 'C' && p[1] == 'L' && elen >= 12) {
                rr->child = 1;
                rr->child_block = fs_le32(p + 4);
            } else if (p[0] == 'C' && p[1] == 'E' && elen >= 28) {
                has_ce = 1;
                ce_block = fs_le32(p + 4);
                ce_off = fs_le32(p + 12);
                ce_len = fs_le32(p + 20);
            } else if (p[0] == 'S' && p[1] == 'T') {
                stop = 1;
            }
            p += elen;
            n -= elen;
        }
        if (!has_ce)
            break;
        if (ce_off >= BLOCK || ce_len > BLOCK - ce_off)
            return fs_fail(v, "ISO 9660: a Rock Ridge continuation area crosses its block");
        p = fs_io_peek(v, FS_SLOT_FAT, (uint64_t)ce_block * BLOCK + ce_off, ce_len);
        if (!p)
            return -1;
        n = ce_len;
    }
    name[name_len] = 0;
    return 0;
}

/* The plain or Joliet name of a record, without ";1" and a trailing dot. */
static int record_name(const fs_volume *v, const uint8_t *rec, char *name, size_t cap)
{
    uint32_t n = rec[32];
    const uint8_t *id = rec + 33;
    if (v->iso.names == FS_ISO_NAMES_JOLIET) {
        uint16_t u[128];
        uint32_t k = n / 2;
        for (uint32_t i = 0; i < k; i++)
            u[i] = (uint16_t)(id[2 * i] << 8 | id[2 * i + 1]);
        if (k >= 2 && u[k - 2] == ';')
            k -= 2;
        else
            for (uint32_t i = 0; i < k; i++)
                if (u[i] == ';') { k = i; break; }
        return fs_utf16_to_utf8(u, k, name, cap) < 0 ? -1 : 0;
    }
    uint32_t k = 0;
    while (k < n && id[k] != ';')
        k++;
    if (k > 1 && id[k - 1] == '.')
        k--;
    if (k + 1 > cap)
        return -1;
    memcpy(name, id, k);
    name[k] = 0;
    return 0;
}

/* Reads the record at it->pos into rec (skipping the zero padding at the
 * end of a block): its length, 0 at the end of the directory, -1 with
 * v->err set. */
static int next_record(fs_volume *v, fs_dir *it, uint8_t rec[256])
{
    for (;;) {
        const uint8_t *p;
        int r = fs_file_peek(v, &it->dir, it->pos, 1, &p);
        if (r <= 0)
            return r;
        uint32_t len = p[0], in = (uint32_t)(it->pos % BLOCK);
        if (len == 0) {                          /* padding to the next block */
            it->pos += BLOCK - in;
            continue;
        }
        if (len < 34 || in + len > BLOCK)
            return fs_fail(v, "ISO 9660: a directory record of %u bytes at byte %u of its block",
                           len, in);
        r = fs_file_peek(v, &it->dir, it->pos, len, &p);
        if (r <= 0)
            return r < 0 ? -1 : fs_fail(v, "ISO 9660: a directory ends inside a record");
        if (33u + p[32] > len)
            return fs_fail(v, "ISO 9660: a directory record's name is longer than the record");
        memcpy(rec, p, len);
        it->pos += len;
        return (int)len;
    }
}

int iso_dir_next(fs_volume *v, fs_dir *it, fs_entry *e)
{
    uint8_t rec[256];
    for (;;) {
        int len = next_record(v, it, rec);
        if (len <= 0)
            return len;
        if (rec[32] == 1 && (rec[33] == 0 || rec[33] == 1))   /* "." and ".." */
            continue;
        struct rock_ridge rr = {0};
        if (v->iso.names == FS_ISO_NAMES_ROCK_RIDGE &&
            rock_ridge(v, rec, (uint32_t)len, e->name, sizeof e->name, &rr) != 0)
            return -1;
        if (!rr.has_name && record_name(v, rec, e->name, sizeof e->name) != 0) {
            fs_note(&v->notes, "ISO 9660: a name that is not valid was skipped");
            continue;
        }
        memset(&e->file, 0, sizeof e->file);
        e->file.is_dir = (rec[25] & 2) != 0;
        uint8_t flags = rec[25];
        uint32_t block = fs_le32(rec + 2) + rec[1], bytes = fs_le32(rec + 10);
        int bad = 0, too_many = 0;
        e->file.extents = 0;
        for (;;) {
            if (!extent_inside(v, block, bytes))
                bad = 1;
            if (e->file.extents == FS_MAX_EXTENTS)
                too_many = 1;
            else {
                e->file.extent[e->file.extents].block = block;
                e->file.extent[e->file.extents++].bytes = bytes;
            }
            e->file.size += bytes;
            if (!(flags & 0x80) || e->file.is_dir)
                break;
            /* more extents follow: the next record of the same name */
            len = next_record(v, it, rec);
            if (len < 0)
                return -1;
            if (len == 0) {
                bad = 1;
                break;
            }
            flags = rec[25];
            block = fs_le32(rec + 2) + rec[1];
            bytes = fs_le32(rec + 10);
        }
        if (rr.relocated)                       /* shown where its CL entry is */
            continue;
        if (rr.child) {                         /* a directory moved for depth */
            const uint8_t *dot = fs_io_peek(v, FS_SLOT_FAT, (uint64_t)rr.child_block * BLOCK, 34);
            if (!dot)
                return -1;
            e->file.is_dir = 1;
            e->file.extents = 1;
            e->file.extent[0].block = rr.child_block;
            e->file.extent[0].bytes = fs_le32(dot + 10);
            e->file.size = e->file.extent[0].bytes;
            bad = !extent_inside(v, rr.child_block, e->file.extent[0].bytes);
        }
        if (too_many) {
            fs_note(&v->notes, "ISO 9660: \"%s\" has more than %d extents: skipped", e->name,
                    FS_MAX_EXTENTS);
            continue;
        }
        if (bad) {
            fs_note(&v->notes, "ISO 9660: \"%s\" lies outside the volume: skipped", e->name);
            continue;
        }
        e->file.valid_size = e->file.size;
        return 1;
    }
}

/* Copies a descriptor's label (32 bytes, space-padded; UCS-2BE for Joliet). */
static void set_label(fs_volume *v, const uint8_t *id, int joliet)
{
    if (joliet) {
        uint16_t u[16];
        int n = 0;
        for (int i = 0; i < 16; i++)
            u[n++] = (uint16_t)(id[2 * i] << 8 | id[2 * i + 1]);
        while (n > 0 && (u[n - 1] == ' ' || u[n - 1] == 0))
            n--;
        fs_utf16_to_utf8(u, (size_t)n, v->label, sizeof v->label);
        return;
    }
    int n = 32;
    while (n > 0 && (id[n - 1] == ' ' || id[n - 1] == 0))
        n--;
    for (int i = 0; i < n; i++)
        v->label[i] = id[i] >= 0x20 && id[i] < 0x7F ? (char)id[i] : '?';
    v->label[n] = 0;
}

int iso_mount(fs_volume *v)
{
    if (v->bytes < 17 * BLOCK)
        return 1;
    v->type = FS_ISO9660;
    uint8_t primary_root[34] = {0}, joliet_root[34] = {0}, joliet_label[32] = {0};
    int have_primary = 0, have_joliet = 0;
    uint64_t space = 0;
    for (uint32_t b = 16; b < 16 + 64 && (uint64_t)(b + 1) * BLOCK <= v->bytes; b++) {
        const uint8_t *d = fs_io_peek(v, FS_SLOT_DIR, (uint64_t)b * BLOCK, BLOCK);
        if (!d)
            return -1;
        if (memcmp(d + 1, "CD001", 5) != 0) {
            if (b == 16)
                return 1;
            break;
        }
        if (d[0] == 255)
            break;
        if (d[0] == 1 && !have_primary) {
            if (fs_le16(d + 128) != BLOCK)
                return fs_fail(v, "ISO 9660: logical blocks of %u bytes (2048 expected)", fs_le16(d + 128));
            memcpy(primary_root, d + 156, 34);
            space = fs_le32(d + 80);
            set_label(v, d + 40, 0);
            have_primary = 1;
        } else if (d[0] == 2 && d[88] == '%' && d[89] == '/' &&
                   (d[90] == '@' || d[90] == 'C' || d[90] == 'E') && !have_joliet) {
            memcpy(joliet_root, d + 156, 34);
            memcpy(joliet_label, d + 40, 32);
            have_joliet = 1;
        }
    }
    if (!have_primary)
        return fs_fail(v, "ISO 9660: no primary volume descriptor");
    if (space * BLOCK > v->bytes)
        fs_note(&v->notes, "ISO 9660: the volume (%llu bytes) is longer than its device or partition "
                "(%llu bytes): truncated?", (unsigned long long)(space * BLOCK),
                (unsigned long long)v->bytes);

    /* Rock Ridge: an SP entry in the system use area of the root's "." */
    uint32_t root_block = fs_le32(primary_root + 2) + primary_root[1];
    uint32_t root_bytes = fs_le32(primary_root + 10);
    if (!extent_inside(v, root_block, root_bytes) || root_bytes < 34)
        return fs_fail(v, "ISO 9660: the root directory (block %u, %u bytes) is outside the volume",
                       root_block, root_bytes);
    const uint8_t *dot = fs_io_peek(v, FS_SLOT_DIR, (uint64_t)root_block * BLOCK, BLOCK);
    if (!dot)
        return -1;
    v->iso.names = FS_ISO_NAMES_PLAIN;
    if (dot[0] >= 34 && 33u + dot[32] <= dot[0]) {
        const uint8_t *p;
        uint32_t n;
        susp_area(dot, dot[0], 0, &p, &n);
        if (n >= 7 && p[0] == 'S' && p[1] == 'P' && p[4] == 0xBE && p[5] == 0xEF) {
            v->iso.names = FS_ISO_NAMES_ROCK_RIDGE;
            v->iso.susp_skip = p[6];
        }
    }
    if (v->iso.names == FS_ISO_NAMES_PLAIN && have_joliet) {
        uint32_t jb = fs_le32(joliet_root + 2) + joliet_root[1], jn = fs_le32(joliet_root + 10);
        if (extent_inside(v, jb, jn) && jn >= 34) {
            v->iso.names = FS_ISO_NAMES_JOLIET;
            root_block = jb;
            root_bytes = jn;
            if (!v->label[0])
                set_label(v, joliet_label, 1);
        } else {
            fs_note(&v->notes, "ISO 9660: the Joliet tree is outside the volume: plain names used");
        }
    }
    v->case_sensitive = v->iso.names == FS_ISO_NAMES_ROCK_RIDGE;
    memset(&v->root, 0, sizeof v->root);
    v->root.is_dir = 1;
    v->root.extents = 1;
    v->root.extent[0].block = root_block;
    v->root.extent[0].bytes = root_bytes;
    v->root.size = v->root.valid_size = root_bytes;
    return 0;
}

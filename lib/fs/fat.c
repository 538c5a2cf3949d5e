/* FAT12/16/32 (Microsoft's FAT specification, "FAT: General Overview of
 * On-Disk Format"), read-only.
 *
 * The BIOS parameter block in the first sector gives the reserved sectors,
 * the FATs and their size, the fixed root directory (FAT12/16) or the root
 * directory's first cluster (FAT32). The count of data clusters alone
 * decides between FAT12, FAT16 and FAT32, as the specification says.
 *
 * A directory entry is 32 bytes: an 8.3 name, attributes, first cluster,
 * size. A long name comes before its short entry as a run of 0x0F entries
 * of 13 UTF-16 units each, last part first, each carrying the checksum of
 * the short name; a run that is broken or does not match is ignored and
 * the short name used (with the lower-case flags Windows NT sets). */
#include "lib/fs/fat.h"
#include "lib/fs/cluster.h"
#include "lib/fs/io.h"
#include "lib/fs/unicode.h"
#include "lib/libc.h"

uint8_t fat_short_name_checksum(const uint8_t name[11])
{
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++)
        sum = (uint8_t)(((sum & 1) ? 0x80 : 0) + (sum >> 1) + name[i]);
    return sum;
}

static int is_pow2(uint32_t x) { return x && !(x & (x - 1)); }

static unsigned log2u(uint32_t x)
{
    unsigned n = 0;
    while (x > 1)
        x >>= 1, n++;
    return n;
}

/* A BPB label (11 bytes, space-padded) into v->label, "NO NAME" as none. */
static void set_label(fs_volume *v, const uint8_t *p)
{
    int n = 11;
    while (n > 0 && p[n - 1] == ' ')
        n--;
    if (n == 7 && memcmp(p, "NO NAME", 7) == 0)
        n = 0;
    for (int i = 0; i < n; i++)
        v->label[i] = p[i] >= 0x20 && p[i] < 0x7F ? (char)p[i] : '?';
    v->label[n] = 0;
}

int fat_mount(fs_volume *v)
{
    const uint8_t *b = fs_io_peek(v, FS_SLOT_DIR, 0, 512);
    if (!b)
        return -1;
    uint32_t bps = fs_le16(b + 11), spc = b[13], reserved = fs_le16(b + 14), nfats = b[16];
    uint32_t root_entries = fs_le16(b + 17), total = fs_le16(b + 19), fatsz = fs_le16(b + 22);
    if ((b[0] != 0xEB && b[0] != 0xE9) || b[510] != 0x55 || b[511] != 0xAA ||
        bps < 512 || bps > 4096 || !is_pow2(bps) || !is_pow2(spc) || reserved == 0 || nfats == 0)
        return 1;
    if (total == 0)
        total = fs_le32(b + 32);
    if (fatsz == 0)
        fatsz = fs_le32(b + 36);
    uint8_t bpb_label[11], label_sig;
    int fat32_bpb = fs_le16(b + 22) == 0;
    memcpy(bpb_label, b + (fat32_bpb ? 71 : 43), 11);
    label_sig = b[fat32_bpb ? 66 : 38];
    uint32_t root_cluster = fs_le32(b + 44), ext_flags = fs_le16(b + 40);

    v->type = FS_FAT32;                            /* for messages, until known */
    uint64_t root_sectors = ((uint64_t)root_entries * 32 + bps - 1) / bps;
    uint64_t meta = reserved + (uint64_t)nfats * fatsz + root_sectors;
    if (fatsz == 0 || total <= meta)
        return fs_fail(v, "FAT: the boot sector's sizes do not add up (%u sectors, FATs of %u)",
                       total, fatsz);
    uint64_t clusters = (total - meta) / spc;
    enum fs_type type = clusters < 4085 ? FS_FAT12 : clusters < 65525 ? FS_FAT16 : FS_FAT32;
    v->type = type;
    unsigned bits = type == FS_FAT12 ? 12 : type == FS_FAT16 ? 16 : 32;
    if (clusters == 0 || clusters > 0x0FFFFFF5)
        return fs_fail(v, "%s: %llu clusters", fs_type_name(type), (unsigned long long)clusters);
    if ((uint64_t)fatsz * bps * 8 < (clusters + 2) * bits)
        return fs_fail(v, "%s: a FAT of %u sectors is too short for %llu clusters",
                       fs_type_name(type), fatsz, (unsigned long long)clusters);
    if ((uint64_t)bps * spc > (1u << 21))
        return fs_fail(v, "%s: clusters of %u bytes", fs_type_name(type), bps * spc);
    if ((uint64_t)total * bps > v->bytes)
        fs_note(&v->notes, "%s: the volume (%llu bytes) is longer than its partition (%llu bytes)",
                fs_type_name(type), (unsigned long long)total * bps, (unsigned long long)v->bytes);

    fs_fat_layout *g = &v->fat;
    g->fat_offset = (uint64_t)reserved * bps;
    if (type == FS_FAT32 && (ext_flags & 0x80))     /* mirroring off: one active FAT */
        g->fat_offset += (uint64_t)((ext_flags & 15) < nfats ? (ext_flags & 15) : 0) * fatsz * bps;
    g->root_offset = ((uint64_t)reserved + (uint64_t)nfats * fatsz) * bps;
    g->root_bytes = root_entries * 32;
    g->heap_offset = meta * bps;
    g->cluster_shift = log2u(bps * spc);
    g->clusters = (uint32_t)clusters;
    g->fat_bits = bits;
    memset(&v->root, 0, sizeof v->root);
    v->root.is_dir = 1;
    if (type == FS_FAT32) {
        if (root_cluster < 2 || root_cluster > clusters + 1)
            return fs_fail(v, "FAT32: root directory cluster %u is outside the volume", root_cluster);
        v->root.first_cluster = root_cluster;
        v->root.chain_sized = 1;
    } else {
        if (root_entries == 0)
            return fs_fail(v, "%s: no root directory entries", fs_type_name(type));
        v->root.fixed_root = 1;
        v->root.size = g->root_bytes;
    }

    /* The label: the root directory's volume-label entry, else the BPB's. */
    if (label_sig == 0x29)
        set_label(v, bpb_label);
    fs_file root = v->root;
    for (uint64_t pos = 0;; pos += 32) {
        const uint8_t *p;
        int r = fs_file_peek(v, &root, pos, 32, &p);
        if (r < 0)
            return -1;
        if (r == 0 || p[0] == 0)
            break;
        if (p[0] != 0xE5 && (p[11] & 0x3F) != 0x0F && (p[11] & 0x18) == 0x08) {
            set_label(v, p);
            break;
        }
    }
    return 0;
}

/* The 8.3 name of entry p as "NAME.EXT", lower-cased where the NT flags
 * (byte 12) say. */
static void short_name(const uint8_t *p, char *out)
{
    int n = 0, lower_base = p[12] & 0x08, lower_ext = p[12] & 0x10;
    for (int i = 0; i < 8 && p[i] != ' '; i++) {
        uint8_t c = (i == 0 && p[0] == 0x05) ? 0xE5 : p[i];
        out[n++] = (char)(lower_base && c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    if (p[8] != ' ') {
        out[n++] = '.';
        for (int i = 8; i < 11 && p[i] != ' '; i++)
            out[n++] = (char)(lower_ext && p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
    }
    out[n] = 0;
}

int fat_dir_next(fs_volume *v, fs_dir *it, fs_entry *e)
{
    uint16_t lfn[20 * 13];
    int lfn_parts = 0, lfn_next = 0;   /* parts in the run; the part expected next (0: none) */
    uint8_t lfn_sum = 0;
    for (;;) {
        const uint8_t *p;
        int r = fs_file_peek(v, &it->dir, it->pos, 32, &p);
        if (r <= 0)
            return r;
        if (p[0] == 0x00)
            return 0;
        it->pos += 32;
        if (p[0] == 0xE5) {
            lfn_next = 0;
            continue;
        }
        if ((p[11] & 0x3F) == 0x0F) {                /* a long-name part */
            int seq = p[0] & 0x1F;
            if (p[0] & 0x40) {
                lfn_parts = lfn_next = seq;
                lfn_sum = p[13];
                if (seq == 0 || seq > 20)
                    lfn_next = 0;
            }
            if (lfn_next == 0 || seq != lfn_next || p[13] != lfn_sum) {
                lfn_next = 0;
                continue;
            }
            uint16_t *d = lfn + (seq - 1) * 13;
            for (int k = 0; k < 5; k++) d[k] = fs_le16(p + 1 + 2 * k);
            for (int k = 0; k < 6; k++) d[5 + k] = fs_le16(p + 14 + 2 * k);
            for (int k = 0; k < 2; k++) d[11 + k] = fs_le16(p + 28 + 2 * k);
            lfn_next--;
            if (lfn_next == 0)
                lfn_next = -1;                        /* complete: the short entry is due */
            continue;
        }
        int have_lfn = lfn_next == -1 && fat_short_name_checksum(p) == lfn_sum;
        lfn_next = 0;
        if (p[11] & 0x08)                             /* volume label */
            continue;
        if (p[0] == '.' && (p[1] == ' ' || (p[1] == '.' && p[2] == ' ')))
            continue;
        uint8_t raw[32];
        memcpy(raw, p, 32);
        int named = 0;
        if (have_lfn) {
            size_t n = 0;
            while (n < (size_t)lfn_parts * 13 && lfn[n] != 0)
                n++;
            if (fs_utf16_to_utf8(lfn, n, e->name, sizeof e->name) < 0) {
                fs_note(&v->notes, "%s: a name longer than %d bytes was skipped",
                        fs_type_name(v->type), FS_NAME_MAX - 1);
                continue;
            }
            named = n > 0;
        }
        if (!named)
            short_name(raw, e->name);
        memset(&e->file, 0, sizeof e->file);
        e->file.is_dir = (raw[11] & 0x10) != 0;
        e->file.first_cluster = fs_le16(raw + 26) |
                                (v->type == FS_FAT32 ? (uint32_t)fs_le16(raw + 20) << 16 : 0);
        if (e->file.is_dir) {
            e->file.chain_sized = 1;
            if (e->file.first_cluster == 0) {
                fs_note(&v->notes, "%s: directory \"%s\" has no clusters: skipped",
                        fs_type_name(v->type), e->name);
                continue;
            }
        } else {
            e->file.size = fs_le32(raw + 28);
            e->file.valid_size = e->file.size;
        }
        if (cluster_check(v, &e->file) != 0) {
            fs_note(&v->notes, "%s (\"%s\"): skipped", v->err, e->name);
            continue;
        }
        return 1;
    }
}

/* exFAT (Microsoft's exFAT file system specification, 2019), read-only.
 *
 * The boot sector gives the geometry: where the FAT and the cluster heap
 * are, the cluster size, the root directory's first cluster. Its first
 * eleven sectors are covered by a checksum repeated through the twelfth;
 * when it does not match, the backup boot region (sectors 12-23) is used.
 *
 * A directory is a list of 32-byte entries. A file is an entry set: a File
 * entry (0x85: attributes, the number of secondary entries, a checksum of
 * the whole set), a Stream Extension (0xC0: first cluster, size, the
 * NoFatChain flag for a file whose clusters follow one another, name
 * length) and File Name entries (0xC1: 15 UTF-16 units each). Entries
 * with the top bit clear are deleted; 0x00 ends the directory. The
 * allocation bitmap and the up-case table are not needed to read: names
 * are compared with lib/fs/unicode.c's up-casing. */
#include "lib/fs/exfat.h"
#include "lib/fs/cluster.h"
#include "lib/fs/io.h"
#include "lib/fs/unicode.h"
#include "lib/libc.h"

uint32_t exfat_boot_checksum(const uint8_t *sectors, uint32_t bytes_per_sector)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < 11 * bytes_per_sector; i++) {
        if (i == 106 || i == 107 || i == 112)    /* VolumeFlags, PercentInUse */
            continue;
        sum = ((sum & 1) ? 0x80000000u : 0) + (sum >> 1) + sectors[i];
    }
    return sum;
}

uint16_t exfat_set_checksum(const uint8_t *entries, unsigned count)
{
    uint16_t sum = 0;
    for (unsigned i = 0; i < count * 32; i++) {
        if (i == 2 || i == 3)
            continue;
        sum = (uint16_t)(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + entries[i]);
    }
    return sum;
}

static uint32_t checksum_step(uint32_t sum, const uint8_t *p, uint32_t n, uint32_t skip_base)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t at = skip_base + i;
        if (at == 106 || at == 107 || at == 112)
            continue;
        sum = ((sum & 1) ? 0x80000000u : 0) + (sum >> 1) + p[i];
    }
    return sum;
}

/* Checks the boot region at sector base (0 main, 12 backup) and fills in
 * the layout. 0, or -1 with a reason in v->err. */
static int boot_region(fs_volume *v, uint32_t base, unsigned shift)
{
    uint32_t ss = 1u << shift;
    const uint8_t *b = fs_io_peek(v, FS_SLOT_DIR, (uint64_t)base * ss, 512);
    if (!b)
        return -1;
    if (memcmp(b + 3, "EXFAT   ", 8) != 0 || b[510] != 0x55 || b[511] != 0xAA)
        return fs_fail(v, "exFAT: the boot sector at sector %u has no exFAT signature", base);
    unsigned cshift = b[109];
    if (b[108] != shift || cshift > 25 - shift)
        return fs_fail(v, "exFAT: the boot sector has sector shift %u and cluster shift %u",
                       b[108], cshift);
    for (int i = 11; i < 64; i++)
        if (b[i])
            return fs_fail(v, "exFAT: boot sector bytes 11-63 are not zero");
    uint64_t vol_len = fs_le64(b + 72);
    uint32_t fat_off = fs_le32(b + 80), fat_len = fs_le32(b + 84);
    uint32_t heap_off = fs_le32(b + 88), count = fs_le32(b + 92), root = fs_le32(b + 96);
    unsigned nfats = b[110], flags = fs_le16(b + 106);

    uint32_t sum = 0;
    for (uint32_t s = 0; s < 11; s++) {
        const uint8_t *p = fs_io_peek(v, FS_SLOT_DIR, (uint64_t)(base + s) * ss, ss);
        if (!p)
            return -1;
        sum = checksum_step(sum, p, ss, s * ss);
    }
    const uint8_t *c = fs_io_peek(v, FS_SLOT_DIR, (uint64_t)(base + 11) * ss, ss);
    if (!c)
        return -1;
    for (uint32_t i = 0; i < ss; i += 4)
        if (fs_le32(c + i) != sum)
            return fs_fail(v, "exFAT: the boot region's checksum does not match (0x%08x, stored 0x%08x)",
                           sum, fs_le32(c + i));

    if (nfats != 1 && nfats != 2)
        return fs_fail(v, "exFAT: %u FATs (1 or 2 expected)", nfats);
    if (count < 1 || count > 0xFFFFFFF5u)
        return fs_fail(v, "exFAT: cluster count %u", count);
    if (fat_off < 24 || (uint64_t)fat_len * ss < ((uint64_t)count + 2) * 4)
        return fs_fail(v, "exFAT: the FAT (sector %u, %u sectors) is misplaced or too short for %u clusters",
                       fat_off, fat_len, count);
    if ((uint64_t)heap_off < (uint64_t)fat_off + (uint64_t)fat_len * nfats)
        return fs_fail(v, "exFAT: the cluster heap (sector %u) overlaps the FAT", heap_off);
    uint64_t heap_end = (uint64_t)heap_off * ss + ((uint64_t)count << (shift + cshift));
    if (heap_end > vol_len * ss || vol_len > (UINT64_MAX >> shift))
        return fs_fail(v, "exFAT: the cluster heap ends past the volume's own length");
    if (root < 2 || root > count + 1)
        return fs_fail(v, "exFAT: root directory cluster %u is outside the volume", root);
    if (vol_len * ss > v->bytes)
        fs_note(&v->notes, "exFAT: the volume (%llu bytes) is longer than its partition (%llu bytes)",
                (unsigned long long)(vol_len * ss), (unsigned long long)v->bytes);

    v->fat.fat_offset = (uint64_t)fat_off * ss;
    if (nfats == 2 && (flags & 1))                 /* ActiveFat: the second */
        v->fat.fat_offset += (uint64_t)fat_len * ss;
    v->fat.heap_offset = (uint64_t)heap_off * ss;
    v->fat.cluster_shift = shift + cshift;
    v->fat.clusters = count;
    v->fat.fat_bits = 32;
    memset(&v->root, 0, sizeof v->root);
    v->root.is_dir = 1;
    v->root.chain_sized = 1;
    v->root.first_cluster = root;
    return 0;
}

/* The label: the Volume Label entry (0x83) of the root directory. */
static int read_label(fs_volume *v)
{
    fs_file root = v->root;
    for (uint64_t pos = 0;; pos += 32) {
        const uint8_t *p;
        int r = fs_file_peek(v, &root, pos, 32, &p);
        if (r <= 0)
            return r;
        if (p[0] == 0x00)
            return 0;
        if (p[0] == 0x83) {
            uint16_t name[11];
            unsigned n = p[1] > 11 ? 11 : p[1];
            for (unsigned i = 0; i < n; i++)
                name[i] = fs_le16(p + 2 + 2 * i);
            fs_utf16_to_utf8(name, n, v->label, sizeof v->label);
            return 0;
        }
    }
}

int exfat_mount(fs_volume *v)
{
    const uint8_t *b = fs_io_peek(v, FS_SLOT_DIR, 0, 512);
    if (!b)
        return -1;
    if (memcmp(b + 3, "EXFAT   ", 8) != 0)
        return 1;
    v->type = FS_EXFAT;
    unsigned shift = b[108];
    if (shift < 9 || shift > 12 || boot_region(v, 0, shift) != 0) {
        char why[sizeof v->err];
        if (shift < 9 || shift > 12)
            fs_fail(v, "exFAT: the boot sector has sector shift %u", shift);
        memcpy(why, v->err, sizeof why);
        /* The backup's place depends on the sector size, which the damaged
         * sector may no longer say: try each. */
        int ok = 0;
        for (shift = 9; shift <= 12 && !ok; shift++)
            ok = boot_region(v, 12, shift) == 0;
        if (!ok)
            return fs_fail(v, "%s; the backup boot region is damaged too", why);
        fs_note(&v->notes, "%s: using the backup boot region", why);
    }
    return read_label(v);
}

int exfat_dir_next(fs_volume *v, fs_dir *it, fs_entry *e)
{
    for (;;) {
        const uint8_t *p;
        int r = fs_file_peek(v, &it->dir, it->pos, 32, &p);
        if (r <= 0)
            return r;
        if (p[0] == 0x00)                            /* end of the directory */
            return 0;
        it->pos += 32;
        if (p[0] != 0x85)                            /* not a File entry in use */
            continue;

        uint8_t first[32];
        memcpy(first, p, 32);
        unsigned secondaries = first[1];
        uint16_t want = fs_le16(first + 2), attributes = fs_le16(first + 4);
        uint16_t sum = exfat_set_checksum(first, 1);
        uint16_t name[255];
        unsigned name_len = 0, got = 0, stream = 0;
        uint8_t flags = 0;
        uint32_t cluster = 0;
        uint64_t size = 0, valid = 0;
        int broken = 0;
        for (unsigned i = 1; i <= secondaries; i++) {
            r = fs_file_peek(v, &it->dir, it->pos, 32, &p);
            if (r < 0)
                return -1;
            if (r == 0 || !(p[0] & 0x80) || (p[0] & 0x40) == 0) {
                broken = 1;                          /* not a secondary in use: resume here */
                break;
            }
            it->pos += 32;
            for (int k = 0; k < 32; k++)
                sum = (uint16_t)(((sum & 1) ? 0x8000 : 0) + (sum >> 1) + p[k]);
            if (i == 1 && p[0] == 0xC0) {
                stream = 1;
                flags = p[1];
                name_len = p[3];
                valid = fs_le64(p + 8);
                cluster = fs_le32(p + 20);
                size = fs_le64(p + 24);
            } else if (p[0] == 0xC1 && stream) {
                for (int k = 0; k < 15 && got < name_len; k++)
                    name[got++] = fs_le16(p + 2 + 2 * k);
            }
        }
        if (broken || secondaries < 2 || !stream) {
            fs_note(&v->notes, "exFAT: an incomplete directory entry set was skipped");
            continue;
        }
        if (sum != want) {
            fs_note(&v->notes, "exFAT: a directory entry set with a wrong checksum was skipped");
            continue;
        }
        if (got < name_len || name_len == 0) {
            fs_note(&v->notes, "exFAT: an entry set lacks part of its name: skipped");
            continue;
        }
        if (fs_utf16_to_utf8(name, name_len, e->name, sizeof e->name) < 0) {
            fs_note(&v->notes, "exFAT: a name longer than %d bytes was skipped", FS_NAME_MAX - 1);
            continue;
        }
        memset(&e->file, 0, sizeof e->file);
        e->file.is_dir = (attributes & 0x10) != 0;
        e->file.size = size;
        e->file.valid_size = valid < size ? valid : size;
        if (flags & 1) {                              /* AllocationPossible */
            e->file.first_cluster = cluster;
            e->file.contiguous = (flags & 2) != 0;    /* NoFatChain */
        } else if (size != 0) {
            fs_note(&v->notes, "exFAT: \"%s\" has a size but no clusters: skipped", e->name);
            continue;
        }
        if (cluster_check(v, &e->file) != 0) {
            fs_note(&v->notes, "%s (\"%s\"): skipped", v->err, e->name);
            continue;
        }
        return 1;
    }
}

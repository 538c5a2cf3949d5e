/* Partition tables (see fs.h, fs_read_partitions).
 *
 * MBR: sector 0 ends in 0x55 0xAA and holds four 16-byte entries at 446
 * (type, first sector, sector count). An extended entry (0x05, 0x0F,
 * 0x85) starts a chain of extended boot records, each with one logical
 * partition (relative to that record) and a link to the next record
 * (relative to the extended partition). A 0xEE entry protects a GPT.
 *
 * GPT (UEFI specification, chapter 5): a header in sector 1 ("EFI PART",
 * its own CRC32, where the entry array is and the array's CRC32) and a
 * backup header in the last sector, with its own array. Each 128-byte (or
 * larger) entry: type GUID (zero: unused), unique GUID, first and last
 * sector, attributes, a UTF-16 name.
 *
 * A sector 0 that is the boot sector of a FAT or exFAT volume (a stick
 * formatted without a table) and a device of 2048-byte sectors (a CD) are
 * one volume, the whole device. A hybrid ISO written to a stick (what
 * grub-mkrescue makes) has a table, GPT or MBR, whose partitions hold
 * its boot images, while the ISO 9660 volume itself starts at sector 0
 * and is in no partition: when the device holds an ISO 9660 volume
 * descriptor at byte 32768, the whole device comes first in the list. */
#include <stdarg.h>

#include "lib/fs/fs.h"
#include "lib/fs/crc32.h"
#include "lib/fs/io.h"
#include "lib/fs/unicode.h"
#include "lib/format.h"
#include "lib/libc.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        fmt_vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void whole_device(const fs_blockdev *dev, fs_partition_table *t)
{
    t->scheme = FS_SCHEME_NONE;
    t->count = 1;
    memset(&t->part[0], 0, sizeof t->part[0]);
    t->part[0].first_lba = 0;
    t->part[0].sectors = dev->sectors;
}

/* Adds a partition if it lies on the device; else a note. */
static void add(const fs_blockdev *dev, fs_partition_table *t, const fs_partition *p)
{
    if (p->sectors == 0)
        return;
    if (p->first_lba >= dev->sectors || p->sectors > dev->sectors - p->first_lba) {
        fs_note(&t->notes, "partition %d (sectors %llu+%llu) reaches past the disk's end (%llu sectors): skipped",
                p->number, (unsigned long long)p->first_lba, (unsigned long long)p->sectors,
                (unsigned long long)dev->sectors);
        return;
    }
    if (t->count == FS_MAX_PARTITIONS) {
        fs_note(&t->notes, "partition %d and later ones skipped: more than %d partitions",
                p->number, FS_MAX_PARTITIONS);
        return;
    }
    t->part[t->count++] = *p;
}

/* A FAT or exFAT boot sector rather than an MBR. */
static int looks_like_boot_sector(const uint8_t *s)
{
    if (memcmp(s + 3, "EXFAT   ", 8) == 0)
        return 1;
    if (s[0] != 0xEB && s[0] != 0xE9)
        return 0;
    uint32_t bps = fs_le16(s + 11);
    return (bps == 512 || bps == 1024 || bps == 2048 || bps == 4096) && s[13] &&
           !(s[13] & (s[13] - 1)) && fs_le16(s + 14) && s[16] &&
           (memcmp(s + 54, "FAT", 3) == 0 || memcmp(s + 82, "FAT32", 5) == 0);
}

/* ------------------------------------------------------------ GPT */

struct gpt_header {
    uint64_t my_lba, alternate_lba, first_usable, last_usable, entries_lba;
    uint32_t entries, entry_size, entries_crc;
};

/* Reads and checks the header at lba: 0, or -1 with the reason in why. */
static int gpt_header(const fs_blockdev *dev, fs_partition_table *t, uint64_t lba,
                      struct gpt_header *h, char *why, size_t whylen)
{
    uint8_t *s = t->sector;
    uint32_t ss = dev->sector_size;
    if (fs_dev_read(dev, lba, 1, s, why, whylen) != 0)
        return -1;
    if (memcmp(s, "EFI PART", 8) != 0)
        return fail(why, whylen, "no \"EFI PART\" signature at sector %llu", (unsigned long long)lba);
    uint32_t size = fs_le32(s + 12), crc = fs_le32(s + 16);
    if (size < 92 || size > ss)
        return fail(why, whylen, "header size %u", size);
    static const uint8_t zero[4];
    uint32_t c = crc32_update(0, s, 16);
    c = crc32_update(c, zero, 4);
    c = crc32_update(c, s + 20, size - 20);
    if (c != crc)
        return fail(why, whylen, "header CRC32 0x%08x, computed 0x%08x", crc, c);
    h->my_lba = fs_le64(s + 24);
    h->alternate_lba = fs_le64(s + 32);
    h->first_usable = fs_le64(s + 40);
    h->last_usable = fs_le64(s + 48);
    h->entries_lba = fs_le64(s + 72);
    h->entries = fs_le32(s + 80);
    h->entry_size = fs_le32(s + 84);
    h->entries_crc = fs_le32(s + 88);
    if (h->my_lba != lba)
        return fail(why, whylen, "header at sector %llu says it is at %llu", (unsigned long long)lba,
                    (unsigned long long)h->my_lba);
    if (h->entry_size < 128 || h->entry_size % 8 || h->entry_size > ss || ss % h->entry_size ||
        h->entries == 0 || h->entries > 4096)
        return fail(why, whylen, "%u entries of %u bytes", h->entries, h->entry_size);
    uint64_t array_sectors = ((uint64_t)h->entries * h->entry_size + ss - 1) / ss;
    if (h->entries_lba >= dev->sectors || array_sectors > dev->sectors - h->entries_lba)
        return fail(why, whylen, "the entry array (sector %llu, %llu sectors) is past the disk's end "
                    "(%llu sectors: a disk image written to a smaller disk?)",
                    (unsigned long long)h->entries_lba, (unsigned long long)array_sectors,
                    (unsigned long long)dev->sectors);
    /* The array's CRC, sector by sector. */
    uint64_t left = (uint64_t)h->entries * h->entry_size;
    c = 0;
    for (uint64_t i = 0; i < array_sectors; i++) {
        if (fs_dev_read(dev, h->entries_lba + i, 1, s, why, whylen) != 0)
            return -1;
        uint32_t n = left < ss ? (uint32_t)left : ss;
        c = crc32_update(c, s, n);
        left -= n;
    }
    if (c != h->entries_crc)
        return fail(why, whylen, "entry array CRC32 0x%08x, computed 0x%08x", h->entries_crc, c);
    return 0;
}

static int gpt(const fs_blockdev *dev, fs_partition_table *t, char *err, size_t errlen)
{
    struct gpt_header h;
    char why1[96], why2[96];
    uint32_t ss = dev->sector_size;
    t->scheme = FS_SCHEME_GPT;
    if (gpt_header(dev, t, 1, &h, why1, sizeof why1) != 0) {
        if (gpt_header(dev, t, dev->sectors - 1, &h, why2, sizeof why2) != 0)
            return fail(err, errlen, "GPT: the primary header is damaged (%s) and so is the backup (%s)",
                        why1, why2);
        fs_note(&t->notes, "GPT: the primary header is damaged (%s): using the backup", why1);
    } else if (h.alternate_lba != dev->sectors - 1) {
        fs_note(&t->notes, "GPT: the backup header is at sector %llu, not at the disk's end (%llu): "
                "an image written to a larger disk?", (unsigned long long)h.alternate_lba,
                (unsigned long long)(dev->sectors - 1));
    }
    uint32_t per_sector = ss / h.entry_size;
    uint64_t sector = (uint64_t)-1;
    for (uint32_t i = 0; i < h.entries; i++) {
        if (i / per_sector != sector) {
            sector = i / per_sector;
            if (fs_dev_read(dev, h.entries_lba + sector, 1, t->sector, err, errlen) != 0)
                return -1;
        }
        const uint8_t *e = t->sector + (i % per_sector) * h.entry_size;
        static const uint8_t unused[16];
        if (memcmp(e, unused, 16) == 0)
            continue;
        fs_partition p;
        memset(&p, 0, sizeof p);
        p.number = (int)i + 1;
        memcpy(p.gpt_type, e, 16);
        uint64_t first = fs_le64(e + 32), last = fs_le64(e + 40);
        uint16_t name[36];
        size_t n = 0;
        while (n < 36 && (name[n] = fs_le16(e + 56 + 2 * n)) != 0)
            n++;
        fs_utf16_to_utf8(name, n, p.name, sizeof p.name);
        if (last < first) {
            fs_note(&t->notes, "GPT: partition %d ends (sector %llu) before it begins (%llu): skipped",
                    p.number, (unsigned long long)last, (unsigned long long)first);
            continue;
        }
        p.first_lba = first;
        p.sectors = last - first + 1;
        add(dev, t, &p);
    }
    return 0;
}

/* ------------------------------------------------------------ MBR */

static int is_extended(uint8_t type) { return type == 0x05 || type == 0x0F || type == 0x85; }

static int mbr_logical(const fs_blockdev *dev, fs_partition_table *t, uint64_t ext_start,
                       uint64_t ext_sectors, char *err, size_t errlen)
{
    uint64_t ebr = ext_start;
    for (int number = 5; number < 5 + 64; number++) {
        if (ebr < ext_start || ebr >= ext_start + ext_sectors || ebr >= dev->sectors) {
            fs_note(&t->notes, "MBR: an extended boot record (sector %llu) outside its extended partition: "
                    "the logical partitions after it are skipped", (unsigned long long)ebr);
            return 0;
        }
        if (fs_dev_read(dev, ebr, 1, t->sector, err, errlen) != 0)
            return -1;
        const uint8_t *s = t->sector;
        if (s[510] != 0x55 || s[511] != 0xAA) {
            fs_note(&t->notes, "MBR: the extended boot record at sector %llu has no signature: "
                    "the logical partitions from there on are skipped", (unsigned long long)ebr);
            return 0;
        }
        const uint8_t *e0 = s + 446, *e1 = s + 462;
        fs_partition p;
        memset(&p, 0, sizeof p);
        p.number = number;
        p.mbr_type = e0[4];
        p.first_lba = ebr + fs_le32(e0 + 8);
        p.sectors = fs_le32(e0 + 12);
        uint8_t next_type = e1[4];
        uint64_t next = ext_start + fs_le32(e1 + 8);
        if (p.mbr_type)
            add(dev, t, &p);
        if (!is_extended(next_type) || fs_le32(e1 + 8) == 0)
            return 0;
        if (next <= ebr) {
            fs_note(&t->notes, "MBR: the chain of extended boot records goes backwards at sector %llu: "
                    "stopped there", (unsigned long long)ebr);
            return 0;
        }
        ebr = next;
    }
    fs_note(&t->notes, "MBR: more than 64 logical partitions: the rest are skipped");
    return 0;
}

static int mbr(const fs_blockdev *dev, fs_partition_table *t, const uint8_t entries[64],
               char *err, size_t errlen)
{
    t->scheme = FS_SCHEME_MBR;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = entries + 16 * i;
        fs_partition p;
        memset(&p, 0, sizeof p);
        p.number = i + 1;
        p.mbr_type = e[4];
        p.first_lba = fs_le32(e + 8);
        p.sectors = fs_le32(e + 12);
        if (p.mbr_type == 0)
            continue;
        if (is_extended(p.mbr_type)) {
            if (mbr_logical(dev, t, p.first_lba, p.sectors, err, errlen) != 0)
                return -1;
            continue;
        }
        add(dev, t, &p);
    }
    return 0;
}

int fs_read_partitions(const fs_blockdev *dev, fs_partition_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (err && errlen)
        err[0] = 0;
    uint32_t ss = dev->sector_size;
    if (ss != 512 && ss != 2048 && ss != 4096)
        return fail(err, errlen, "sectors of %u bytes (512, 2048 or 4096 expected)", ss);
    if (dev->sectors == 0)
        return fail(err, errlen, "the device is empty (0 sectors)");
    if (ss == 2048) {                            /* a CD: never partitioned */
        whole_device(dev, t);
        return 0;
    }
    if (fs_dev_read(dev, 0, 1, t->sector, err, errlen) != 0)
        return -1;
    const uint8_t *s = t->sector;
    if (s[510] != 0x55 || s[511] != 0xAA || looks_like_boot_sector(s)) {
        whole_device(dev, t);
        return 0;
    }
    int protective = 0, plausible = 1;
    for (int i = 0; i < 4; i++) {
        const uint8_t *e = s + 446 + 16 * i;
        if (e[4] == 0xEE)
            protective = 1;
        if (e[0] != 0x00 && e[0] != 0x80)
            plausible = 0;
    }
    if (!protective && !plausible) {
        whole_device(dev, t);
        return 0;
    }
    uint8_t entries[64];
    memcpy(entries, s + 446, 64);
    /* A hybrid ISO: the whole device first. */
    uint64_t cd001 = 32768 / ss;
    if (cd001 < dev->sectors) {
        if (fs_dev_read(dev, cd001, 1, t->sector, err, errlen) != 0)
            return -1;
        if (memcmp(t->sector + 32768 % ss + 1, "CD001", 5) == 0)
            whole_device(dev, t);
    }
    int r = protective ? gpt(dev, t, err, errlen) : mbr(dev, t, entries, err, errlen);
    if (r != 0)
        return -1;
    if (t->count == 0 && t->notes.count == 0)
        whole_device(dev, t);                    /* an MBR with no partitions: try the whole disk */
    return 0;
}

const char *fs_partition_kind(const fs_partition *p)
{
    static const struct { uint8_t guid[16]; const char *name; } kinds[] = {
        {{0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b},
         "EFI system"},
        {{0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26, 0x99, 0xc7},
         "Microsoft basic data"},
        {{0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4},
         "Linux filesystem"},
        {{0x48, 0x61, 0x68, 0x21, 0x49, 0x64, 0x6f, 0x6e, 0x74, 0x4e, 0x65, 0x65, 0x64, 0x45, 0x46, 0x49},
         "BIOS boot"},
        {{0x16, 0xe3, 0xc9, 0xe3, 0x5c, 0x0b, 0xb8, 0x4d, 0x81, 0x7d, 0xf9, 0x2d, 0xf0, 0x02, 0x15, 0xae},
         "Microsoft reserved"},
        {{0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac},
         "Apple HFS+"},
    };
    static const uint8_t zero[16];
    if (memcmp(p->gpt_type, zero, 16) != 0) {
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
            if (memcmp(p->gpt_type, kinds[i].guid, 16) == 0)
                return kinds[i].name;
        return "unknown";
    }
    switch (p->mbr_type) {
    case 0x00: return p->number == 0 ? "whole device" : "empty";
    case 0x01: return "FAT12";
    case 0x04: case 0x06: case 0x0E: return "FAT16";
    case 0x07: return "exFAT or NTFS";
    case 0x0B: case 0x0C: return "FAT32";
    case 0x17: return "hidden exFAT or NTFS";
    case 0x83: return "Linux";
    case 0xEF: return "EFI system";
    default: return "unknown";
    }
}

/* Tests lib/fs on disk images made by the tools people use
 * (tests/host/fs_images.sh: sgdisk, sfdisk, mkfs.fat + mtools, xorriso,
 * grub-mkrescue, mkfs.exfat and this project's tools/mkexfat), read
 * through a block device over memory or a (sparse) file: partition tables,
 * labels, every file listed with its size, files found by path whatever
 * the case, their bytes equal to the originals, large reads going straight
 * to the destination, files past 4 GiB (exFAT, ISO 9660 multi-extent).
 * Then damage, each case saying whether it must give an error or a note:
 * a GPT whose primary or both headers are broken, a disk shorter than its
 * table, an exFAT boot region with a bad checksum, a cluster loop, a chain
 * shorter than its file, a device that fails reads. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"
#include "lib/fs/fs.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

#define OUT "build/tests/fs"

/* ------------------------------------------------------------ devices */

struct disk {
    uint8_t *data;          /* the image in memory, or NULL: read from fd */
    int fd;
    uint64_t bytes;
    uint32_t sector;
    uint64_t reads, largest, fail_from;   /* fail_from: reads from this lba fail (0: never) */
};

static int disk_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
    struct disk *d = ctx;
    uint64_t at = lba * d->sector, n = count * d->sector;
    if (at + n > d->bytes) {
        fprintf(stderr, "read past the image: lba %llu count %llu\n", (unsigned long long)lba,
                (unsigned long long)count);
        abort();                     /* lib/fs must never ask for this */
    }
    if (d->fail_from && lba + count > d->fail_from)
        return -1;
    d->reads++;
    if (n > d->largest)
        d->largest = n;
    if (d->data) {
        memcpy(buf, d->data + at, n);
        return 0;
    }
    return pread(d->fd, buf, n, (off_t)at) == (ssize_t)n ? 0 : -1;
}

static struct disk disk;
static fs_blockdev dev;
static char err[256];

/* Opens an image of build/tests/fs: into memory (small ones, so that
 * tests may damage them) or as a file. */
static int open_image(const char *name, uint32_t sector, int in_memory)
{
    char path[256];
    snprintf(path, sizeof path, OUT "/%s", name);
    if (disk.data)
        free(disk.data);
    if (disk.fd > 0)
        close(disk.fd);
    memset(&disk, 0, sizeof disk);
    disk.fd = open(path, O_RDONLY);
    if (disk.fd < 0)
        return -1;
    struct stat st;
    fstat(disk.fd, &st);
    disk.bytes = (uint64_t)st.st_size;
    disk.sector = sector;
    if (in_memory) {
        disk.data = malloc(disk.bytes);
        if (!disk.data || pread(disk.fd, disk.data, disk.bytes, 0) != (ssize_t)disk.bytes)
            return -1;
    }
    dev = (fs_blockdev){&disk, sector, disk.bytes / sector, disk_read};
    return 0;
}

static uint8_t *slurp(const char *name, size_t *n)
{
    char path[256];
    snprintf(path, sizeof path, OUT "/files/%s", name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*n + 1);
    if (fread(p, 1, *n, f) != *n)
        *n = 0;
    fclose(f);
    return p;
}

static fs_partition_table table;
static fs_volume vol;

static fs_partition whole(void)
{
    return (fs_partition){.number = 0, .first_lba = 0, .sectors = dev.sectors};
}

static int mount_whole(void)
{
    fs_partition p = whole();
    return fs_mount(&vol, &dev, &p, err, sizeof err);
}

/* ------------------------------------------------------------ listing */

static char listing[400];

static int collect(void *ctx, const char *path, const fs_file *f)
{
    size_t n = strlen(listing);
    snprintf(listing + n, sizeof listing - n, "%s %llu\n", path, (unsigned long long)f->size);
    return 0;
}

static int walk(void)
{
    listing[0] = 0;
    return fs_walk(&vol, collect, 0, err, sizeof err);
}

/* The file at path equals build/tests/fs/files/name: read whole, and in
 * odd chunks in order. */
static void check_file(const char *path, const char *name)
{
    size_t n;
    uint8_t *want = slurp(name, &n);
    CHECK(want, "cannot read %s", name);
    if (!want)
        return;
    fs_file f;
    int r = fs_find(&vol, path, &f, err, sizeof err);
    CHECK(r == 0, "%s: %s", path, err);
    if (r == 0) {
        CHECK(f.size == n && !f.is_dir, "%s: size %llu, want %zu", path, (unsigned long long)f.size, n);
        uint8_t *got = malloc(n + 1);
        CHECK(fs_read(&vol, &f, 0, got, n, err, sizeof err) == 0, "%s: %s", path, err);
        CHECK(memcmp(got, want, n) == 0, "%s: bytes differ", path);
        memset(got, 0, n);
        for (size_t at = 0; at < n;) {
            size_t k = n - at < 7777 ? n - at : 7777;
            if (fs_read(&vol, &f, at, got + at, k, err, sizeof err) != 0) {
                CHECK(0, "%s at %zu: %s", path, at, err);
                break;
            }
            at += k;
        }
        CHECK(memcmp(got, want, n) == 0, "%s: bytes read in chunks differ", path);
        if (n > 1000) {                   /* backwards: the chain is walked again */
            CHECK(fs_read(&vol, &f, n - 1000, got, 1000, err, sizeof err) == 0 &&
                  memcmp(got, want + n - 1000, 1000) == 0, "%s: the last 1000 bytes", path);
            CHECK(fs_read(&vol, &f, 3, got, 500, err, sizeof err) == 0 &&
                  memcmp(got, want + 3, 500) == 0, "%s: bytes 3..503 after the end", path);
        }
        CHECK(fs_read(&vol, &f, n, got, 1, err, sizeof err) == -1, "%s: a read past the end", path);
        free(got);
    }
    free(want);
}

static void expect_listed(const char *line)
{
    CHECK(strstr(listing, line) != NULL, "\"%s\" not in the listing:\n%s", line, listing);
}

/* ------------------------------------------------------------ partitions */

TEST(partitions_gpt)
{
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.scheme == FS_SCHEME_GPT && table.count == 3, "scheme %d, %d partitions", table.scheme,
          table.count);
    CHECK(table.notes.count == 0, "note: %s", table.notes.text[0]);
    unsigned long long s[6];
    FILE *f = fopen(OUT "/gpt.layout", "r");
    CHECK(f && fscanf(f, "%llu %llu %llu %llu %llu %llu", s, s + 1, s + 2, s + 3, s + 4, s + 5) == 6,
          "gpt.layout");
    if (f)
        fclose(f);
    for (int i = 0; i < 3 && i < table.count; i++) {
        CHECK(table.part[i].number == i + 1 && table.part[i].first_lba == s[2 * i] &&
              table.part[i].sectors == s[2 * i + 1], "partition %d: %llu+%llu, want %llu+%llu", i + 1,
              (unsigned long long)table.part[i].first_lba, (unsigned long long)table.part[i].sectors,
              s[2 * i], s[2 * i + 1]);
    }
    CHECK(!strcmp(fs_partition_kind(&table.part[0]), "EFI system"), "%s", fs_partition_kind(&table.part[0]));
    CHECK(!strcmp(fs_partition_kind(&table.part[1]), "Microsoft basic data"), "kind of 2");
    CHECK(!strcmp(table.part[1].name, "LLAMA2 data"), "name \"%s\"", table.part[1].name);
    const char *labels[3] = {"ESP", "LLAMA2", "THIRD"};
    enum fs_type types[3] = {FS_FAT16, FS_EXFAT, FS_FAT32};
    for (int i = 0; i < 3 && i < table.count; i++) {
        CHECK(fs_mount(&vol, &dev, &table.part[i], err, sizeof err) == 0, "partition %d: %s", i + 1, err);
        CHECK(vol.type == types[i] && !strcmp(vol.label, labels[i]), "partition %d: %s \"%s\"", i + 1,
              fs_type_name(vol.type), vol.label);
    }
    CHECK(fs_mount(&vol, &dev, &table.part[1], err, sizeof err) == 0, "%s", err);
    check_file("/models/model.gguf", "model.gguf");
    CHECK(fs_mount(&vol, &dev, &table.part[2], err, sizeof err) == 0, "%s", err);
    check_file("/models/sub/tokenizer.bin", "tokenizer.bin");
}

/* Sector 1 damaged: the backup header at the disk's end is used, with a note. */
TEST(gpt_primary_damaged_uses_backup)
{
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    disk.data[512 + 40] ^= 0xFF;                    /* inside the header's CRC */
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.scheme == FS_SCHEME_GPT && table.count == 3, "%d partitions", table.count);
    CHECK(table.notes.count == 1 && strstr(table.notes.text[0], "using the backup"), "notes: %d %s",
          table.notes.count, table.notes.text[0]);
    /* the entry array, not the header, damaged: the same */
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    disk.data[2 * 512 + 130] ^= 0x01;
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.count == 3 && table.notes.count == 1 && strstr(table.notes.text[0], "entry array CRC32"),
          "%d partitions, note %s", table.count, table.notes.text[0]);
}

/* Both headers damaged: an error naming both. */
TEST(gpt_both_damaged_is_an_error)
{
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    disk.data[512 + 40] ^= 0xFF;
    disk.data[disk.bytes - 512 + 0] = 'X';
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == -1, "accepted");
    CHECK(strstr(err, "primary") && strstr(err, "backup") && !strchr(err, '\n'), "%s", err);
}

/* An image written to a smaller disk (the device ends at 60 MiB): the
 * partitions past the end are skipped with a note; when even the entry
 * array is past the end, an error. */
TEST(gpt_past_the_disks_end)
{
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    dev.sectors = 60 * 2048;
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.count == 1, "%d partitions on the short disk", table.count);
    int past = 0, backup = 0;
    for (int i = 0; i < table.notes.count; i++) {
        past |= strstr(table.notes.text[i], "reaches past the disk's end") != NULL;
        backup |= strstr(table.notes.text[i], "not at the disk's end") != NULL;
    }
    CHECK(past && backup, "notes: %s | %s", table.notes.text[0], table.notes.text[1]);
    dev.sectors = 3;                              /* the array itself is cut */
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == -1, "accepted a 3-sector disk");
    CHECK(strstr(err, "past the disk's end"), "%s", err);
    /* a mounted partition cut short by the device: reads past it are errors */
    CHECK(open_image("gpt.img", 512, 1) == 0, "no gpt.img");
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    fs_partition p = table.part[1];
    p.sectors = 2048;                             /* 1 MiB of a 40 MiB exFAT volume */
    CHECK(fs_mount(&vol, &dev, &p, err, sizeof err) == 0, "%s", err);
    CHECK(vol.notes.count == 1 && strstr(vol.notes.text[0], "longer than its partition"), "note %s",
          vol.notes.text[0]);
    fs_file f;
    static uint8_t buf[4 << 20];
    CHECK(fs_find(&vol, "/models/model.gguf", &f, err, sizeof err) == 0, "%s", err);
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1, "read past the partition");
    CHECK(strstr(err, "outside the volume"), "%s", err);
}

TEST(partitions_mbr_with_logical)
{
    CHECK(open_image("mbr.img", 512, 1) == 0, "no mbr.img");
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.scheme == FS_SCHEME_MBR && table.count == 3, "scheme %d count %d", table.scheme, table.count);
    unsigned long long s[6];
    FILE *f = fopen(OUT "/mbr.layout", "r");
    CHECK(f && fscanf(f, "%llu %llu %llu %llu %llu %llu", s, s + 1, s + 2, s + 3, s + 4, s + 5) == 6,
          "mbr.layout");
    if (f)
        fclose(f);
    int numbers[3] = {1, 5, 6};
    const char *labels[3] = {"PRIMARY", "LOGICAL5", "LOGICAL6"};
    for (int i = 0; i < 3 && i < table.count; i++) {
        fs_partition *p = &table.part[i];
        CHECK(p->number == numbers[i] && p->first_lba == s[2 * i] && p->sectors == s[2 * i + 1],
              "partition %d at %llu+%llu", p->number, (unsigned long long)p->first_lba,
              (unsigned long long)p->sectors);
        CHECK(fs_mount(&vol, &dev, p, err, sizeof err) == 0 && !strcmp(vol.label, labels[i]),
              "partition %d: %s label %s", p->number, err, vol.label);
    }
    CHECK(fs_mount(&vol, &dev, &table.part[2], err, sizeof err) == 0, "%s", err);
    check_file("/ODD.BIN", "odd.bin");
    /* a loop in the chain of extended boot records is cut, with a note */
    uint8_t *ebr2 = disk.data + (s[4] - 2048) * 512;     /* the EBR before logical 6 */
    memcpy(ebr2 + 462 + 8, "\x00\x00\x00\x00", 4);        /* points back to the first EBR */
    ebr2[462 + 4] = 5;
    memcpy(ebr2 + 462 + 8, "\x01\x00\x00\x00", 4);
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    CHECK(table.notes.count >= 1, "no note about the broken chain (%d partitions)", table.count);
}

TEST(no_table_is_the_whole_device)
{
    const char *images[] = {"exfat.img", "fat32.img", "fat12.img", "iso-rr.iso"};
    for (int i = 0; i < 4; i++) {
        CHECK(open_image(images[i], 512, 0) == 0, "no %s", images[i]);
        CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s: %s", images[i], err);
        CHECK(table.scheme == FS_SCHEME_NONE && table.count == 1 && table.part[0].number == 0 &&
              table.part[0].sectors == dev.sectors, "%s: scheme %d count %d", images[i], table.scheme,
              table.count);
    }
    CHECK(open_image("iso-hybrid.iso", 2048, 0) == 0, "no iso-hybrid.iso");  /* as a CD */
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0 && table.scheme == FS_SCHEME_NONE,
          "a CD: %s scheme %d", err, table.scheme);
    dev.sector_size = 1000;
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == -1 && strstr(err, "1000"),
          "sector size 1000: %s", err);
}

/* ------------------------------------------------------------ exFAT */

TEST(exfat_files)
{
    CHECK(open_image("exfat.img", 512, 0) == 0, "no exfat.img");
    CHECK(mount_whole() == 0, "%s", err);
    CHECK(vol.type == FS_EXFAT && !strcmp(vol.label, "Llama Data"), "%s \"%s\"", fs_type_name(vol.type),
          vol.label);
    CHECK(vol.notes.count == 0, "note %s", vol.notes.text[0]);
    CHECK(walk() == 0, "%s", err);
    expect_listed("/models/Model.gguf 3158073\n");
    expect_listed("/models/tokenizer.bin 433869\n");
    expect_listed("/README.txt 30\n");
    expect_listed("/empty 0\n");
    expect_listed("/a/b/c/d/deep.bin 1000\n");
    expect_listed("/models/Ünïcödé and a name longer than fifteen.bin 70001\n");
    check_file("/models/model.GGUF", "model.gguf");
    check_file("models/TOKENIZER.bin", "tokenizer.bin");
    check_file("/A/B/C/D/deep.bin", "small.bin");
    check_file("/models/ÜNÏCÖDÉ AND A NAME LONGER THAN FIFTEEN.BIN", "odd.bin");
    check_file("/empty", "empty");
    fs_file f;
    CHECK(fs_find(&vol, "/models/nothere.gguf", &f, err, sizeof err) == 1 && strstr(err, "nothere.gguf"),
          "missing file: %s", err);
    CHECK(fs_find(&vol, "/README.txt/x", &f, err, sizeof err) == 1, "a file as a directory: %s", err);
    CHECK(fs_find(&vol, "/models", &f, err, sizeof err) == 0 && f.is_dir, "a directory: %s", err);
}

/* A contiguous file goes from the disk to the destination in a few big
 * requests, not sector by sector. */
TEST(exfat_reads_straight_into_the_destination)
{
    CHECK(open_image("exfat.img", 512, 0) == 0, "no exfat.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/models/model.gguf", &f, err, sizeof err) == 0, "%s", err);
    uint8_t *buf = malloc(f.size);
    disk.reads = disk.largest = 0;
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == 0, "%s", err);
    CHECK(disk.reads <= 2 && disk.largest >= f.size - 512, "%llu reads, the largest %llu bytes",
          (unsigned long long)disk.reads, (unsigned long long)disk.largest);
    disk.reads = 0;                                    /* unaligned: one bounce at each end */
    CHECK(fs_read(&vol, &f, 100, buf, 1 << 20, err, sizeof err) == 0, "%s", err);
    CHECK(disk.reads == 3, "%llu reads for an unaligned MiB", (unsigned long long)disk.reads);
    free(buf);
}

TEST(exfat_fragmented_chains)
{
    CHECK(open_image("exfatfrag.img", 512, 1) == 0, "no exfatfrag.img");
    CHECK(mount_whole() == 0, "%s", err);
    check_file("/models/model.gguf", "model.gguf");
    check_file("/odd.bin", "odd.bin");
    check_file("/tokenizer.bin", "tokenizer.bin");
    /* runs of three clusters: reads of 12 KiB each, not 4 KiB */
    fs_file f;
    CHECK(fs_find(&vol, "/models/model.gguf", &f, err, sizeof err) == 0, "%s", err);
    CHECK(!f.contiguous, "the fragmented file is marked contiguous");
    uint8_t *buf = malloc(f.size);
    disk.reads = disk.largest = 0;
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == 0, "%s", err);
    CHECK(disk.largest == 3 * 4096, "largest read %llu bytes", (unsigned long long)disk.largest);
    free(buf);
}

/* Damage to the FAT chain of a fragmented file: a loop, an early end. */
TEST(exfat_cluster_loop_is_an_error)
{
    CHECK(open_image("exfatfrag.img", 512, 1) == 0, "no exfatfrag.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/models/model.gguf", &f, err, sizeof err) == 0, "%s", err);
    /* The 10th cluster's entry points back to the 4th. */
    uint32_t c = f.first_cluster, chain[16];
    for (int i = 0; i < 10; i++) {
        chain[i] = c;
        memcpy(&c, disk.data + vol.fat.fat_offset + 4 * (uint64_t)c, 4);
    }
    memcpy(disk.data + vol.fat.fat_offset + 4 * (uint64_t)chain[9], &chain[3], 4);
    vol.cache_ok[0] = vol.cache_ok[1] = 0;
    uint8_t *buf = malloc(f.size);
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1, "a looping chain was read");
    CHECK(strstr(err, "loops"), "%s", err);
    free(buf);
}

TEST(exfat_chain_shorter_than_the_file_is_an_error)
{
    CHECK(open_image("exfatfrag.img", 512, 1) == 0, "no exfatfrag.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/odd.bin", &f, err, sizeof err) == 0, "%s", err);
    uint32_t c = f.first_cluster, end = 0xFFFFFFFF;
    for (int i = 0; i < 4; i++)
        memcpy(&c, disk.data + vol.fat.fat_offset + 4 * (uint64_t)c, 4);
    memcpy(disk.data + vol.fat.fat_offset + 4 * (uint64_t)c, &end, 4);   /* ends after 5 clusters */
    vol.cache_ok[0] = vol.cache_ok[1] = 0;
    uint8_t buf[70001];
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1, "a short chain was read");
    CHECK(strstr(err, "ends after 5 clusters") && strstr(err, "needs 18"), "%s", err);
    /* a free cluster in the chain */
    uint32_t zero = 0;
    memcpy(disk.data + vol.fat.fat_offset + 4 * (uint64_t)c, &zero, 4);
    vol.cache_ok[0] = vol.cache_ok[1] = 0;
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1 && strstr(err, "free cluster"),
          "%s", err);
}

TEST(exfat_backup_boot_region)
{
    CHECK(open_image("exfat.img", 512, 1) == 0, "no exfat.img");
    disk.data[200] ^= 0x55;                           /* boot code: the checksum breaks */
    CHECK(mount_whole() == 0, "%s", err);
    CHECK(vol.notes.count == 1 && strstr(vol.notes.text[0], "checksum") &&
          strstr(vol.notes.text[0], "backup"), "note: %s", vol.notes.text[0]);
    check_file("/models/tokenizer.bin", "tokenizer.bin");
    disk.data[12 * 512 + 200] ^= 0x55;                /* the backup too: an error */
    CHECK(mount_whole() == -1 && strstr(err, "backup"), "%s", err);
    /* a damaged entry set: skipped with a note, the others listed */
    CHECK(open_image("exfat.img", 512, 1) == 0, "no exfat.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/models", &f, err, sizeof err) == 0, "%s", err);
    uint8_t *dir = disk.data + vol.fat.heap_offset + ((uint64_t)(f.first_cluster - 2) << vol.fat.cluster_shift);
    CHECK(dir[0] == 0x85, "the first entry of /models is 0x%02x", dir[0]);
    dir[64 + 2] ^= 1;                                 /* a letter of Model.gguf's name */
    CHECK(mount_whole() == 0, "%s", err);
    CHECK(walk() == 0, "%s", err);
    CHECK(!strstr(listing, "odel.gguf") && strstr(listing, "/models/tokenizer.bin"), "%s", listing);
    CHECK(vol.notes.count == 1 && strstr(vol.notes.text[0], "checksum"), "note: %s", vol.notes.text[0]);
}

TEST(exfat_4096_byte_sectors)
{
    CHECK(open_image("exfat4k.img", 4096, 0) == 0, "no exfat4k.img");
    CHECK(mount_whole() == 0, "%s", err);
    CHECK(vol.fat.cluster_shift == 14, "cluster shift %u", vol.fat.cluster_shift);
    check_file("/models/model.gguf", "model.gguf");
    check_file("/odd.bin", "odd.bin");
}

TEST(exfat_made_by_mkfs_exfat)
{
    CHECK(open_image("exfatmkfs.img", 512, 0) == 0, "no exfatmkfs.img");
    CHECK(mount_whole() == 0, "%s", err);
    CHECK(vol.type == FS_EXFAT && !strcmp(vol.label, "MKFS"), "%s \"%s\"", fs_type_name(vol.type), vol.label);
    CHECK(walk() == 0 && listing[0] == 0, "%s [%s]", err, listing);
}

/* Marks at the start, across 4 GiB and at the end of a 5 GiB file. */
static void check_big(const char *path)
{
    fs_file f;
    char buf[16] = {0};
    uint64_t size = 5ull * 1024 * 1024 * 1024 + 4097, edge = 4ull * 1024 * 1024 * 1024 - 3;
    CHECK(fs_find(&vol, path, &f, err, sizeof err) == 0, "%s: %s", path, err);
    CHECK(f.size == size, "size %llu", (unsigned long long)f.size);
    CHECK(fs_read(&vol, &f, 0, buf, 5, err, sizeof err) == 0 && !memcmp(buf, "START", 5), "%s [%s]", err, buf);
    CHECK(fs_read(&vol, &f, edge, buf, 6, err, sizeof err) == 0 && !memcmp(buf, "EDGE4G", 6),
          "%s [%.6s]", err, buf);
    CHECK(fs_read(&vol, &f, size - 4, buf, 4, err, sizeof err) == 0 && !memcmp(buf, "END!", 4),
          "%s [%.4s]", err, buf);
    CHECK(fs_read(&vol, &f, edge - 8, buf, 8, err, sizeof err) == 0 && !memcmp(buf, "\0\0\0\0\0\0\0\0", 8),
          "zeros before the edge");
    /* 64 MiB across the 4 GiB line in one call */
    uint64_t n = 64 << 20;
    uint8_t *big = malloc(n);
    CHECK(fs_read(&vol, &f, edge - n / 2, big, n, err, sizeof err) == 0 &&
          !memcmp(big + n / 2, "EDGE4G", 6), "64 MiB across 4 GiB: %s", err);
    free(big);
}

TEST(exfat_file_past_4_gib)
{
    CHECK(open_image("exfatbig.img", 512, 0) == 0, "no exfatbig.img");
    CHECK(mount_whole() == 0, "%s", err);
    check_big("/big/huge.gguf");
    check_file("/small.bin", "small.bin");
}

/* ------------------------------------------------------------ FAT */

static void check_fat(const char *image, enum fs_type type, const char *label)
{
    CHECK(open_image(image, 512, 0) == 0, "no %s", image);
    CHECK(mount_whole() == 0, "%s: %s", image, err);
    CHECK(vol.type == type && !strcmp(vol.label, label), "%s: %s \"%s\"", image, fs_type_name(vol.type),
          vol.label);
    CHECK(walk() == 0, "%s", err);
    expect_listed("/Models/Big Model File.gguf 3158073\n");
    expect_listed("/Models/Sub/tokenizer.bin 433869\n");
    expect_listed("/ODD.BIN 70001\n");
    expect_listed("/readme.txt 30\n");
    check_file("/models/big model file.GGUF", "model.gguf");
    check_file("/MODELS/SUB/TOKENIZER.BIN", "tokenizer.bin");
    check_file("/odd.bin", "odd.bin");
}

TEST(fat32_files) { check_fat("fat32.img", FS_FAT32, "FATVOL"); }
TEST(fat16_files) { check_fat("fat16.img", FS_FAT16, "SIXTEEN"); }
TEST(fat12_files) { check_fat("fat12.img", FS_FAT12, "TWELVE"); }

TEST(fat32_cluster_loop_is_an_error)
{
    CHECK(open_image("fat32.img", 512, 1) == 0, "no fat32.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/Models/Big Model File.gguf", &f, err, sizeof err) == 0, "%s", err);
    uint32_t c = f.first_cluster, second;
    memcpy(&second, disk.data + vol.fat.fat_offset + 4 * (uint64_t)c, 4);
    memcpy(disk.data + vol.fat.fat_offset + 4 * (uint64_t)second, &c, 4);   /* 2nd -> 1st */
    vol.cache_ok[0] = vol.cache_ok[1] = 0;
    uint8_t *buf = malloc(f.size);
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1 && strstr(err, "loops"), "%s", err);
    free(buf);
}

/* ------------------------------------------------------------ ISO 9660 */

static void check_iso(const char *image, const char *label, const char *model_path,
                      const char *tokenizer_path, int names)
{
    CHECK(open_image(image, 2048, 0) == 0, "no %s", image);
    CHECK(mount_whole() == 0, "%s: %s", image, err);
    CHECK(vol.type == FS_ISO9660 && !strcmp(vol.label, label) && vol.iso.names == names,
          "%s: %s \"%s\" names %d", image, fs_type_name(vol.type), vol.label, vol.iso.names);
    CHECK(walk() == 0, "%s", err);
    char line[128];
    snprintf(line, sizeof line, "%s 3158073\n", model_path);
    expect_listed(line);
    check_file(model_path, "model.gguf");
    check_file(tokenizer_path, "tokenizer.bin");
    check_file("/odd.bin", "odd.bin");
    check_file("/docs/readme.txt", "readme.txt");
}

TEST(iso_rock_ridge)
{
    check_iso("iso-rr.iso", "LLAMA_ISO", "/models/Model File.gguf", "/models/sub/tokenizer.bin",
              FS_ISO_NAMES_ROCK_RIDGE);
    CHECK(vol.case_sensitive, "Rock Ridge names are case-sensitive");
}
TEST(iso_joliet)
{
    check_iso("iso-joliet.iso", "JOLIET", "/models/Model File.gguf", "/models/sub/tokenizer.bin",
              FS_ISO_NAMES_JOLIET);
}
/* 8.3 upper-case names: what a reader sees without Rock Ridge or Joliet */
TEST(iso_plain_names)
{
    check_iso("iso-plain.iso", "PLAIN", "/MODELS/MODEL_FI.GGU", "/models/sub/tokenize.bin",
              FS_ISO_NAMES_PLAIN);
}

TEST(iso_multi_extent_file_past_4_gib)
{
    CHECK(open_image("iso-big.iso", 2048, 0) == 0, "no iso-big.iso");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/big.bin", &f, err, sizeof err) == 0, "%s", err);
    CHECK(f.extents >= 2, "%u extents", f.extents);
    check_big("/big.bin");
    check_file("/small.bin", "small.bin");
}

/* grub-mkrescue's hybrid image: as a CD (2048-byte sectors), and as a
 * stick (512-byte sectors, through its MBR). */
TEST(iso_hybrid_as_cd_and_stick)
{
    CHECK(open_image("iso-hybrid.iso", 2048, 0) == 0, "no iso-hybrid.iso");
    CHECK(mount_whole() == 0 && vol.type == FS_ISO9660, "as a CD: %s", err);
    check_file("/models/Model File.gguf", "model.gguf");
    CHECK(open_image("iso-hybrid.iso", 512, 0) == 0, "no iso-hybrid.iso");
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "%s", err);
    int iso = 0, fat = 0;
    for (int i = 0; i < table.count; i++) {
        if (fs_mount(&vol, &dev, &table.part[i], err, sizeof err) != 0)
            continue;
        if (vol.type == FS_ISO9660 && !iso) {
            iso = 1;
            check_file("/models/sub/tokenizer.bin", "tokenizer.bin");
        }
        fat |= vol.type == FS_FAT12 || vol.type == FS_FAT16;   /* the EFI boot image */
    }
    CHECK(iso && fat, "as a stick: scheme %d, %d partitions, ISO %d, FAT %d", table.scheme, table.count,
          iso, fat);
}

/* ------------------------------------------------------------ the device */

TEST(device_errors_are_errors)
{
    CHECK(open_image("exfat.img", 512, 0) == 0, "no exfat.img");
    CHECK(mount_whole() == 0, "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/models/model.gguf", &f, err, sizeof err) == 0, "%s", err);
    disk.fail_from = 1;
    uint8_t *buf = malloc(f.size);
    CHECK(fs_read(&vol, &f, 0, buf, f.size, err, sizeof err) == -1 && strstr(err, "failed"), "%s", err);
    CHECK(mount_whole() == -1 && strstr(err, "failed"), "mount: %s", err);
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == 0, "sector 0 reads: %s", err);
    disk.fail_from = 0 + 1;
    dev.sectors = 0;
    CHECK(fs_read_partitions(&dev, &table, err, sizeof err) == -1, "an empty device");
    free(buf);
}

TEST(not_a_filesystem)
{
    CHECK(open_image("gpt.img", 512, 0) == 0, "no gpt.img");
    CHECK(mount_whole() == -1 && strstr(err, "no exFAT, FAT or ISO 9660"), "%s", err);
    fs_file f;
    CHECK(fs_find(&vol, "/x", &f, err, sizeof err) == -1, "find on an unmounted volume");
}

static int setup(void)
{
    return system("bash tests/host/fs_images.sh " OUT " >&2");
}

static void images_made(void) { CHECK(setup() == 0, "tests/host/fs_images.sh failed"); }

RUN_TESTS(images_made, partitions_gpt, gpt_primary_damaged_uses_backup, gpt_both_damaged_is_an_error,
          gpt_past_the_disks_end, partitions_mbr_with_logical, no_table_is_the_whole_device,
          exfat_files, exfat_reads_straight_into_the_destination, exfat_fragmented_chains,
          exfat_cluster_loop_is_an_error, exfat_chain_shorter_than_the_file_is_an_error,
          exfat_backup_boot_region, exfat_4096_byte_sectors, exfat_made_by_mkfs_exfat,
          exfat_file_past_4_gib, fat32_files, fat16_files, fat12_files, fat32_cluster_loop_is_an_error,
          iso_rock_ridge, iso_joliet, iso_plain_names, iso_multi_extent_file_past_4_gib,
          iso_hybrid_as_cd_and_stick, device_errors_are_errors, not_a_filesystem)

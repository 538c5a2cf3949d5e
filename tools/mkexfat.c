/* mkexfat: formats an exFAT volume inside an image file and copies files
 * onto it, with no root, no loop device and no FUSE (make disk uses it for
 * the data partition of build/llama2-disk.img; the tests use it to make
 * exFAT volumes for lib/fs):
 *
 *   mkexfat [-o OFFSET] [-s SIZE] [-L LABEL] [-c CLUSTER] [-S SECTOR]
 *           [--fat-chains] [--fragment] IMAGE [SOURCE=/PATH ...]
 *
 * OFFSET: the volume's first byte in IMAGE (a partition's start; default
 * 0). SIZE: its length in bytes (default: IMAGE's size less OFFSET; IMAGE
 * is created or extended, sparse, when shorter). LABEL: up to 11
 * characters (default LLAMA2). CLUSTER: bytes per cluster (default 4 KiB
 * below 256 MiB, 32 KiB below 32 GiB, else 128 KiB). SECTOR: bytes per
 * sector, 512 or 4096. Each SOURCE (a host file) is copied to /PATH,
 * directories made as needed. Sizes take K, M, G suffixes (powers of 2).
 *
 * The layout (Microsoft's exFAT specification): the boot region and its
 * backup (12 sectors each, checksummed), one FAT, then the cluster heap:
 * the allocation bitmap, the up-case table (lib/fs/unicode.c's up-casing,
 * compressed), the root directory (label, bitmap and up-case entries, then
 * entry sets), the other directories, and the files. Files and
 * directories are contiguous and marked NoFatChain, as Windows writes
 * them; their FAT chains are written too. --fat-chains leaves NoFatChain
 * off (readers must follow the FAT); --fragment also interleaves the
 * files' clusters, three at a time with a free cluster between runs, so
 * that chains jump (for the tests of lib/fs). Zero blocks of a source are
 * not written, so a sparse source stays sparse in a sparse image. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/fs/exfat.h"
#include "lib/fs/unicode.h"
#include "tools/lib/die.h"

struct node {
    char *name;                 /* UTF-8 */
    uint16_t uname[255];        /* UTF-16 */
    int ulen, is_dir;
    const char *source;
    uint64_t size;              /* bytes (directories: whole clusters) */
    uint32_t first, clusters;   /* first cluster (contiguous unless fragmented) */
    struct node *child, *next;
    uint32_t *chain;            /* --fragment: the clusters in order */
};

static uint32_t sector = 512, cluster_size, spc_shift, bps_shift;
static uint64_t offset, vol_size;
static int fat_chains, fragment;
static int fd;
static uint32_t cluster_count, next_free = 2;
static uint32_t *fat;
static uint8_t *bitmap;
static uint32_t dos_time;

static uint64_t parse_size(const char *s, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s)
        die("%s: \"%s\" is not a size", what, s);
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    }
    if (*end && strcmp(end, "iB") && strcmp(end, "B"))
        die("%s: \"%s\" is not a size", what, s);
    return v;
}

static unsigned log2u(uint64_t x)
{
    unsigned n = 0;
    while (x > 1)
        x >>= 1, n++;
    return n;
}

static void to_utf16(const char *s, uint16_t *out, int *len, int max)
{
    int n = 0;
    uint32_t c;
    while ((c = fs_utf8_next(&s)) != 0) {
        if (c >= 0x10000) {
            if (n + 2 > max)
                die("name too long (more than %d UTF-16 units)", max);
            c -= 0x10000;
            out[n++] = (uint16_t)(0xD800 + (c >> 10));
            out[n++] = (uint16_t)(0xDC00 + (c & 0x3FF));
        } else {
            if (n + 1 > max)
                die("name too long (more than %d UTF-16 units)", max);
            out[n++] = (uint16_t)c;
        }
    }
    *len = n;
}

static struct node *new_node(const char *name, int is_dir)
{
    struct node *n = calloc(1, sizeof *n);
    if (!n || !(n->name = strdup(name)))
        die("out of memory");
    n->is_dir = is_dir;
    to_utf16(name, n->uname, &n->ulen, 255);
    if (n->ulen == 0)
        die("an empty name");
    for (int i = 0; i < n->ulen; i++) {
        uint16_t c = n->uname[i];
        if (c < 0x20 || strchr("\"*/:<>?\\|", c < 0x80 ? c : 'a'))
            die("\"%s\": exFAT names cannot hold control characters or any of \" * / : < > ? \\ |", name);
    }
    return n;
}

static struct node *child_named(struct node *dir, const char *name)
{
    for (struct node *c = dir->child; c; c = c->next)
        if (fs_name_equal_nocase(c->name, name))
            return c;
    return 0;
}

static void add_child(struct node *dir, struct node *n)
{
    struct node **p = &dir->child;
    while (*p)
        p = &(*p)->next;
    *p = n;
}

/* Adds SOURCE=/PATH to the tree. */
static void add_file(struct node *root, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        die("\"%s\": give files as SOURCE=/PATH", arg);
    char *source = strndup(arg, (size_t)(eq - arg)), *path = strdup(eq + 1);
    struct stat st;
    if (stat(source, &st) != 0)
        die("%s: %s", source, strerror(errno));
    if (!S_ISREG(st.st_mode))
        die("%s is not a regular file", source);
    struct node *dir = root;
    char *save = 0, *part = strtok_r(path, "/", &save);
    while (part) {
        char *next = strtok_r(0, "/", &save);
        struct node *c = child_named(dir, part);
        if (next) {
            if (!c)
                add_child(dir, c = new_node(part, 1));
            else if (!c->is_dir)
                die("%s: %s is a file, not a directory", eq + 1, part);
            dir = c;
        } else {
            if (c)
                die("%s is given twice", eq + 1);
            c = new_node(part, 0);
            c->source = source;
            c->size = (uint64_t)st.st_size;
            add_child(dir, c);
        }
        part = next;
    }
    free(path);
}

/* 32-byte entries of a directory's contents. */
static uint64_t dir_entries(const struct node *dir, int is_root)
{
    uint64_t n = is_root ? 3 : 0;
    for (const struct node *c = dir->child; c; c = c->next)
        n += 2 + (uint64_t)(c->ulen + 14) / 15;
    return n;
}

static uint32_t clusters_for(uint64_t bytes) { return (uint32_t)((bytes + cluster_size - 1) / cluster_size); }

static uint32_t take(uint32_t n)
{
    if (n > cluster_count + 2 - next_free)
        die("the files do not fit: the volume has %u clusters of %u bytes", cluster_count, cluster_size);
    uint32_t first = next_free;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = first + i;
        bitmap[(c - 2) / 8] |= (uint8_t)(1 << ((c - 2) % 8));
        fat[c] = i + 1 < n ? c + 1 : 0xFFFFFFFF;
    }
    next_free += n;
    return first;
}

/* Directories first (depth first), each contiguous. */
static void place_dirs(struct node *dir, int is_root)
{
    uint64_t bytes = dir_entries(dir, is_root) * 32;
    dir->clusters = clusters_for(bytes ? bytes : 1);
    dir->size = (uint64_t)dir->clusters * cluster_size;
    dir->first = take(dir->clusters);
    for (struct node *c = dir->child; c; c = c->next)
        if (c->is_dir)
            place_dirs(c, 0);
}

static int collect_files(struct node *dir, struct node **out, int n)
{
    for (struct node *c = dir->child; c; c = c->next) {
        if (c->is_dir)
            n = collect_files(c, out, n);
        else if (out)
            out[n++] = c;
        else
            n++;
    }
    return n;
}

static void place_files(struct node *root)
{
    int n = collect_files(root, 0, 0);
    struct node **files = calloc((size_t)n + 1, sizeof *files);
    if (!files)
        die("out of memory");
    collect_files(root, files, 0);
    if (!fragment) {
        for (int i = 0; i < n; i++) {
            files[i]->clusters = clusters_for(files[i]->size);
            files[i]->first = files[i]->clusters ? take(files[i]->clusters) : 0;
        }
        free(files);
        return;
    }
    /* Three clusters of each file in turn, a free cluster after each run. */
    uint32_t *done = calloc((size_t)n + 1, sizeof *done);
    for (int i = 0; i < n; i++) {
        files[i]->clusters = clusters_for(files[i]->size);
        files[i]->chain = calloc((size_t)files[i]->clusters + 1, sizeof(uint32_t));
        if (!files[i]->chain || !done)
            die("out of memory");
    }
    for (int left = 1; left;) {
        left = 0;
        for (int i = 0; i < n; i++) {
            struct node *f = files[i];
            uint32_t k = f->clusters - done[i] < 3 ? f->clusters - done[i] : 3;
            if (!k)
                continue;
            uint32_t first = take(k);
            if (done[i])
                fat[f->chain[done[i] - 1]] = first;
            for (uint32_t j = 0; j < k; j++)
                f->chain[done[i] + j] = first + j;
            done[i] += k;
            left |= done[i] < f->clusters;
            if (next_free < cluster_count + 2)
                next_free++;                       /* leave a hole */
        }
    }
    for (int i = 0; i < n; i++)
        files[i]->first = files[i]->clusters ? files[i]->chain[0] : 0;
    free(done);
    free(files);
}

static void pwrite_all(const void *buf, size_t n, uint64_t at)
{
    const uint8_t *p = buf;
    while (n) {
        ssize_t w = pwrite(fd, p, n, (off_t)(offset + at));
        if (w <= 0)
            die("writing the image: %s", strerror(errno));
        p += w, at += (uint64_t)w, n -= (size_t)w;
    }
}

static uint64_t cluster_at(uint32_t c) { return (uint64_t)(c - 2) * cluster_size; }

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static uint16_t name_hash(const struct node *n)
{
    uint16_t h = 0;
    for (int i = 0; i < n->ulen; i++) {
        uint16_t c = (uint16_t)fs_upcase(n->uname[i]);
        uint8_t b[2] = {(uint8_t)c, (uint8_t)(c >> 8)};
        for (int k = 0; k < 2; k++)
            h = (uint16_t)(((h & 1) ? 0x8000 : 0) + (h >> 1) + b[k]);
    }
    return h;
}

/* The entry set of n at e (2 + name entries). Returns the entries used. */
static int entry_set(const struct node *n, uint8_t *e)
{
    int names = (n->ulen + 14) / 15, count = 2 + names;
    memset(e, 0, (size_t)count * 32);
    e[0] = 0x85;
    e[1] = (uint8_t)(count - 1);
    put16(e + 4, n->is_dir ? 0x10 : 0x20);
    put32(e + 8, dos_time);                          /* created */
    put32(e + 12, dos_time);                         /* modified */
    put32(e + 16, dos_time);                         /* accessed */
    uint8_t *s = e + 32;
    s[0] = 0xC0;
    int contiguous = n->is_dir || (!fat_chains && !fragment);
    s[1] = (uint8_t)((n->clusters ? 1 : 0) | (contiguous && n->clusters ? 2 : 0));
    s[3] = (uint8_t)n->ulen;
    put16(s + 4, name_hash(n));
    put64(s + 8, n->size);
    put32(s + 20, n->first);
    put64(s + 24, n->size);
    for (int i = 0; i < names; i++) {
        uint8_t *f = e + 64 + 32 * i;
        f[0] = 0xC1;
        for (int k = 0; k < 15 && 15 * i + k < n->ulen; k++)
            put16(f + 2 + 2 * k, n->uname[15 * i + k]);
    }
    put16(e + 2, exfat_set_checksum(e, (unsigned)count));
    return count;
}

static void write_dir(const struct node *dir, const uint8_t *root_entries)
{
    uint8_t *buf = calloc(1, dir->size);
    if (!buf)
        die("out of memory");
    size_t at = 0;
    if (root_entries) {
        memcpy(buf, root_entries, 96);
        at = 96;
    }
    for (const struct node *c = dir->child; c; c = c->next)
        at += 32 * (size_t)entry_set(c, buf + at);
    pwrite_all(buf, dir->size, cluster_at(dir->first));
    free(buf);
    for (const struct node *c = dir->child; c; c = c->next)
        if (c->is_dir)
            write_dir(c, 0);
}

/* Copies a file's bytes to its clusters; zero blocks are left unwritten. */
static void write_file(const struct node *f)
{
    static uint8_t buf[1 << 20];
    static const uint8_t zero[1 << 20];
    int in = open(f->source, O_RDONLY);
    if (in < 0)
        die("%s: %s", f->source, strerror(errno));
    uint64_t done = 0;
    while (done < f->size) {
        size_t want = f->size - done < sizeof buf ? (size_t)(f->size - done) : sizeof buf;
        if (fragment)                                /* one cluster at a time */
            want = want < cluster_size ? want : cluster_size;
        ssize_t got = pread(in, buf, want, (off_t)done);
        if (got <= 0)
            die("%s: %s", f->source, got < 0 ? strerror(errno) : "shorter than it was");
        uint32_t index = (uint32_t)(done / cluster_size);
        uint64_t at = fragment ? cluster_at(f->chain[index]) + done % cluster_size
                               : cluster_at(f->first) + done;
        if (memcmp(buf, zero, (size_t)got) != 0)
            pwrite_all(buf, (size_t)got, at);
        done += (uint64_t)got;
    }
    close(in);
}

static void write_files(const struct node *dir)
{
    for (const struct node *c = dir->child; c; c = c->next) {
        if (c->is_dir)
            write_files(c);
        else if (c->size)
            write_file(c);
    }
}

/* The up-case table, compressed: runs of identity mappings as 0xFFFF, n. */
static size_t upcase_table(uint16_t *t)
{
    size_t n = 0;
    for (uint32_t c = 0; c < 0x10000;) {
        uint32_t run = 0;
        while (c + run < 0x10000 && fs_upcase(c + run) == c + run)
            run++;
        if (run > 2) {
            t[n++] = 0xFFFF;
            t[n++] = (uint16_t)run;
            c += run;
        } else {
            t[n++] = (uint16_t)fs_upcase(c);
            c++;
        }
    }
    return n;
}

static void boot_region(uint8_t *r, uint32_t fat_off, uint32_t fat_len, uint32_t heap_off,
                        uint32_t root, uint32_t used)
{
    memset(r, 0, 12 * sector);
    uint8_t *b = r;
    b[0] = 0xEB; b[1] = 0x76; b[2] = 0x90;
    memcpy(b + 3, "EXFAT   ", 8);
    put64(b + 64, offset / sector);                  /* PartitionOffset */
    put64(b + 72, vol_size / sector);
    put32(b + 80, fat_off);
    put32(b + 84, fat_len);
    put32(b + 88, heap_off);
    put32(b + 92, cluster_count);
    put32(b + 96, root);
    put32(b + 100, (uint32_t)time(0) ^ 0x4C4C4D32u);  /* serial number */
    put16(b + 104, 0x0100);                          /* revision 1.00 */
    b[108] = (uint8_t)bps_shift;
    b[109] = (uint8_t)spc_shift;
    b[110] = 1;                                      /* one FAT */
    b[111] = 0x80;
    b[112] = (uint8_t)((uint64_t)used * 100 / cluster_count);
    memset(b + 120, 0xF4, 390);                      /* boot code: hlt */
    b[510] = 0x55; b[511] = 0xAA;
    for (int s = 1; s <= 8; s++) {                   /* extended boot sectors */
        r[s * sector + sector - 2] = 0x55;
        r[s * sector + sector - 1] = 0xAA;
    }
    uint32_t sum = exfat_boot_checksum(r, sector);
    for (uint32_t i = 0; i < sector; i += 4)
        put32(r + 11 * sector + i, sum);
}

int main(int argc, char **argv)
{
    const char *label = "LLAMA2", *image = 0;
    uint64_t want_cluster = 0, want_size = 0;
    int have_size = 0;
    struct node *root = calloc(1, sizeof *root);
    if (!root)
        die("out of memory");
    root->is_dir = 1;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--fat-chains")) { fat_chains = 1; continue; }
        if (!strcmp(a, "--fragment")) { fragment = 1; continue; }
        if (i + 1 >= argc)
            die("%s needs a value", a);
        const char *val = argv[++i];
        if (!strcmp(a, "-o")) offset = parse_size(val, "-o");
        else if (!strcmp(a, "-s")) { want_size = parse_size(val, "-s"); have_size = 1; }
        else if (!strcmp(a, "-L")) label = val;
        else if (!strcmp(a, "-c")) want_cluster = parse_size(val, "-c");
        else if (!strcmp(a, "-S")) sector = (uint32_t)parse_size(val, "-S");
        else die("unknown option %s; usage: mkexfat [-o OFFSET] [-s SIZE] [-L LABEL] [-c CLUSTER] "
                 "[-S SECTOR] [--fat-chains] [--fragment] IMAGE [SOURCE=/PATH ...]", a);
    }
    if (i >= argc)
        die("usage: mkexfat [-o OFFSET] [-s SIZE] [-L LABEL] [-c CLUSTER] [-S SECTOR] "
            "[--fat-chains] [--fragment] IMAGE [SOURCE=/PATH ...]");
    image = argv[i++];
    for (; i < argc; i++)
        add_file(root, argv[i]);
    if (sector != 512 && sector != 4096)
        die("-S: sectors of 512 or 4096 bytes, not %u", sector);
    if (offset % sector)
        die("-o: the offset %llu is not a multiple of the sector size %u", (unsigned long long)offset, sector);

    uint16_t ulabel[11];
    int ulabel_len;
    to_utf16(label, ulabel, &ulabel_len, 11);

    fd = open(image, O_RDWR | O_CREAT, 0644);
    if (fd < 0)
        die("%s: %s", image, strerror(errno));
    struct stat st;
    fstat(fd, &st);
    if (!have_size) {
        if ((uint64_t)st.st_size <= offset)
            die("%s: give -s SIZE (the image ends before offset %llu)", image, (unsigned long long)offset);
        want_size = (uint64_t)st.st_size - offset;
    }
    vol_size = want_size / sector * sector;
    if (vol_size < (1 << 20))
        die("-s: an exFAT volume of at least 1 MiB is needed");
    if ((uint64_t)st.st_size < offset + vol_size && ftruncate(fd, (off_t)(offset + vol_size)) != 0)
        die("%s: cannot extend it: %s", image, strerror(errno));

    cluster_size = (uint32_t)(want_cluster ? want_cluster
                              : vol_size < (256ull << 20) ? 4096 : vol_size < (32ull << 30) ? 32768 : 131072);
    if (cluster_size < sector || (cluster_size & (cluster_size - 1)) || cluster_size > (32u << 20))
        die("-c: the cluster size must be a power of 2 from the sector size to 32 MiB");
    bps_shift = log2u(sector);
    spc_shift = log2u(cluster_size / sector);

    /* Geometry: FAT after the boot regions, heap aligned to a cluster. */
    uint64_t total = vol_size / sector, spc = cluster_size / sector;
    uint32_t fat_off = (uint32_t)((24 + spc - 1) / spc * spc), fat_len = 0, heap_off = 0;
    if (fat_off < 24)
        fat_off = 24;
    for (int round = 0; round < 3; round++) {
        uint64_t count = total > (uint64_t)fat_off + fat_len ? (total - fat_off - fat_len) / spc : 0;
        if (count > 0xFFFFFFF5u)
            die("-c: too many clusters; give a larger cluster size");
        cluster_count = (uint32_t)count;
        fat_len = (uint32_t)((((uint64_t)cluster_count + 2) * 4 + sector - 1) / sector);
        fat_len = (uint32_t)((fat_len + spc - 1) / spc * spc);
    }
    heap_off = fat_off + fat_len;
    if (total <= heap_off || (total - heap_off) / spc < 8)
        die("the volume is too small for clusters of %u bytes", cluster_size);
    cluster_count = (uint32_t)((total - heap_off) / spc);

    fat = calloc((size_t)cluster_count + 2, 4);
    bitmap = calloc(((size_t)cluster_count + 7) / 8, 1);
    uint16_t *upcase = malloc(0x10000 * 2 * sizeof *upcase);
    if (!fat || !bitmap || !upcase)
        die("out of memory");
    fat[0] = 0xFFFFFFF8;
    fat[1] = 0xFFFFFFFF;
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    time_t now = epoch ? (time_t)strtoll(epoch, 0, 10) : time(0);
    struct tm tm;
    gmtime_r(&now, &tm);
    dos_time = (uint32_t)((tm.tm_year - 80) << 25 | (tm.tm_mon + 1) << 21 | tm.tm_mday << 16 |
                          tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);

    uint64_t bitmap_bytes = ((uint64_t)cluster_count + 7) / 8;
    size_t upcase_units = upcase_table(upcase);
    uint64_t upcase_bytes = upcase_units * 2;
    uint32_t bitmap_first = take(clusters_for(bitmap_bytes));
    uint32_t upcase_first = take(clusters_for(upcase_bytes));
    place_dirs(root, 1);
    place_files(root);
    /* The FAT chain of the bitmap and the up-case table is what take()
     * wrote; the root directory must have a chain (no NoFatChain there). */

    uint8_t root_entries[96] = {0};
    root_entries[0] = 0x83;                          /* volume label */
    root_entries[1] = (uint8_t)ulabel_len;
    for (int k = 0; k < ulabel_len; k++)
        put16(root_entries + 2 + 2 * k, ulabel[k]);
    root_entries[32] = 0x81;                         /* allocation bitmap */
    put32(root_entries + 32 + 20, bitmap_first);
    put64(root_entries + 32 + 24, bitmap_bytes);
    root_entries[64] = 0x82;                         /* up-case table */
    uint32_t upsum = 0;
    for (size_t k = 0; k < upcase_units * 2; k++) {
        uint8_t byte = ((const uint8_t *)upcase)[k];
        upsum = ((upsum & 1) ? 0x80000000u : 0) + (upsum >> 1) + byte;
    }
    put32(root_entries + 64 + 4, upsum);
    put32(root_entries + 64 + 20, upcase_first);
    put64(root_entries + 64 + 24, upcase_bytes);

    /* Write: boot regions, the gap to the FAT, the FAT, the heap's metadata, the files. */
    uint8_t *region = calloc(12, sector);
    uint8_t *gap = calloc(fat_off - 24 + 1, sector);
    if (!region || !gap)
        die("out of memory");
    uint32_t used = 0;
    for (uint32_t c = 0; c < cluster_count; c++)
        used += (bitmap[c / 8] >> (c % 8)) & 1;
    boot_region(region, fat_off, fat_len, heap_off, root->first, used);
    pwrite_all(region, 12 * sector, 0);
    pwrite_all(region, 12 * sector, 12 * (uint64_t)sector);
    pwrite_all(gap, (size_t)(fat_off - 24) * sector, 24 * (uint64_t)sector);
    uint8_t *fat_bytes = calloc(fat_len, sector);
    if (!fat_bytes)
        die("out of memory");
    for (uint64_t c = 0; c < (uint64_t)cluster_count + 2; c++)
        put32(fat_bytes + 4 * c, fat[c]);
    pwrite_all(fat_bytes, (size_t)fat_len * sector, (uint64_t)fat_off * sector);
    uint64_t heap = (uint64_t)heap_off * sector;
    offset += heap;                                  /* cluster_at() is relative to the heap */
    uint8_t *bm = calloc(clusters_for(bitmap_bytes), cluster_size);
    uint8_t *up = calloc(clusters_for(upcase_bytes), cluster_size);
    if (!bm || !up)
        die("out of memory");
    memcpy(bm, bitmap, bitmap_bytes);
    memcpy(up, upcase, upcase_bytes);
    pwrite_all(bm, (size_t)clusters_for(bitmap_bytes) * cluster_size, cluster_at(bitmap_first));
    pwrite_all(up, (size_t)clusters_for(upcase_bytes) * cluster_size, cluster_at(upcase_first));
    write_dir(root, root_entries);
    write_files(root);
    if (fsync(fd) != 0 && errno != EINVAL)
        die("%s: %s", image, strerror(errno));
    close(fd);
    return 0;
}

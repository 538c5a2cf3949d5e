/* Reading files from a disk: partition tables (GPT, MBR, none) and the
 * read-only filesystems exFAT, FAT12/16/32 and ISO 9660 (Rock Ridge and
 * Joliet names, multi-extent files), over an fs_blockdev.
 *
 * How the model loader uses it:
 *
 *     fs_partition_table t;              // ~5 KiB: static or on a big stack
 *     fs_read_partitions(dev, &t, err, sizeof err);
 *     for each t.part[i]:
 *         static fs_volume v;            // ~24 KiB
 *         if (fs_mount(&v, dev, &t.part[i], err, sizeof err) == 0)
 *             fs_walk(&v, list_models, ctx, err, sizeof err);   // paths and sizes
 *     fs_find(&v, "/models/x.gguf", &file, err, sizeof err);
 *     for (off = 0; off < file.size; off += chunk)                // e.g. 32 MiB
 *         fs_read(&v, &file, off, dst + off, chunk, err, sizeof err);
 *
 * Nothing allocates: every state lives in the structs the caller hands in.
 * Errors are one line in the caller's err buffer (no "error:" prefix); a
 * damaged but usable structure gives a note instead (fs_notes), which the
 * caller may print. Every number read from the disk is bounds-checked:
 * damage ends in an error or a note, never in a read outside the device,
 * a crash or an endless loop.
 *
 * fs_read reads each run of consecutive clusters (or each ISO extent)
 * with one device read straight into the destination; only a part of a
 * sector at either end of the range goes through a one-sector bounce
 * buffer. An fs_file keeps its place in a FAT chain, so reading a file in
 * order costs one walk of its chain in all. */
#ifndef LIB_FS_FS_H
#define LIB_FS_FS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/fs/blockdev.h"

/* ------------------------------------------------------------ notes */

#define FS_MAX_NOTES 4
#define FS_NOTE_LEN 128

/* Up to FS_MAX_NOTES one-line notes about damage that was worked around
 * ("the primary GPT header is damaged: using the backup"); dropped counts
 * the ones that did not fit. */
typedef struct {
    int count, dropped;
    char text[FS_MAX_NOTES][FS_NOTE_LEN];
} fs_notes;

/* ------------------------------------------------------------ partitions */

#define FS_MAX_PARTITIONS 32

enum fs_scheme { FS_SCHEME_NONE, FS_SCHEME_MBR, FS_SCHEME_GPT };

typedef struct {
    int number;             /* GPT: entry index + 1; MBR: 1-4 primary, 5... logical (as
                               Linux numbers them); 0: the whole device */
    uint64_t first_lba;     /* in the device's sectors */
    uint64_t sectors;
    uint8_t mbr_type;       /* MBR partition type (0x07 exFAT/NTFS, 0x0C FAT32...); 0 for GPT */
    uint8_t gpt_type[16];   /* GPT type GUID as stored on disk; zeros for MBR */
    char name[72];          /* GPT partition name in UTF-8; "" for MBR */
} fs_partition;

typedef struct {
    enum fs_scheme scheme;
    int count;
    fs_partition part[FS_MAX_PARTITIONS];
    fs_notes notes;
    uint8_t sector[4096];   /* scratch: one sector */
} fs_partition_table;

/* Reads the partition table of dev into t. GPT when the MBR holds a 0xEE
 * protective entry (the primary header and entry array, CRC32-checked; the
 * backup at the disk's end when the primary is damaged, with a note);
 * else the MBR's primary and logical partitions; else no table: one entry,
 * number 0, the whole device (a superfloppy stick; a CD, whose 2048-byte
 * sectors are never partitioned). Entries that reach past the device's end
 * are skipped with a note. Returns 0, or -1 with err set when the device
 * cannot be read, its sector size is not 512, 2048 or 4096, or a GPT has
 * neither a good primary nor a good backup. */
int fs_read_partitions(const fs_blockdev *dev, fs_partition_table *t, char *err, size_t errlen);

/* "EFI system", "Microsoft basic data", "Linux filesystem", "BIOS boot",
 * ... or "unknown": what a partition's type says, for listings. */
const char *fs_partition_kind(const fs_partition *p);

/* ------------------------------------------------------------ volumes */

enum fs_type { FS_UNKNOWN, FS_EXFAT, FS_FAT12, FS_FAT16, FS_FAT32, FS_ISO9660 };

/* "exFAT", "FAT32", "ISO 9660"... */
const char *fs_type_name(enum fs_type type);

#define FS_NAME_MAX 256          /* bytes of a name in UTF-8, with its NUL */
#define FS_PATH_MAX 1024         /* bytes of a path, with its NUL */
#define FS_MAX_DEPTH 16          /* directories fs_walk descends into */
#define FS_MAX_EXTENTS 32        /* ISO 9660 extents of one file (each < 4 GiB) */

/* A file or a directory of a mounted volume. fs_walk and fs_find fill it
 * in; fs_read keeps its place in the cluster chain in it. Copy it freely:
 * it holds no pointers. */
typedef struct {
    uint64_t size;           /* bytes */
    uint8_t is_dir;
    /* Where it is (for the filesystem's own use): */
    uint8_t contiguous;      /* exFAT NoFatChain: its clusters follow one another */
    uint8_t chain_sized;     /* a directory as long as its cluster chain (FAT, exFAT root) */
    uint8_t fixed_root;      /* the FAT12/16 root directory region */
    uint64_t valid_size;     /* exFAT ValidDataLength: bytes past it read as zeros */
    uint32_t first_cluster;  /* FAT and exFAT; 0: no clusters */
    uint32_t extents;        /* ISO 9660 */
    struct { uint32_t block, bytes; } extent[FS_MAX_EXTENTS];
    /* The place in the cluster chain, kept between reads: cluster at_cluster
     * is the file's at_index-th; at_cluster 0 = not started. loop_*: Brent's
     * cycle detection along the chain. */
    uint32_t at_cluster, at_index;
    uint32_t loop_mark, loop_power, loop_steps;
} fs_file;

/* A directory being listed (fs_dir_open, fs_dir_next). */
typedef struct {
    fs_file dir;
    uint64_t pos;            /* byte offset of the next record */
} fs_dir;

/* One entry of a listing. */
typedef struct {
    char name[FS_NAME_MAX];  /* UTF-8 */
    fs_file file;
} fs_entry;

/* The filesystem's layout, filled in by fs_mount. */
typedef struct {
    uint64_t fat_offset;     /* bytes from the volume's start */
    uint64_t heap_offset;    /* where cluster 2 begins */
    uint64_t root_offset;    /* FAT12/16: the fixed root directory region */
    uint32_t root_bytes;
    uint32_t cluster_shift;  /* log2 of the bytes per cluster */
    uint32_t clusters;       /* clusters 2 .. clusters + 1 exist */
    uint32_t fat_bits;       /* 12, 16 or 32 */
} fs_fat_layout;

typedef struct {
    uint8_t names;           /* FS_ISO_NAMES_* below */
    uint8_t susp_skip;       /* bytes before the SUSP entries of each record */
} fs_iso_layout;

enum { FS_ISO_NAMES_PLAIN, FS_ISO_NAMES_ROCK_RIDGE, FS_ISO_NAMES_JOLIET };

#define FS_CACHE_SLOTS 2

typedef struct {
    /* What fs_mount found, for the caller to read: */
    enum fs_type type;
    char label[64];          /* UTF-8; "" when the volume has none */
    int case_sensitive;      /* names differ by case (ISO 9660 Rock Ridge); fs_find
                                then prefers an exact match */
    fs_notes notes;
    uint64_t bytes;          /* the volume's size */
    /* Its place on the device: */
    const fs_blockdev *dev;
    uint64_t first_lba;      /* device sectors */
    uint64_t sectors;
    /* The filesystem's layout and root directory: */
    fs_fat_layout fat;
    fs_iso_layout iso;
    fs_file root;
    /* Working state: the last error, sector caches for directories and the
     * FAT, the bounce sector for the ends of a read, fs_walk's stack and
     * the entry fs_walk and fs_find list into. */
    char err[160];
    uint64_t cache_lba[FS_CACHE_SLOTS];
    uint8_t cache_ok[FS_CACHE_SLOTS];
    uint8_t cache[FS_CACHE_SLOTS][4096];
    uint8_t bounce[4096];
    struct { fs_file dir; uint64_t pos; size_t path_len; } walk[FS_MAX_DEPTH + 1];
    char path[FS_PATH_MAX];
    fs_entry entry;
} fs_volume;

/* Mounts partition p of dev read-only: recognises exFAT, FAT12/16/32 and
 * ISO 9660, checks the boot sector (exFAT: its checksum; the backup boot
 * region when the main one is damaged, with a note), reads the label.
 * Returns 0; -1 with err set (no filesystem recognised, or a damaged one).
 * v is the caller's (about 24 KiB); it must stay where it is while in use. */
int fs_mount(fs_volume *v, const fs_blockdev *dev, const fs_partition *p,
             char *err, size_t errlen);

/* Called for every regular file: path from the root ("/models/x.gguf", in
 * UTF-8) and the file (its size in f->size; a copy can be handed to
 * fs_read). Return 0 to go on, anything else to stop the walk there. */
typedef int (*fs_walk_fn)(void *ctx, const char *path, const fs_file *f);

/* Calls fn for every regular file of the volume, depth first, directories
 * in their on-disk order, down to FS_MAX_DEPTH levels (deeper ones are
 * skipped with a note, as are names longer than FS_NAME_MAX). Returns 0
 * when the walk ended (or fn stopped it), -1 with err set when a directory
 * cannot be read (the files before it were reported). */
int fs_walk(fs_volume *v, fs_walk_fn fn, void *ctx, char *err, size_t errlen);

/* Finds the file or directory at path ("/models/x.gguf" or "models/x.gguf";
 * "/" or "" is the root): case-insensitive (on ISO 9660 with Rock Ridge an
 * exact match wins over one that differs in case). Returns 0 with *f
 * filled in; 1 when there is no such file (err says which part is
 * missing); -1 with err set when a directory cannot be read. */
int fs_find(fs_volume *v, const char *path, fs_file *f, char *err, size_t errlen);

/* Reads len bytes of file f from offset into buf. offset + len must not
 * pass f->size. Returns 0, or -1 with err set (device error, a cluster
 * chain that ends early, loops or leaves the volume). */
int fs_read(fs_volume *v, fs_file *f, uint64_t offset, void *buf, uint64_t len,
            char *err, size_t errlen);

/* Directory listing, one entry at a time (fs_walk is built on it).
 * Starts a listing of directory d (v->root for the root). */
void fs_dir_open(fs_dir *it, const fs_file *d);

/* The next entry of the listing ("." and "..", volume labels, deleted and
 * hidden system entries left out): 1 with *e filled in, 0 at the end, -1
 * with err set. */
int fs_dir_next(fs_volume *v, fs_dir *it, fs_entry *e, char *err, size_t errlen);

/* Whether a and b (UTF-8) are the same name but for case (the up-casing
 * exFAT and FAT use: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic). */
int fs_name_equal_nocase(const char *a, const char *b);

#endif

/* The model from a disk (see model_load.h).
 *
 * The disks are the drivers' (struct disk); lib/fs reads their partition
 * tables and filesystems through an fs_blockdev over each. A model is
 * looked for by name, or every candidate is described for a list: a GGUF
 * file or a llama2.c .bin is told by its header alone (kernel/model_kind.c),
 * read into a buffer and seen through a mapping in which the rest of the
 * file reads as zeros, so that the engine's parsers, which check where each
 * tensor lies but never read one, can be used unchanged on a file of any
 * size without reading it all.
 *
 * Loading: the model goes into one free block of RAM when one holds it,
 * else into the fewest 2 MiB-aligned pieces (the largest free ranges whole,
 * above 4 GiB included), which paging_map_pieces then shows as one range;
 * each piece is read by DMA at its physical address, in chunks, with a
 * progress bar. The engine then uses the file in place, as it does a GRUB
 * module. */
#include "kernel/model_load.h"
#include <stdbool.h>
#include "drivers/ahci.h"
#include "drivers/nvme.h"
#include "kernel/console.h"
#include "kernel/disk.h"
#include "kernel/input.h"
#include "kernel/memory.h"
#include "kernel/model_kind.h"
#include "kernel/paging.h"
#include "kernel/panic.h"
#include "kernel/progress.h"
#include "kernel/time.h"
#include "lib/format.h"
#include "lib/fs/fs.h"
#include "lib/libc.h"
#include "lib/llama/llama.h"

#define MIB (1ull << 20)
#define PIECE_ALIGN (2 * MIB)
#define MAX_VOLUMES 32
#define MAX_CANDIDATES 64
#define MAX_PIECES 256
#define CHUNK (16 * MIB)                     /* one fs_read between progress updates */
#define HEADER_FIRST (4 * MIB)               /* header bytes read to describe a file */
#define HEADER_MAX (64 * MIB)                /* a GGUF header larger than this is not described */
#define CHOOSE_TIMEOUT_NS (10ull * 1000000000) /* under --exit */

struct volume {
    fs_volume *fs;
    char where[96];   /* "nvme0 partition 2 (LLAMA2, exFAT)" */
};

static fs_blockdev devices[DISK_MAX];
static struct volume volumes[MAX_VOLUMES];
static int n_volumes;
static char err[256];

/* ---------------------------------------------------------------- disks and volumes */

static int device_read(void *ctx, uint64_t lba, uint64_t count, void *buf) {
    return disk_read(ctx, lba, count, buf);
}

static void print_notes(const char *where, const fs_notes *n) {
    for (int i = 0; i < n->count; i++) kprintf("note: %s: %s\n", where, n->text[i]);
    if (n->dropped) kprintf("note: %s: %d more notes\n", where, n->dropped);
}

/* One line for what was found, whatever --verbose says: "disks: nvme0
 * (256.0 MiB; ESP FAT16, LLAMA2 exFAT), cd0 (21.6 MiB; ISOIMAGE ISO 9660)". */
static void print_summary(void) {
    if (disk_count() == 0) {
        kprintf("disks: none found\n");
        return;
    }
    kprintf("disks:");
    for (int d = 0; d < disk_count(); d++) {
        struct disk *disk = disk_get(d);
        char size[32];
        disk_format_size(disk->sectors * disk->sector_size, size, sizeof size);
        kprintf("%s %s (%s", d ? "," : "", disk->name, size);
        const char *sep = "; ";
        for (int i = 0; i < n_volumes; i++) {
            if (volumes[i].fs->dev != &devices[d]) continue;
            kprintf("%s%s%s%s", sep, volumes[i].fs->label, volumes[i].fs->label[0] ? " " : "",
                    fs_type_name(volumes[i].fs->type));
            sep = ", ";
        }
        kprintf(")");
    }
    kprintf("\n");
}

static void find_volumes(void) {
    nvme_init();
    ahci_init();
    static fs_partition_table table;
    fs_volume *spare = 0;
    for (int d = 0; d < disk_count(); d++) {
        struct disk *disk = disk_get(d);
        devices[d] = (fs_blockdev){ disk, disk->sector_size, disk->sectors, device_read };
        if (fs_read_partitions(&devices[d], &table, err, sizeof err) != 0) {
            kprintf("note: %s: %s\n", disk->name, err);
            continue;
        }
        print_notes(disk->name, &table.notes);
        for (int p = 0; p < table.count && n_volumes < MAX_VOLUMES; p++) {
            const fs_partition *part = &table.part[p];
            char where[96], size[32];
            int n = part->number ? fmt_snprintf(where, sizeof where, "%s partition %d", disk->name, part->number)
                                 : fmt_snprintf(where, sizeof where, "%s", disk->name);
            disk_format_size(part->sectors * disk->sector_size, size, sizeof size);
            if (!spare && !(spare = memory_alloc(sizeof *spare, 4096))) {
                kprintf("note: no memory to read the filesystems of %s\n", where);
                return;
            }
            if (fs_mount(spare, &devices[d], part, err, sizeof err) != 0) {
                kdetail("disk: %s, %s%s%s: %s\n", where, size, part->number ? ", " : "",
                        part->number ? fs_partition_kind(part) : "", err);
                continue;
            }
            struct volume *v = &volumes[n_volumes++];
            v->fs = spare;
            spare = 0;
            if (v->fs->label[0])
                fmt_snprintf(where + n, sizeof where - (size_t)n, " (%s, %s)", v->fs->label, fs_type_name(v->fs->type));
            else
                fmt_snprintf(where + n, sizeof where - (size_t)n, " (%s)", fs_type_name(v->fs->type));
            memcpy(v->where, where, sizeof v->where);
            kdetail("disk: %s, %s\n", v->where, size);
            print_notes(v->where, &v->fs->notes);
        }
    }
}

/* ---------------------------------------------------------------- finding files */

struct found {
    int volume;
    fs_file file;
    char path[FS_PATH_MAX];
};

static const char *base_name(const char *path) {
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/') b = p + 1;
    return b;
}

struct name_search { const char *name; struct found *out; bool hit; };

static int match_name(void *ctx, const char *path, const fs_file *f) {
    struct name_search *s = ctx;
    if (!fs_name_equal_nocase(base_name(path), s->name)) return 0;
    s->out->file = *f;
    fmt_snprintf(s->out->path, sizeof s->out->path, "%s", path);
    s->hit = true;
    return 1;
}

/* NAME on volume i: a path ("/models/x.gguf") with fs_find, a bare name
 * anywhere on it by walking. */
static bool find_on(int i, const char *name, struct found *out) {
    struct volume *v = &volumes[i];
    out->volume = i;
    if (strchr(name, '/')) {
        int r = fs_find(v->fs, name, &out->file, err, sizeof err);
        if (r < 0) kprintf("note: %s: %s\n", v->where, err);
        if (r != 0 || out->file.is_dir) return false;
        fmt_snprintf(out->path, sizeof out->path, "%s%s", name[0] == '/' ? "" : "/", name);
        return true;
    }
    struct name_search s = { name, out, false };
    if (fs_walk(v->fs, match_name, &s, err, sizeof err) != 0 && !s.hit) kprintf("note: %s: %s\n", v->where, err);
    return s.hit;
}

/* NAME on the first volume that has it, volume `first` (or -1) first. */
static bool find_anywhere(const char *name, int first, struct found *out) {
    if (first >= 0 && find_on(first, name, out)) return true;
    for (int i = 0; i < n_volumes; i++)
        if (i != first && find_on(i, name, out)) return true;
    return false;
}

/* ---------------------------------------------------------------- describing files */

static uint8_t *header_buf, *zero_page;
static uint64_t header_cap;

/* A view of the whole file in which the first `cap` bytes are read from
 * the disk and the rest reads as zeros. 0 (err set) when it cannot be made. */
static const void *header_view(struct found *c, uint64_t cap) {
    if (cap > header_cap) {
        header_buf = memory_alloc(cap, PIECE_ALIGN);
        header_cap = header_buf ? cap : 0;
    }
    if (!zero_page && (zero_page = memory_alloc(PIECE_ALIGN, PIECE_ALIGN))) memset(zero_page, 0, PIECE_ALIGN);
    if (!header_buf || !zero_page) {
        fmt_snprintf(err, sizeof err, "no memory to read the header");
        return 0;
    }
    uint64_t size = c->file.size, have = size < cap ? size : cap;
    fs_file f = c->file;
    if (fs_read(volumes[c->volume].fs, &f, 0, header_buf, have, err, sizeof err) != 0) return 0;
    if (have == size) return header_buf;
    struct paging_piece p[2] = {
        { (uint64_t)header_buf, cap, 0 },
        { (uint64_t)zero_page, (size - cap + PIECE_ALIGN - 1) & ~(PIECE_ALIGN - 1), 1 },
    };
    const void *view = paging_map_pieces(p, 2);
    if (!view) fmt_snprintf(err, sizeof err, "no page tables left to map it");
    return view;
}

/* What candidate c is (MODEL_NONE: not a model), described into desc. */
static enum model_kind describe(struct found *c, char *desc, size_t n) {
    for (uint64_t cap = HEADER_FIRST;; cap *= 4) {
        const void *view = header_view(c, cap);
        if (!view) {
            fmt_snprintf(desc, n, "unreadable: %s", err);
            return MODEL_GGUF;   /* listed all the same: a person may want to know */
        }
        enum model_kind k = model_describe(view, c->file.size, desc, n);
        /* a GGUF header longer than what was read looks damaged: read more */
        if (k != MODEL_GGUF || cap >= c->file.size || cap * 4 > HEADER_MAX || strncmp(desc, "GGUF, unreadable", 16) != 0)
            return k;
    }
}

static bool has_suffix(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && fs_name_equal_nocase(s + n - k, suffix);
}

static struct found candidates[MAX_CANDIDATES];
static int n_candidates, n_skipped;
static int walking;   /* the volume being walked */

static int collect(void *ctx, const char *path, const fs_file *f) {
    (void)ctx;
    if (!has_suffix(path, ".gguf") && !has_suffix(path, ".bin")) return 0;
    if (n_candidates == MAX_CANDIDATES) {
        n_skipped++;
        return 0;
    }
    struct found *c = &candidates[n_candidates++];
    c->volume = walking;
    c->file = *f;
    fmt_snprintf(c->path, sizeof c->path, "%s", path);
    return 0;
}

/* Lists every model on every volume and asks for a number. 0 with *out
 * filled in, or why none was chosen. */
static const char *choose(const Options *opt, struct found *out) {
    for (walking = 0; walking < n_volumes; walking++)
        if (fs_walk(volumes[walking].fs, collect, 0, err, sizeof err) != 0)
            kprintf("note: %s: %s\n", volumes[walking].where, err);
    static char descs[MAX_CANDIDATES][200];
    static int listed[MAX_CANDIDATES];
    int n = 0;
    for (int i = 0; i < n_candidates; i++) {
        if (describe(&candidates[i], descs[n], sizeof descs[n]) == MODEL_NONE) continue;
        if (n == 0) kprintf("models on the disks:\n");
        char size[32];
        disk_format_size(candidates[i].file.size, size, sizeof size);
        kprintf("  %d. %s: %s, %s\n       %s\n", n + 1, volumes[candidates[i].volume].where,
                candidates[i].path, size, descs[n]);
        listed[n++] = i;
    }
    if (n_skipped) kprintf("note: %d more .gguf and .bin files were not looked at (at most %d)\n", n_skipped,
                           MAX_CANDIDATES);
    if (n == 0) return "no model file (a .gguf file, or a llama2.c .bin checkpoint) on any disk";
    for (;;) {
        kprintf("type the number of the model (1-%d) and Enter: ", n);
        char line[16];
        enum input_result r = input_read_line_within(line, sizeof line, opt->exit_when_done ? CHOOSE_TIMEOUT_NS : 0);
        if (r == INPUT_TIMEOUT) {
            kprintf("\n");
            return "no model was chosen from the disks' list within 10 s";
        }
        if (r == INPUT_EOF) return "no model was chosen from the disks' list";
        int k = 0, digits = 0;
        for (const char *p = line; *p; p++) {
            if (*p == ' ') continue;
            if (*p < '0' || *p > '9' || digits > 3) { digits = 0; break; }
            k = k * 10 + (*p - '0');
            digits++;
        }
        if (digits && k >= 1 && k <= n) {
            *out = candidates[listed[k - 1]];
            return 0;
        }
        kprintf("\"%s\" is not a number from 1 to %d\n", line, n);
    }
}

/* ---------------------------------------------------------------- loading */

/* Reads file c into RAM: one block when one holds it, else 2 MiB pieces
 * mapped as one range. what: "model" or "tokenizer", for messages. */
static void *load(struct found *c, const char *what, bool bar) {
    struct volume *v = &volumes[c->volume];
    uint64_t size = c->file.size;
    char size_text[32];
    disk_format_size(size, size_text, sizeof size_text);
    if (size == 0) kernel_error("%s: %s on %s is empty", what, c->path, v->where);
    static uint64_t starts[MAX_PIECES], sizes[MAX_PIECES];
    int n;
    uint8_t *mapped;
    void *one = memory_largest_free() >= size ? memory_alloc(size, 4096) : 0;
    if (one) {
        n = 1;
        starts[0] = (uint64_t)one;
        sizes[0] = size;
        mapped = one;
        kprintf("%s: %s on %s, %s\n", what, c->path, v->where, size_text);
        kdetail("%s: into RAM at %#llx\n", what, (unsigned long long)starts[0]);
    } else {
        uint64_t bytes = (size + PIECE_ALIGN - 1) & ~(PIECE_ALIGN - 1);
        n = memory_alloc_pieces(bytes, PIECE_ALIGN, starts, sizes, MAX_PIECES);
        if (n < 0) {
            char free_text[32];
            disk_format_size(memory_free_aligned(PIECE_ALIGN), free_text, sizeof free_text);
            kernel_error("%s: %s is %s (%llu bytes) but only %s of RAM is free; give the machine more RAM, "
                         "or choose a smaller model", what, c->path, size_text, (unsigned long long)size, free_text);
        }
        struct paging_piece p[MAX_PIECES];
        for (int i = 0; i < n; i++) p[i] = (struct paging_piece){ starts[i], sizes[i], 0 };
        mapped = paging_map_pieces(p, n);
        if (!mapped) kernel_error("%s: no page tables left to map %s of RAM for %s", what, size_text, c->path);
        kprintf("%s: %s on %s, %s\n", what, c->path, v->where, size_text);
        kdetail("%s: into %d pieces of RAM seen as one at %#llx:", what, n, (unsigned long long)(uint64_t)mapped);
        for (int i = 0; i < n; i++) {
            char piece[32];
            disk_format_size(sizes[i], piece, sizeof piece);
            kdetail(" %s at %#llx", piece, (unsigned long long)starts[i]);
        }
        kdetail("\n");
    }
    struct progress pr;
    if (bar) progress_start(&pr, size);
    fs_file f = c->file;
    uint64_t off = 0;
    for (int i = 0; i < n && off < size; i++) {
        for (uint64_t in = 0; in < sizes[i] && off < size;) {
            uint64_t len = size - off;
            if (len > sizes[i] - in) len = sizes[i] - in;
            if (len > CHUNK) len = CHUNK;
            if (fs_read(v->fs, &f, off, (void *)(starts[i] + in), len, err, sizeof err) != 0) {
                if (bar) progress_end(&pr);
                kernel_error("%s: reading %s on %s failed at byte %llu of %llu: %s", what, c->path, v->where,
                             (unsigned long long)off, (unsigned long long)size, err);
            }
            in += len;
            off += len;
            if (bar) progress_update(&pr, off);
        }
    }
    if (bar) progress_end(&pr);
    return mapped;
}

/* The tokenizer of the llama2.c checkpoint `model` (or, with no model
 * found here, of a module's): --tokenizer NAME, else tokenizer.bin beside
 * the model. */
static bool find_tokenizer(const Options *opt, const struct found *model, struct found *out) {
    const char *name = opt->tokenizer_file ? opt->tokenizer_file : "tokenizer.bin";
    int home = model ? model->volume : -1;
    if (model && !strchr(name, '/')) {   /* beside the model first */
        char path[FS_PATH_MAX];
        size_t dir = (size_t)(base_name(model->path) - model->path);
        fmt_snprintf(path, sizeof path, "%.*s%s", (int)dir, model->path, name);
        if (find_on(home, path, out)) return true;
        if (!opt->tokenizer_file) return false;
    }
    return find_anywhere(name, home, out);
}

const char *model_load_from_disks(const Options *opt, struct model_files *files) {
    find_volumes();
    print_summary();
    struct found model, tok;
    bool have_model = false;
    if (opt->model_file) {
        if (!find_anywhere(opt->model_file, -1, &model))
            kernel_error("--model %s: no partition of any disk has it (%d filesystem%s read); copy the model "
                         "there, or leave --model out to choose from a list of the models found",
                         opt->model_file, n_volumes, n_volumes == 1 ? "" : "s");
        have_model = true;
    } else if (!files->model) {
        const char *why = choose(opt, &model);
        if (why) return why;
        have_model = true;
    }

    if (have_model) {
        files->model = load(&model, "model", true);
        files->model_size = model.file.size;
    }
    if (llama_is_gguf(files->model, (size_t)files->model_size)) {
        if (opt->tokenizer_file)
            kprintf("note: --tokenizer %s is not used: a GGUF file holds its vocabulary\n", opt->tokenizer_file);
        files->tokenizer = 0;
        files->tokenizer_size = 0;
    } else if (find_tokenizer(opt, have_model ? &model : 0, &tok)) {
        files->tokenizer = load(&tok, "tokenizer", false);
        files->tokenizer_size = tok.file.size;
    } else if (opt->tokenizer_file) {
        kernel_error("--tokenizer %s: no partition of any disk has it%s", opt->tokenizer_file,
                     have_model ? " (looked beside the model first)" : "");
    } else if (files->tokenizer || !have_model) {
        kprintf("note: no tokenizer.bin beside the model; using the GRUB module 'tokenizer'\n");
    } else {
        kernel_error("tokenizer: no tokenizer.bin beside %s on %s; a llama2.c checkpoint needs its "
                     "tokenizer: copy it there, or name it with --tokenizer NAME",
                     model.path, volumes[model.volume].where);
    }
    return 0;
}

/* fsls: what lib/fs (and so the kernel) sees on a disk image or a device:
 *
 *   fsls [-S SECTOR] IMAGE                 partitions, volumes, every file
 *   fsls [-S SECTOR] IMAGE N:/PATH > OUT   the file PATH of partition N (0:
 *                                          the whole device), to stdout
 *
 * SECTOR: the device's sector size (512 by default; 2048 reads an ISO as
 * a CD). Notes about damage are printed as "note: ..." lines; an error
 * ends the program with one "error: ..." line and status 1. Used by
 * tests/host/make_disk.sh to check make disk's image with this project's
 * own reader, and handy to see why a stick's models are not found. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs/fs.h"
#include "tools/lib/die.h"

static int fd;

static int image_read(void *ctx, uint64_t lba, uint64_t count, void *buf)
{
    uint32_t ss = *(uint32_t *)ctx;
    size_t n = (size_t)(count * ss);
    return pread(fd, buf, n, (off_t)(lba * ss)) == (ssize_t)n ? 0 : -1;
}

static void print_notes(const fs_notes *n)
{
    for (int i = 0; i < n->count; i++)
        printf("note: %s\n", n->text[i]);
    if (n->dropped)
        printf("note: %d more notes\n", n->dropped);
}

static int print_file(void *ctx, const char *path, const fs_file *f)
{
    printf("    %12" PRIu64 "  %s\n", f->size, path);
    return 0;
}

int main(int argc, char **argv)
{
    static uint32_t sector = 512;
    static fs_partition_table table;
    static fs_volume vol;
    static char err[256];
    int i = 1;
    if (i + 1 < argc && !strcmp(argv[i], "-S")) {
        sector = (uint32_t)atoi(argv[i + 1]);
        i += 2;
    }
    if (i >= argc || argc - i > 2)
        die("usage: fsls [-S SECTOR] IMAGE [N:/PATH]");
    const char *image = argv[i], *want = i + 1 < argc ? argv[i + 1] : 0;
    fd = open(image, O_RDONLY);
    if (fd < 0)
        die("%s: %s", image, strerror(errno));
    struct stat st;
    fstat(fd, &st);
    uint64_t bytes = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        bytes = end > 0 ? (uint64_t)end : 0;
    }
    fs_blockdev dev = {&sector, sector, bytes / sector, image_read};
    if (fs_read_partitions(&dev, &table, err, sizeof err) != 0)
        die("%s: %s", image, err);

    if (want) {
        char *colon = strchr(want, ':');
        if (!colon)
            die("give the file as N:/PATH (N: the partition's number, 0 the whole device)");
        int number = atoi(want);
        const fs_partition *p = 0;
        for (int k = 0; k < table.count; k++)
            if (table.part[k].number == number)
                p = &table.part[k];
        if (!p)
            die("%s: no partition %d", image, number);
        if (fs_mount(&vol, &dev, p, err, sizeof err) != 0)
            die("%s: partition %d: %s", image, number, err);
        fs_file f;
        int r = fs_find(&vol, colon + 1, &f, err, sizeof err);
        if (r != 0)
            die("%s: partition %d: %s", image, number, err);
        if (f.is_dir)
            die("%s is a directory", colon + 1);
        static uint8_t buf[8 << 20];
        for (uint64_t at = 0; at < f.size;) {
            uint64_t n = f.size - at < sizeof buf ? f.size - at : sizeof buf;
            if (fs_read(&vol, &f, at, buf, n, err, sizeof err) != 0)
                die("%s: %s", colon + 1, err);
            if (fwrite(buf, 1, n, stdout) != n)
                die("writing the output: %s", strerror(errno));
            at += n;
        }
        return 0;
    }

    static const char *schemes[] = {"no partition table", "MBR", "GPT"};
    printf("%s: %" PRIu64 " sectors of %u bytes, %s\n", image, dev.sectors, sector, schemes[table.scheme]);
    print_notes(&table.notes);
    for (int k = 0; k < table.count; k++) {
        const fs_partition *p = &table.part[k];
        printf("partition %d: sectors %" PRIu64 "+%" PRIu64 ", %s%s%s%s", p->number, p->first_lba,
               p->sectors, fs_partition_kind(p), p->name[0] ? " \"" : "", p->name, p->name[0] ? "\"" : "");
        if (fs_mount(&vol, &dev, p, err, sizeof err) != 0) {
            printf(": %s\n", err);
            continue;
        }
        printf(": %s, label \"%s\"\n", fs_type_name(vol.type), vol.label);
        if (fs_walk(&vol, print_file, 0, err, sizeof err) != 0)
            printf("    error: %s\n", err);
        print_notes(&vol.notes);
    }
    return 0;
}

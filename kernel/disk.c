/* The list of disks (see disk.h). */
#include "kernel/disk.h"
#include "kernel/console.h"
#include "lib/format.h"

static struct disk disks[DISK_MAX];
static int n_disks;

void disk_register(const struct disk *d) {
    if (n_disks == DISK_MAX) {
        kprintf("note: disk %s ignored: more than %d disks\n", d->name, DISK_MAX);
        return;
    }
    disks[n_disks++] = *d;
}

int disk_count(void) { return n_disks; }

struct disk *disk_get(int i) { return i >= 0 && i < n_disks ? &disks[i] : 0; }

int disk_read(struct disk *d, uint64_t lba, uint64_t count, void *buf) {
    unsigned char *p = buf;
    while (count > 0) {
        uint32_t n = count < d->max_sectors ? (uint32_t)count : d->max_sectors;
        if (d->read(d->ctx, lba, n, p) != 0) return -1;
        lba += n;
        count -= n;
        p += (uint64_t)n * d->sector_size;
    }
    return 0;
}

void disk_format_size(uint64_t bytes, char *buf, unsigned size) {
    if (bytes >= (1ull << 30)) fmt_snprintf(buf, size, "%.1f GiB", bytes / (double)(1ull << 30));
    else if (bytes >= (1ull << 20)) fmt_snprintf(buf, size, "%.1f MiB", bytes / (double)(1ull << 20));
    else if (bytes >= 1024) fmt_snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
    else fmt_snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
}

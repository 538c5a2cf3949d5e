/* Following cluster chains (see cluster.h). A file keeps its place in its
 * chain (at_cluster is its at_index-th cluster), so reading it from the
 * start to the end walks the chain once; a read before that place starts
 * again from the first cluster. Consecutive clusters are merged into one
 * run, which fs_read reads with one device request. Loops are caught with
 * Brent's method: a mark cluster, moved to the current one whenever the
 * steps since it reach a power of two; meeting the mark again means the
 * chain has come round. */
#include "lib/fs/cluster.h"
#include "lib/fs/io.h"

int cluster_next(fs_volume *v, uint32_t c, uint32_t *next)
{
    const fs_fat_layout *g = &v->fat;
    const char *fs = fs_type_name(v->type);
    uint32_t e;
    if (c < 2 || c > g->clusters + 1)
        return fs_fail(v, "%s: cluster %u is outside the volume", fs, c);
    if (g->fat_bits == 12) {
        uint64_t at = g->fat_offset + c + c / 2;
        const uint8_t *p0 = fs_io_peek(v, FS_SLOT_FAT, at, 1);
        if (!p0)
            return -1;
        uint8_t lo = *p0;
        const uint8_t *p1 = fs_io_peek(v, FS_SLOT_FAT, at + 1, 1);
        if (!p1)
            return -1;
        e = (uint32_t)(lo | *p1 << 8);
        e = (c & 1) ? e >> 4 : e & 0xFFF;
        if (e >= 0xFF8)
            return 0;
    } else if (g->fat_bits == 16) {
        const uint8_t *p = fs_io_peek(v, FS_SLOT_FAT, g->fat_offset + (uint64_t)c * 2, 2);
        if (!p)
            return -1;
        e = fs_le16(p);
        if (e >= 0xFFF8)
            return 0;
    } else {
        const uint8_t *p = fs_io_peek(v, FS_SLOT_FAT, g->fat_offset + (uint64_t)c * 4, 4);
        if (!p)
            return -1;
        e = fs_le32(p);
        if (v->type != FS_EXFAT)
            e &= 0x0FFFFFFF;
        if (e >= (v->type == FS_EXFAT ? 0xFFFFFFF8u : 0x0FFFFFF8u))
            return 0;
    }
    if (e < 2)
        return fs_fail(v, "%s: the cluster chain reaches free cluster %u (after cluster %u)", fs, e, c);
    if (e > g->clusters + 1)
        return fs_fail(v, "%s: cluster %u points to cluster %u, which is bad or outside the volume",
                       fs, c, e);
    *next = e;
    return 1;
}

int cluster_check(fs_volume *v, const fs_file *f)
{
    const fs_fat_layout *g = &v->fat;
    const char *fs = fs_type_name(v->type);
    if (f->fixed_root)
        return 0;
    if (f->first_cluster == 0) {
        if (f->size == 0 || f->chain_sized)
            return 0;
        return fs_fail(v, "%s: a file of %llu bytes has no clusters", fs, (unsigned long long)f->size);
    }
    if (f->first_cluster < 2 || f->first_cluster > g->clusters + 1)
        return fs_fail(v, "%s: first cluster %u is outside the volume", fs, f->first_cluster);
    if (f->contiguous) {
        uint64_t n = (f->size + ((uint64_t)1 << g->cluster_shift) - 1) >> g->cluster_shift;
        if (n > (uint64_t)g->clusters + 2 - f->first_cluster)
            return fs_fail(v, "%s: a file of %llu bytes from cluster %u runs past the volume's last cluster",
                           fs, (unsigned long long)f->size, f->first_cluster);
    }
    return 0;
}

int cluster_map(fs_volume *v, fs_file *f, uint64_t off, uint64_t want, uint64_t *vol_off,
                uint64_t *run)
{
    const fs_fat_layout *g = &v->fat;
    const char *fs = fs_type_name(v->type);
    uint64_t csize = (uint64_t)1 << g->cluster_shift, in = off & (csize - 1);
    uint64_t index = off >> g->cluster_shift;

    if (f->fixed_root) {
        if (off >= g->root_bytes)
            return 0;
        *vol_off = g->root_offset + off;
        *run = g->root_bytes - off;
        return 1;
    }
    if (cluster_check(v, f) != 0)
        return -1;
    if (f->first_cluster == 0) {
        if (f->chain_sized)
            return 0;
        return fs_fail(v, "%s: a read past the clusters of a file", fs);
    }
    if (f->contiguous) {
        uint64_t n = (f->size + csize - 1) >> g->cluster_shift;
        if (index >= n)
            return fs_fail(v, "%s: a read past the clusters of a file", fs);
        *vol_off = g->heap_offset + ((f->first_cluster - 2 + index) << g->cluster_shift) + in;
        *run = ((n - index) << g->cluster_shift) - in;
        return 1;
    }
    if (f->at_cluster == 0 || index < f->at_index) {
        f->at_cluster = f->first_cluster;
        f->at_index = 0;
        f->loop_mark = f->first_cluster;
        f->loop_power = 1;
        f->loop_steps = 0;
    }
    if (index > g->clusters)
        return fs_fail(v, "%s: byte %llu is past the largest chain the volume can hold", fs,
                       (unsigned long long)off);
    while (f->at_index < index) {
        uint32_t next;
        int r = cluster_next(v, f->at_cluster, &next);
        if (r < 0)
            return -1;
        if (r == 0) {
            if (f->chain_sized)
                return 0;
            return fs_fail(v, "%s: the cluster chain ends after %u clusters but the file's size "
                           "(%llu bytes) needs %llu", fs, f->at_index + 1,
                           (unsigned long long)f->size,
                           (unsigned long long)((f->size + csize - 1) >> g->cluster_shift));
        }
        f->at_cluster = next;
        f->at_index++;
        if (next == f->loop_mark || f->at_index > g->clusters)
            return fs_fail(v, "%s: the cluster chain loops (cluster %u comes round again)", fs, next);
        if (++f->loop_steps == f->loop_power) {
            f->loop_mark = next;
            f->loop_power *= 2;
            f->loop_steps = 0;
        }
    }
    *vol_off = g->heap_offset + ((uint64_t)(f->at_cluster - 2) << g->cluster_shift) + in;
    *run = csize - in;
    /* Merge the clusters that follow on the disk, up to what is wanted. */
    while (*run < want) {
        uint32_t next;
        int r = cluster_next(v, f->at_cluster, &next);
        if (r < 0)
            return -1;
        if (r == 0 || next != f->at_cluster + 1)
            break;
        f->at_cluster = next;
        f->at_index++;
        if (next == f->loop_mark)
            return fs_fail(v, "%s: the cluster chain loops (cluster %u comes round again)", fs, next);
        if (++f->loop_steps == f->loop_power) {
            f->loop_mark = next;
            f->loop_power *= 2;
            f->loop_steps = 0;
        }
        *run += csize;
    }
    return 1;
}

/* Fuzzes lib/fs/partition.c: the partition table of the device (GPT, MBR,
 * none), then each partition mounted and walked. The input is a device
 * (tests/fuzz/fs_device.h); tests/fuzz/seeds.py starts from real images
 * (tests/data/make_fs_images.sh's tools) cut short. */
#include "tests/fuzz/fs_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_disk d;
    fs_blockdev dev;
    if (fuzz_disk_open(&d, &dev, data, size) != 0)
        return 0;
    static fs_partition_table t;
    char err[160];
    int r = fs_read_partitions(&dev, &t, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "fs_read_partitions returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "partition error");
    fuzz_check_notes(&t.notes);
    if (r != 0)
        return 0;
    FUZZ_ASSERT(t.count >= 0 && t.count <= FS_MAX_PARTITIONS, "%d partitions", t.count);
    FUZZ_ASSERT(t.count > 0 || t.scheme != FS_SCHEME_NONE, "no partitions and no table");
    for (int i = 0; i < t.count; i++) {
        const fs_partition *p = &t.part[i];
        FUZZ_ASSERT(p->sectors > 0 && p->first_lba < dev.sectors && p->sectors <= dev.sectors - p->first_lba,
                    "partition %d (%llu+%llu) is not on the device", p->number,
                    (unsigned long long)p->first_lba, (unsigned long long)p->sectors);
        FUZZ_ASSERT(strnlen(p->name, sizeof p->name) < sizeof p->name, "name not terminated");
        FUZZ_ASSERT(fs_partition_kind(p) != NULL, "no kind");
        if (i < 4)
            fuzz_volume(&dev, p);
    }
    return 0;
}

/* Fuzzes lib/fs/iso9660.c: the device as one ISO 9660 volume (Rock Ridge,
 * Joliet, multi-extent files), mounted and walked, every file read in part.
 * The input is a device (tests/fuzz/fs_device.h); tests/fuzz/seeds.py starts
 * from real images (tests/data/make_fs_images.sh's tools) cut short. */
#include "tests/fuzz/fs_device.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_whole_device_volume(data, size);
}

/* Fuzzes kernel/multiboot2.c: the input is the boot-information block, and
 * avail is its size. The block is copied to its own 8-byte-aligned heap
 * buffer; when its total_size field is less than the input, the bytes past
 * total_size (but not the 8-byte header holding it) are poisoned, so that
 * ASan reports a read there too (mb2_parse promises to read only
 * [info, info + min(avail, total_size))). On success
 * every pointer in struct mb2_info must point inside the block, and every
 * string must end inside it. */
#include <sanitizer/asan_interface.h>

#include "kernel/multiboot2.h"
#include "tests/fuzz/fuzz.h"

static struct mb2_info info;

static void inside(const void *p, size_t n, const unsigned char *blk, size_t lim,
                   const char *what)
{
    const unsigned char *q = p;
    FUZZ_ASSERT(q >= blk && q <= blk + lim && n <= (size_t)(blk + lim - q),
                "%s [%p, +%zu) is outside the block [%p, +%zu)", what, p, n, (void *)blk, lim);
}

static void string_inside(const char *s, const unsigned char *blk, size_t lim, const char *what)
{
    if (!s)
        return;
    inside(s, 0, blk, lim, what);
    size_t room = (size_t)(blk + lim - (const unsigned char *)s);
    FUZZ_ASSERT(strnlen(s, room) < room, "%s does not end inside the block", what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[200];
    unsigned char *blk = fuzz_dup(data, size);
    size_t lim = size;

    if (size >= 4) {
        uint32_t total;
        memcpy(&total, data, 4);
        if (total < size) {
            lim = total < 8 ? 8 : total;
            if (lim < size)
                ASAN_POISON_MEMORY_REGION(blk + lim, size - lim);
        }
    }
    int r = mb2_parse(blk, size, &info, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1, "mb2_parse returned %d", r);
    fuzz_check_message(err, sizeof err, r != 0, "multiboot2 error");
    if (r != 0) {
        FUZZ_ASSERT(strncmp(err, "multiboot2: ", 12) == 0, "error without prefix: %s", err);
    } else {
        FUZZ_ASSERT(err[0] == 0, "err set on success: %s", err);
        FUZZ_ASSERT(size >= 16 && info.total_size >= 16 && info.total_size <= size,
                    "accepted total_size %u of %zu bytes", info.total_size, size);
        string_inside(info.cmdline, blk, lim, "cmdline");
        string_inside(info.bootloader_name, blk, lim, "boot loader name");
        FUZZ_ASSERT(info.module_count >= 0 && info.module_count <= MB2_MAX_MODULES,
                    "module_count %d", info.module_count);
        for (int i = 0; i < info.module_count; i++) {
            FUZZ_ASSERT(info.modules[i].string, "module %d has no string", i);
            string_inside(info.modules[i].string, blk, lim, "module string");
            FUZZ_ASSERT(info.modules[i].start <= info.modules[i].end, "module %d ends first", i);
        }
        FUZZ_ASSERT(info.mmap_count >= 0 && info.mmap_count <= MB2_MAX_MMAP &&
                    info.mmap_dropped >= 0, "mmap_count %d", info.mmap_count);
        FUZZ_ASSERT(info.has_mmap || (info.mmap_count == 0 && info.mmap_dropped == 0),
                    "mmap entries without a memory map");
        if (info.fb.palette)
            inside(info.fb.palette, 3u * info.fb.palette_colors, blk, lim, "palette");
        if (info.rsdp_v1) {
            FUZZ_ASSERT(info.rsdp_v1_size >= 20, "RSDP v1 of %u bytes", info.rsdp_v1_size);
            inside(info.rsdp_v1, info.rsdp_v1_size, blk, lim, "RSDP v1");
        }
        if (info.rsdp_v2) {
            FUZZ_ASSERT(info.rsdp_v2_size >= 36, "RSDP v2 of %u bytes", info.rsdp_v2_size);
            inside(info.rsdp_v2, info.rsdp_v2_size, blk, lim, "RSDP v2");
        }
    }
    if (lim < size)
        ASAN_UNPOISON_MEMORY_REGION(blk + lim, size - lim);
    free(blk);
    return 0;
}

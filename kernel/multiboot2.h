/* The multiboot2 boot information: what GRUB tells the kernel.
 *
 * GRUB leaves a block of tags in memory and its address in ebx: a u32
 * total_size, a u32 reserved, then tags (u32 type, u32 size, payload), each
 * starting on an 8-byte boundary, ending with a type-0 tag of size 8.
 * mb2_parse walks that block once, checks that every tag lies inside it,
 * and collects what the kernel uses into struct mb2_info. It only reads
 * memory (no hardware), so the host tests feed it synthesized blocks.
 * Strings, module names and the ACPI RSDP copies point into the block,
 * which must therefore stay mapped and untouched while they are used. */
#ifndef KERNEL_MULTIBOOT2_H
#define KERNEL_MULTIBOOT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u   /* in eax at entry; the caller checks it */
#define MB2_MAX_MODULES 16                 /* more is an error */
#define MB2_MAX_MMAP 128                   /* more entries are counted, not kept */

/* Memory map entry types (the multiboot2 specification's values). */
enum { MB2_MEM_AVAILABLE = 1, MB2_MEM_RESERVED = 2, MB2_MEM_ACPI_RECLAIMABLE = 3,
       MB2_MEM_NVS = 4, MB2_MEM_BADRAM = 5 };

/* Framebuffer types. */
enum { MB2_FB_INDEXED = 0, MB2_FB_RGB = 1, MB2_FB_EGA_TEXT = 2 };

struct mb2_module {
    uint64_t start, end;        /* physical, [start, end) */
    const char *string;         /* what followed the path in grub.cfg's module2 line */
};

struct mb2_mmap_entry {
    uint64_t base, length;
    uint32_t type;              /* MB2_MEM_* */
};

struct mb2_framebuffer {
    bool present;
    uint64_t addr;              /* physical */
    uint32_t pitch, width, height;  /* pitch in bytes, width and height in pixels */
    uint8_t bpp, type;          /* type: MB2_FB_* */
    /* MB2_FB_RGB: bit position and width of each channel in a pixel. */
    uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
    /* MB2_FB_INDEXED: palette_colors entries of 3 bytes (red, green, blue). */
    uint16_t palette_colors;
    const uint8_t *palette;
};

struct mb2_info {
    uint32_t total_size;
    const char *cmdline;            /* NULL when absent; GRUB omits the kernel path */
    const char *bootloader_name;    /* NULL when absent */

    int module_count;
    struct mb2_module modules[MB2_MAX_MODULES];

    bool has_mmap;
    int mmap_count;                 /* entries kept in mmap[] */
    int mmap_dropped;               /* entries beyond MB2_MAX_MMAP */
    struct mb2_mmap_entry mmap[MB2_MAX_MMAP];

    bool has_meminfo;               /* tag 4, in KiB */
    uint32_t mem_lower_kb, mem_upper_kb;

    struct mb2_framebuffer fb;

    const void *rsdp_v1;            /* tag 14: copy of the ACPI 1.0 RSDP, or NULL */
    uint32_t rsdp_v1_size;
    const void *rsdp_v2;            /* tag 15: copy of the ACPI 2.0+ RSDP, or NULL */
    uint32_t rsdp_v2_size;

    /* EFI: which tags came, with their values. */
    bool has_efi32, has_efi64;      /* tags 11, 12: system table pointers */
    uint64_t efi32_system_table, efi64_system_table;
    bool has_efi32_image_handle, has_efi64_image_handle;   /* tags 19, 20 */
    uint64_t efi32_image_handle, efi64_image_handle;
    bool has_efi_mmap;              /* tag 17 (not decoded) */
    bool efi_boot_services;         /* tag 18: boot services were NOT exited */

    bool has_load_base;             /* tag 21: where the image was loaded */
    uint32_t load_base;
};

/* Parses the block at info, of which at most avail bytes may be read (the
 * kernel passes how much it has mapped there; total_size must fit in it).
 * Returns 0 with *out filled in; or -1 with one line (no "error: " prefix,
 * no newline) in err, *out then partly filled. Never reads outside
 * [info, info + min(avail, total_size)). struct mb2_info is a few KiB:
 * make it static in the kernel rather than put it on a small stack. */
int mb2_parse(const void *info, size_t avail, struct mb2_info *out, char *err, size_t errlen);

#endif

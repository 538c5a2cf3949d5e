/* The multiboot2 boot-information walker (see multiboot2.h).
 *
 * The block comes from outside the kernel, so nothing in it is trusted:
 * every tag's header must lie inside total_size, every tag must end inside
 * it, strings must end with a NUL inside their tag, and a tag that is too
 * short for the fields the kernel reads from it is an error. Fields are
 * read with memcpy, so no cast ever assumes alignment.
 *
 * Layout facts (multiboot2 specification, checked against GRUB's code):
 *  - tags start 8-byte aligned: the next tag is at the current offset plus
 *    size rounded up to 8; the end tag is type 0, size 8;
 *  - memory map: u32 entry_size (a multiple of 8, at least 24), u32
 *    entry_version, then entries of u64 base, u64 length, u32 type; newer
 *    versions may make entries longer, so entry_size is the stride;
 *  - framebuffer: the common part ends with u8 bpp, u8 type and a u16
 *    reserved (the specification's text says u8, GRUB writes u16), so the
 *    colour information starts at offset 32: six u8 for direct RGB, or a
 *    u16 palette size and 3-byte palette entries for indexed colour. */
#include <stdarg.h>

#include "kernel/multiboot2.h"
#include "lib/format.h"
#include "lib/libc.h"

enum {
    TAG_END = 0, TAG_CMDLINE = 1, TAG_LOADER_NAME = 2, TAG_MODULE = 3, TAG_MEMINFO = 4,
    TAG_MMAP = 6, TAG_FRAMEBUFFER = 8, TAG_EFI32 = 11, TAG_EFI64 = 12, TAG_ACPI_OLD = 14,
    TAG_ACPI_NEW = 15, TAG_EFI_MMAP = 17, TAG_EFI_BS = 18, TAG_EFI32_IH = 19,
    TAG_EFI64_IH = 20, TAG_LOAD_BASE = 21,
};

static uint32_t rd32(const unsigned char *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static int has_nul(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == 0)
            return 1;
    return 0;
}

/* The least size each tag must have for what is read from it. */
static uint32_t min_size(uint32_t type)
{
    switch (type) {
    case TAG_CMDLINE: case TAG_LOADER_NAME: return 9;   /* at least the NUL */
    case TAG_MODULE:      return 17;
    case TAG_MEMINFO:     return 16;
    case TAG_MMAP:        return 16;
    case TAG_FRAMEBUFFER: return 30;                     /* through bpp and type */
    case TAG_EFI32: case TAG_EFI32_IH: case TAG_LOAD_BASE: return 12;
    case TAG_EFI64: case TAG_EFI64_IH: return 16;
    case TAG_ACPI_OLD:    return 8 + 20;                 /* RSDP 1.0 is 20 bytes */
    case TAG_ACPI_NEW:    return 8 + 36;                 /* RSDP 2.0 is 36 bytes */
    default:              return 8;
    }
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    int n = fmt_snprintf(err, errlen, "multiboot2: ");

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < errlen)
        fmt_vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_mmap(const unsigned char *t, uint32_t size, uint32_t off, struct mb2_info *out,
                      char *err, size_t errlen)
{
    uint32_t entry_size = rd32(t + 8);

    if (entry_size < 24 || entry_size % 8 != 0)
        return fail(err, errlen, "memory map at offset %u has entry_size %u "
                    "(must be a multiple of 8, at least 24)", off, entry_size);
    if ((size - 16) % entry_size != 0)
        return fail(err, errlen, "memory map at offset %u: %u bytes of entries are no "
                    "whole number of %u-byte entries", off, size - 16, entry_size);
    out->has_mmap = true;
    for (uint32_t e = 16; e < size; e += entry_size) {
        if (out->mmap_count == MB2_MAX_MMAP) {
            out->mmap_dropped++;
            continue;
        }
        struct mb2_mmap_entry *m = &out->mmap[out->mmap_count++];
        m->base = rd64(t + e);
        m->length = rd64(t + e + 8);
        m->type = rd32(t + e + 16);
    }
    return 0;
}

static int parse_framebuffer(const unsigned char *t, uint32_t size, uint32_t off,
                             struct mb2_info *out, char *err, size_t errlen)
{
    struct mb2_framebuffer *fb = &out->fb;

    memset(fb, 0, sizeof *fb);
    fb->addr = rd64(t + 8);
    fb->pitch = rd32(t + 16);
    fb->width = rd32(t + 20);
    fb->height = rd32(t + 24);
    fb->bpp = t[28];
    fb->type = t[29];
    if (fb->type == MB2_FB_RGB) {
        if (size < 38)
            return fail(err, errlen, "RGB framebuffer tag at offset %u has size %u, "
                        "too small for its colour fields (38)", off, size);
        fb->red_pos = t[32];
        fb->red_size = t[33];
        fb->green_pos = t[34];
        fb->green_size = t[35];
        fb->blue_pos = t[36];
        fb->blue_size = t[37];
    } else if (fb->type == MB2_FB_INDEXED) {
        uint16_t n;
        if (size < 34)
            return fail(err, errlen, "indexed framebuffer tag at offset %u has size %u, "
                        "too small for its palette size (34)", off, size);
        memcpy(&n, t + 32, sizeof n);
        if (34 + 3 * (uint32_t)n > size)
            return fail(err, errlen, "framebuffer palette of %u colours at offset %u runs "
                        "past its tag (size %u)", n, off, size);
        fb->palette_colors = n;
        fb->palette = t + 34;
    }
    fb->present = true;
    return 0;
}

int mb2_parse(const void *info, size_t avail, struct mb2_info *out, char *err, size_t errlen)
{
    const unsigned char *base = info;
    uint32_t total, off = 8;

    memset(out, 0, sizeof *out);
    if (errlen)
        err[0] = 0;
    if (!base)
        return fail(err, errlen, "no boot information (NULL address)");
    if ((uintptr_t)base % 8 != 0)
        return fail(err, errlen, "boot information at %p is not 8-byte aligned", info);
    if (avail < 8)
        return fail(err, errlen, "only %zu bytes of boot information readable", avail);
    total = rd32(base);
    out->total_size = total;
    if (total < 16)
        return fail(err, errlen, "total_size %u is too small (header and end tag need 16)",
                    total);
    if (total > avail)
        return fail(err, errlen, "total_size %u is more than the %zu bytes available", total,
                    avail);

    for (;;) {
        const unsigned char *t = base + off;
        uint32_t type, size;

        if (total - off < 8)
            return fail(err, errlen, "no end tag before total_size %u", total);
        type = rd32(t);
        size = rd32(t + 4);
        if (size < min_size(type))
            return fail(err, errlen, "tag type %u at offset %u has size %u, less than the "
                        "%u it needs", type, off, size, min_size(type));
        if (size > total - off)
            return fail(err, errlen, "tag type %u at offset %u (size %u) runs past "
                        "total_size %u", type, off, size, total);

        switch (type) {
        case TAG_END:
            if (size != 8)
                return fail(err, errlen, "end tag at offset %u has size %u, not 8", off, size);
            return 0;
        case TAG_CMDLINE:
        case TAG_LOADER_NAME:
            if (!has_nul(t + 8, size - 8))
                return fail(err, errlen, "%s at offset %u is not NUL-terminated",
                            type == TAG_CMDLINE ? "command line" : "boot loader name", off);
            if (type == TAG_CMDLINE)
                out->cmdline = (const char *)(t + 8);
            else
                out->bootloader_name = (const char *)(t + 8);
            break;
        case TAG_MODULE: {
            struct mb2_module *m;
            if (out->module_count == MB2_MAX_MODULES)
                return fail(err, errlen, "more than %d modules", MB2_MAX_MODULES);
            if (!has_nul(t + 16, size - 16))
                return fail(err, errlen, "module string at offset %u is not NUL-terminated",
                            off);
            m = &out->modules[out->module_count];
            m->start = rd32(t + 8);
            m->end = rd32(t + 12);
            m->string = (const char *)(t + 16);
            if (m->end < m->start)
                return fail(err, errlen, "module %d ends (%#llx) before it starts (%#llx)",
                            out->module_count + 1, (unsigned long long)m->end,
                            (unsigned long long)m->start);
            out->module_count++;
            break;
        }
        case TAG_MEMINFO:
            out->has_meminfo = true;
            out->mem_lower_kb = rd32(t + 8);
            out->mem_upper_kb = rd32(t + 12);
            break;
        case TAG_MMAP:
            if (parse_mmap(t, size, off, out, err, errlen) < 0)
                return -1;
            break;
        case TAG_FRAMEBUFFER:
            if (parse_framebuffer(t, size, off, out, err, errlen) < 0)
                return -1;
            break;
        case TAG_ACPI_OLD:
            out->rsdp_v1 = t + 8;
            out->rsdp_v1_size = size - 8;
            break;
        case TAG_ACPI_NEW:
            out->rsdp_v2 = t + 8;
            out->rsdp_v2_size = size - 8;
            break;
        case TAG_EFI32:
            out->has_efi32 = true;
            out->efi32_system_table = rd32(t + 8);
            break;
        case TAG_EFI64:
            out->has_efi64 = true;
            out->efi64_system_table = rd64(t + 8);
            break;
        case TAG_EFI32_IH:
            out->has_efi32_image_handle = true;
            out->efi32_image_handle = rd32(t + 8);
            break;
        case TAG_EFI64_IH:
            out->has_efi64_image_handle = true;
            out->efi64_image_handle = rd64(t + 8);
            break;
        case TAG_EFI_MMAP:
            out->has_efi_mmap = true;
            break;
        case TAG_EFI_BS:
            out->efi_boot_services = true;
            break;
        case TAG_LOAD_BASE:
            out->has_load_base = true;
            out->load_base = rd32(t + 8);
            break;
        default:                 /* tags the kernel does not use, or unknown: skip */
            break;
        }
        /* Next tag: size rounded up to 8. off + size <= total, so no overflow. */
        off += size;
        off += (8 - off % 8) % 8;
        if (off > total || off < 8)
            return fail(err, errlen, "no end tag before total_size %u", total);
    }
}

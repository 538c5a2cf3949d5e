/* Tests kernel/multiboot2.c with boot-information blocks built here byte by
 * byte: a good block with every tag type the kernel reads, then each kind of
 * damage (sizes, alignment, missing end tag, bad strings, too many modules,
 * odd memory-map entry sizes), and random corruption of a good block, which
 * must give an error or a result that stays inside the block, never a read
 * outside it. */
#include <stdint.h>
#include <stdlib.h>

#include "tests/check.h"
#include "kernel/multiboot2.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static _Alignas(8) unsigned char blob[16384];
static size_t pos;
static char err[256];
static struct mb2_info info;

static void put32(size_t at, uint32_t v) { memcpy(blob + at, &v, 4); }
static void put64(size_t at, uint64_t v) { memcpy(blob + at, &v, 8); }

static void begin(void)
{
    memset(blob, 0, sizeof blob);
    pos = 8;
}

/* Appends a tag header; returns the tag's offset. */
static size_t tag(uint32_t type, uint32_t size)
{
    size_t at = pos;
    put32(at, type);
    put32(at + 4, size);
    pos += (size + 7) & ~7u;
    return at;
}

static size_t string_tag(uint32_t type, const char *s)
{
    size_t n = strlen(s) + 1, at = tag(type, (uint32_t)(8 + n));
    memcpy(blob + at + 8, s, n);
    return at;
}

static size_t module(uint32_t start, uint32_t end, const char *s)
{
    size_t n = strlen(s) + 1, at = tag(3, (uint32_t)(16 + n));
    put32(at + 8, start);
    put32(at + 12, end);
    memcpy(blob + at + 16, s, n);
    return at;
}

/* Ends the block with an end tag and sets total_size. */
static size_t finish(void)
{
    tag(0, 8);
    put32(0, (uint32_t)pos);
    return pos;
}

static int parse(size_t avail)
{
    err[0] = 0;
    return mb2_parse(blob, avail, &info, err, sizeof err);
}

/* Expects an error that mentions the word. */
static void bad(size_t avail, const char *word)
{
    int r = parse(avail);
    CHECK(r == -1, "accepted, want an error about \"%s\"", word);
    CHECK(strstr(err, word) != NULL, "error \"%s\" lacks \"%s\"", err, word);
    CHECK(strncmp(err, "multiboot2: ", 12) == 0 && !strchr(err, '\n'), "form: %s", err);
}

static void build_good(void)
{
    begin();
    string_tag(1, "-t 0 -i \"Lily\\'s dog\"");
    string_tag(2, "GRUB 2.06-13+deb12u1");
    module(0x200000, 0x3a0000, "stories15M.bin");
    module(0x3a1000, 0x3c0000, "tokenizer.bin");
    size_t at = tag(4, 16);
    put32(at + 8, 639);
    put32(at + 12, 523136);
    at = tag(5, 20);                       /* boot device: skipped */
    at = tag(6, 16 + 3 * 24);
    put32(at + 8, 24);
    put32(at + 12, 0);
    put64(at + 16, 0);            put64(at + 24, 0x9fc00);     put32(at + 32, 1);
    put64(at + 40, 0x100000);     put64(at + 48, 0x7ee0000);   put32(at + 56, 1);
    put64(at + 64, 0xfffc0000);   put64(at + 72, 0x40000);     put32(at + 80, 2);
    at = tag(8, 38);
    put64(at + 8, 0xfd000000);
    put32(at + 16, 4096);
    put32(at + 20, 1024);
    put32(at + 24, 768);
    blob[at + 28] = 32;
    blob[at + 29] = 1;
    const unsigned char rgb[6] = {16, 8, 8, 8, 0, 8};
    memcpy(blob + at + 32, rgb, 6);
    at = tag(12, 16);
    put64(at + 8, 0x7fbee018);
    at = tag(11, 12);
    put32(at + 8, 0x7fbe0000);
    at = tag(20, 16);
    put64(at + 8, 0x7e000000);
    at = tag(19, 12);
    put32(at + 8, 0x7e001000);
    tag(17, 16 + 48);
    tag(18, 8);
    at = tag(21, 12);
    put32(at + 8, 0x100000);
    at = tag(14, 8 + 20);
    memcpy(blob + at + 8, "RSD PTR ", 8);
    at = tag(15, 8 + 36);
    memcpy(blob + at + 8, "RSD PTR ", 8);
    blob[at + 8 + 15] = 2;
    tag(99, 13);                           /* unknown, odd size: skipped */
    finish();
}

TEST(good_block)
{
    build_good();
    CHECK(parse(sizeof blob) == 0, "%s", err);
    CHECK(info.total_size == pos, "total_size %u", info.total_size);
    CHECK(info.cmdline && strcmp(info.cmdline, "-t 0 -i \"Lily\\'s dog\"") == 0, "cmdline");
    CHECK(info.bootloader_name && strncmp(info.bootloader_name, "GRUB", 4) == 0, "loader");
    CHECK(info.module_count == 2, "modules %d", info.module_count);
    CHECK(info.modules[0].start == 0x200000 && info.modules[0].end == 0x3a0000, "mod 0");
    CHECK(strcmp(info.modules[0].string, "stories15M.bin") == 0, "mod 0 string");
    CHECK(strcmp(info.modules[1].string, "tokenizer.bin") == 0, "mod 1 string");
    CHECK(info.has_meminfo && info.mem_lower_kb == 639 && info.mem_upper_kb == 523136, "meminfo");
    CHECK(info.has_mmap && info.mmap_count == 3 && info.mmap_dropped == 0, "mmap count");
    CHECK(info.mmap[1].base == 0x100000 && info.mmap[1].length == 0x7ee0000 &&
          info.mmap[1].type == MB2_MEM_AVAILABLE, "mmap 1");
    CHECK(info.mmap[2].type == MB2_MEM_RESERVED && info.mmap[2].base == 0xfffc0000, "mmap 2");
    CHECK(info.fb.present && info.fb.addr == 0xfd000000 && info.fb.pitch == 4096 &&
          info.fb.width == 1024 && info.fb.height == 768 && info.fb.bpp == 32 &&
          info.fb.type == MB2_FB_RGB, "framebuffer");
    CHECK(info.fb.red_pos == 16 && info.fb.red_size == 8 && info.fb.green_pos == 8 &&
          info.fb.green_size == 8 && info.fb.blue_pos == 0 && info.fb.blue_size == 8, "rgb");
    CHECK(info.has_efi64 && info.efi64_system_table == 0x7fbee018, "efi64");
    CHECK(info.has_efi32 && info.efi32_system_table == 0x7fbe0000, "efi32");
    CHECK(info.has_efi64_image_handle && info.efi64_image_handle == 0x7e000000, "efi64 ih");
    CHECK(info.has_efi32_image_handle && info.efi32_image_handle == 0x7e001000, "efi32 ih");
    CHECK(info.has_efi_mmap && info.efi_boot_services, "efi mmap, bs");
    CHECK(info.has_load_base && info.load_base == 0x100000, "load base");
    CHECK(info.rsdp_v1 && info.rsdp_v1_size == 20 && memcmp(info.rsdp_v1, "RSD PTR ", 8) == 0,
          "rsdp v1");
    CHECK(info.rsdp_v2 && info.rsdp_v2_size == 36 && ((const unsigned char *)info.rsdp_v2)[15] == 2,
          "rsdp v2");
    CHECK(err[0] == 0, "err set on success: %s", err);
}

TEST(minimal_block)
{
    begin();
    finish();
    CHECK(parse(16) == 0, "%s", err);
    CHECK(!info.cmdline && !info.bootloader_name && info.module_count == 0 && !info.has_mmap &&
          !info.fb.present && !info.rsdp_v1 && !info.rsdp_v2 && !info.has_efi64 &&
          !info.efi_boot_services, "all absent");
    begin();
    string_tag(1, "");                     /* GRUB's empty command line */
    finish();
    CHECK(parse(sizeof blob) == 0 && info.cmdline && info.cmdline[0] == 0, "empty cmdline");
}

TEST(total_size)
{
    size_t n;
    build_good();
    n = pos;
    CHECK(parse(n) == 0, "exactly enough: %s", err);
    bad(n - 8, "more than the");           /* block longer than what is readable */
    bad(7, "only 7 bytes");
    put32(0, 8);
    bad(n, "too small");
    put32(0, 0);
    bad(n, "too small");
    put32(0, (uint32_t)n - 8);             /* end tag cut off */
    bad(n, "no end tag");
    put32(0, (uint32_t)n - 12);            /* cut mid-tag */
    bad(n, "");
    put32(0, 100);                         /* cut inside the modules */
    bad(n, "runs past");
    put32(0, 0xfffffff8u);
    bad(n, "more than the");
}

TEST(tag_sizes)
{
    begin();
    size_t at = string_tag(1, "abc");
    finish();
    put32(at + 4, 0);                      /* zero-size tag */
    bad(sizeof blob, "size 0, less than");
    put32(at + 4, 7);
    bad(sizeof blob, "size 7");
    put32(at + 4, 0x7fffffff);             /* runs far past the end */
    bad(sizeof blob, "runs past");
    put32(at + 4, 0xffffffff);
    bad(sizeof blob, "runs past");
    put32(at + 4, 8 + 3);                  /* "abc" without its NUL */
    bad(sizeof blob, "not NUL-terminated");

    begin();
    at = tag(0, 16);                       /* end tag of the wrong size */
    put32(0, 24);
    bad(sizeof blob, "end tag at offset 8 has size 16");

    begin();
    at = tag(4, 12);                       /* meminfo too short for its fields */
    finish();
    bad(sizeof blob, "less than the 16 it needs");
    begin();
    tag(14, 8 + 10);
    finish();
    bad(sizeof blob, "tag type 14");
    begin();
    tag(12, 12);
    finish();
    bad(sizeof blob, "tag type 12");
}

TEST(alignment)
{
    build_good();
    memmove(blob + 4, blob, pos);          /* the same block at a misaligned address */
    CHECK(mb2_parse(blob + 4, sizeof blob - 4, &info, err, sizeof err) == -1, "misaligned");
    CHECK(strstr(err, "not 8-byte aligned") != NULL, "%s", err);
    CHECK(mb2_parse(NULL, 100, &info, err, sizeof err) == -1 && strstr(err, "NULL"), "%s", err);

    /* A last tag whose size, rounded up to 8, reaches past total_size. */
    begin();
    string_tag(1, "abcd");                 /* size 13, next tag at 24 */
    put32(0, 8 + 13);
    bad(sizeof blob, "no end tag");
    /* Tags do not start at odd offsets: a size-13 tag puts the next at 24. */
    begin();
    string_tag(1, "abcd");
    finish();
    CHECK(pos == 32 && parse(sizeof blob) == 0 && strcmp(info.cmdline, "abcd") == 0, "%s", err);
}

TEST(missing_end_tag)
{
    begin();
    string_tag(1, "x");
    module(0x1000, 0x2000, "m");
    put32(0, (uint32_t)pos);
    bad(sizeof blob, "no end tag");
    begin();
    tag(77, 8);                            /* unknown tags only, then nothing */
    tag(78, 8);
    put32(0, (uint32_t)pos);
    bad(sizeof blob, "no end tag");
}

TEST(module_strings)
{
    begin();
    module(0x100000, 0x100000, "");        /* empty module, empty string */
    module(0x200000, 0x300000, "model with spaces");
    module(0x300000, 0x300001, "tokenizer.bin --x");
    finish();
    CHECK(parse(sizeof blob) == 0, "%s", err);
    CHECK(info.module_count == 3 && info.modules[0].string[0] == 0 &&
          info.modules[0].start == info.modules[0].end, "empty module");
    CHECK(strcmp(info.modules[1].string, "model with spaces") == 0, "spaces");
    CHECK(strcmp(info.modules[2].string, "tokenizer.bin --x") == 0 &&
          info.modules[2].end == 0x300001, "third");

    begin();
    module(0x300000, 0x200000, "backwards");
    finish();
    bad(sizeof blob, "ends (0x200000) before it starts (0x300000)");
    begin();
    size_t at = module(0x1000, 0x2000, "abcdefg");
    finish();
    put32(at + 4, 16 + 7);                 /* cut the NUL off */
    bad(sizeof blob, "module string at offset 8 is not NUL-terminated");
    put32(at + 4, 16);                     /* no string at all */
    bad(sizeof blob, "less than the 17");
}

TEST(many_modules)
{
    char name[16];
    begin();
    for (int i = 0; i < MB2_MAX_MODULES; i++) {
        snprintf(name, sizeof name, "mod%d", i);
        module(0x100000u * (uint32_t)(i + 1), 0x100000u * (uint32_t)(i + 1) + 10, name);
    }
    finish();
    CHECK(parse(sizeof blob) == 0 && info.module_count == MB2_MAX_MODULES, "%s", err);
    CHECK(strcmp(info.modules[15].string, "mod15") == 0 && info.modules[15].start == 0x1000000,
          "last");
    pos -= 8;                              /* drop the end tag, add one more */
    module(0x2000000, 0x2000010, "one too many");
    finish();
    bad(sizeof blob, "more than 16 modules");
}

static size_t mmap_tag(uint32_t entry_size, uint32_t version, int n)
{
    size_t at = tag(6, 16 + entry_size * (uint32_t)n);
    put32(at + 8, entry_size);
    put32(at + 12, version);
    for (int i = 0; i < n; i++) {
        size_t e = at + 16 + entry_size * (size_t)i;
        put64(e, 0x100000ull * (uint64_t)i);
        put64(e + 8, 0x1000ull * (uint64_t)(i + 1));
        put32(e + 16, (uint32_t)(i % 5) + 1);
        if (entry_size > 24)
            memset(blob + e + 24, 0xEE, entry_size - 24);   /* a newer version's fields */
    }
    return at;
}

TEST(mmap_entry_sizes)
{
    begin();
    mmap_tag(32, 1, 5);                    /* longer entries: entry_size is the stride */
    finish();
    CHECK(parse(sizeof blob) == 0 && info.mmap_count == 5, "%s", err);
    CHECK(info.mmap[4].base == 0x400000 && info.mmap[4].length == 0x5000 &&
          info.mmap[4].type == 5, "stride 32");

    begin();
    mmap_tag(24, 0, 0);                    /* an empty map */
    finish();
    CHECK(parse(sizeof blob) == 0 && info.has_mmap && info.mmap_count == 0, "empty: %s", err);

    begin();
    mmap_tag(20, 0, 3);
    finish();
    bad(sizeof blob, "entry_size 20");
    begin();
    mmap_tag(28, 0, 3);
    finish();
    bad(sizeof blob, "entry_size 28");
    begin();
    mmap_tag(0, 0, 1);
    finish();
    bad(sizeof blob, "entry_size 0");
    begin();
    size_t at = mmap_tag(24, 0, 3);
    finish();
    put32(at + 4, 16 + 24 * 2 + 8);        /* 2.33 entries */
    bad(sizeof blob, "no whole number");

    begin();
    mmap_tag(24, 0, 200);                  /* more than are kept */
    finish();
    CHECK(parse(sizeof blob) == 0, "%s", err);
    CHECK(info.mmap_count == MB2_MAX_MMAP && info.mmap_dropped == 200 - MB2_MAX_MMAP,
          "kept %d dropped %d", info.mmap_count, info.mmap_dropped);
    CHECK(info.mmap[127].base == 127 * 0x100000ull, "last kept");
}

TEST(framebuffer_kinds)
{
    begin();
    size_t at = tag(8, 34 + 3 * 4);        /* indexed, 4 colours */
    put64(at + 8, 0xa0000);
    blob[at + 28] = 8;
    blob[at + 29] = MB2_FB_INDEXED;
    uint16_t n = 4;
    memcpy(blob + at + 32, &n, 2);
    blob[at + 34 + 3 * 3 + 2] = 0xff;      /* blue of colour 3 */
    finish();
    CHECK(parse(sizeof blob) == 0, "%s", err);
    CHECK(info.fb.type == MB2_FB_INDEXED && info.fb.palette_colors == 4 &&
          info.fb.palette[11] == 0xff, "palette");
    n = 5;                                 /* palette longer than its tag */
    memcpy(blob + at + 32, &n, 2);
    bad(sizeof blob, "palette of 5 colours");

    begin();
    at = tag(8, 32);                       /* EGA text */
    blob[at + 28] = 16;
    blob[at + 29] = MB2_FB_EGA_TEXT;
    put32(at + 20, 80);
    put32(at + 24, 25);
    finish();
    CHECK(parse(sizeof blob) == 0 && info.fb.present && info.fb.type == MB2_FB_EGA_TEXT &&
          info.fb.width == 80 && info.fb.height == 25, "%s", err);

    begin();
    at = tag(8, 32);                       /* RGB without its colour fields */
    blob[at + 29] = MB2_FB_RGB;
    finish();
    bad(sizeof blob, "too small for its colour fields");
}

/* Random damage to a good block: an error, or fields inside the block. */
TEST(random_corruption)
{
    uint64_t s = 12345;
    size_t n0;
    unsigned char good[2048];
    int ok = 0, errors = 0;

    build_good();
    n0 = pos;
    memcpy(good, blob, n0);
    for (int i = 0; i < 200000 && !check_failed_; i++) {
        memcpy(blob, good, n0);
        memset(blob + n0, 0x5a, 64);
        int flips = 1 + (int)(s % 4);
        for (int k = 0; k < flips; k++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            size_t at = s % n0;
            if (s >> 60 & 1)
                blob[at] = (unsigned char)(s >> 32);    /* any byte */
            else
                blob[at & ~3u] = (unsigned char)(s >> 40 & 0x3f);   /* a small size/type */
        }
        /* The readable region is exactly n0 bytes; a longer total_size is
         * rejected before anything past n0 is read. */
        if (parse(n0) == 0) {
            ok++;
            const unsigned char *lo = blob, *hi = blob + info.total_size;
            CHECK(info.total_size <= n0, "total %u", info.total_size);
            if (info.cmdline)
                CHECK((const unsigned char *)info.cmdline >= lo &&
                      (const unsigned char *)info.cmdline + strlen(info.cmdline) < hi, "cmdline");
            for (int m = 0; m < info.module_count; m++)
                CHECK((const unsigned char *)info.modules[m].string + strlen(info.modules[m].string)
                      < hi, "module string");
            if (info.fb.palette)
                CHECK(info.fb.palette + 3 * info.fb.palette_colors <= hi, "palette");
            CHECK(!info.rsdp_v2 || (const unsigned char *)info.rsdp_v2 + info.rsdp_v2_size <= hi,
                  "rsdp");
        } else {
            errors++;
            CHECK(err[0] != 0, "error without message");
        }
    }
    printf("    (random corruption: %d accepted, %d rejected)\n", ok, errors);
}

RUN_TESTS(good_block, minimal_block, total_size, tag_sizes, alignment, missing_end_tag,
          module_strings, many_modules, mmap_entry_sizes, framebuffer_kinds, random_corruption)

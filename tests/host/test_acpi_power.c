/* kernel/acpi.c's power part: the FADT (reset register, PM1 control blocks,
 * flags, the 32- and 64-bit forms) and the \_S5_ package in the DSDT's AML
 * or else in an SSDT's, from tables built here; damaged tables, AML variants, and a walk from
 * the RSDP with an XSDT that lacks the FADT. */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/check.h"
#include "kernel/acpi.h"
#include "tests/host/table_bytes.h"

#define PHYS_BASE 0x7f000000ull
#define RSDT_AT (PHYS_BASE + 0x100)
#define XSDT_AT (PHYS_BASE + 0x200)
#define FACP_AT (PHYS_BASE + 0x1000)
#define DSDT_AT (PHYS_BASE + 0x2000)
#define APIC_AT (PHYS_BASE + 0x3000)
#define SSDT_AT (PHYS_BASE + 0x4000)
#define SSDT2_AT (PHYS_BASE + 0x5000)

static uint8_t mem[0x8000];
static uint8_t rsdp1[20], rsdp2[36];
static struct acpi_power pw;
static char err[256];

static const void *map(void *ctx, uint64_t phys, uint64_t len) {
    (void)ctx;
    if (phys < PHYS_BASE || len > sizeof mem || phys - PHYS_BASE > sizeof mem - len) return NULL;
    return mem + (phys - PHYS_BASE);
}

static uint8_t *at(uint64_t phys) { return mem + (phys - PHYS_BASE); }

static uint8_t *table(uint64_t phys, const char *sig, uint32_t len, uint8_t rev) {
    uint8_t *t = at(phys);
    memset(t, 0, len);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "TESTOE", 6);
    return t;
}
static void seal(uint8_t *t) {
    t[9] = 0;
    t[9] = (uint8_t)-sum(t, *(uint32_t *)(t + 4));
}

static void gas_at(uint8_t *p, uint8_t space, uint8_t width, uint64_t addr) {
    p[0] = space;
    p[1] = width;
    p[2] = 0;
    p[3] = width == 8 ? 1 : width == 16 ? 2 : 3;
    put64(p + 4, addr);
}

/* QEMU q35's AML for \_S5_: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) */
static const uint8_t s5_q35[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00};

/* Name (_S5, Package (0x02) { 0x05, 0x05 }), as some firmware has it; and
 * AML with no \_S5_ (an \_S4_ package). */
static const uint8_t s5_five[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x05};
static const uint8_t no_s5[] = {0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x0A, 0x04, 0x0A, 0x04};

/* A DSDT or SSDT at phys with some AML around the given \_S5_ bytes. */
static uint8_t *aml_table(uint64_t phys, const char *sig, const uint8_t *s5, size_t n) {
    static const uint8_t before[] = {0x10, 0x0A, '\\', '_', 'S', 'B', '_', 0x08, '_', 'S', '4', '_',
                                     0x12, 0x06, 0x02, 0x0A, 0x02, 0x0A, 0x02, 0x5B, 0x80};
    uint32_t len = (uint32_t)(36 + sizeof before + n + 4);
    uint8_t *t = table(phys, sig, len, 2);
    memcpy(t + 36, before, sizeof before);
    memcpy(t + 36 + sizeof before, s5, n);
    memcpy(t + 36 + sizeof before + n, "\xa4\x00\x5b\x01", 4);
    seal(t);
    return t;
}
static void dsdt(const uint8_t *s5, size_t n) { aml_table(DSDT_AT, "DSDT", s5, n); }

/* An ACPI 2.0+ FADT like QEMU's: revision 3, 244 bytes, reset via I/O 0xcf9. */
static uint8_t *fadt(uint32_t len, uint8_t rev) {
    uint8_t *t = table(FACP_AT, "FACP", len, rev);
    put32(t + 40, (uint32_t)DSDT_AT);
    put32(t + 48, 0xb2);           /* SMI_CMD */
    t[52] = 0xf1;                  /* ACPI_ENABLE */
    put32(t + 64, 0x604);          /* PM1a_CNT_BLK */
    t[89] = 2;                     /* PM1_CNT_LEN */
    put16(t + 109, 0x0002);        /* IAPC_BOOT_ARCH: 8042 */
    if (len >= 116) put32(t + 112, 1u << 10);
    if (len >= 129) {
        gas_at(t + 116, 1, 8, 0xcf9);
        t[128] = 0x06;
    }
    if (len >= 148) put64(t + 140, DSDT_AT);
    if (len >= 184) gas_at(t + 172, 1, 16, 0x604);
    seal(t);
    return t;
}

/* The RSDT and XSDT (the MADT, the FADT, then the n tables at extra) and
 * the RSDPs that point to them. */
static void roots_with(int with_fadt_in_xsdt, const uint64_t *extra, int n) {
    uint8_t *r = table(RSDT_AT, "RSDT", (uint32_t)(36 + 8 + 4 * n), 1);
    put32(r + 36, (uint32_t)APIC_AT);
    put32(r + 40, (uint32_t)FACP_AT);
    for (int i = 0; i < n; i++) put32(r + 44 + 4 * i, (uint32_t)extra[i]);
    seal(r);
    uint8_t *x = table(XSDT_AT, "XSDT", (uint32_t)(36 + 16 + 8 * n), 1);
    put64(x + 36, APIC_AT);
    put64(x + 44, with_fadt_in_xsdt ? FACP_AT : APIC_AT);
    for (int i = 0; i < n; i++) put64(x + 52 + 8 * i, extra[i]);
    seal(x);
    seal(table(APIC_AT, "APIC", 44, 3));
    memset(rsdp2, 0, sizeof rsdp2);
    memcpy(rsdp2, "RSD PTR ", 8);
    memcpy(rsdp2 + 9, "TESTOE", 6);
    rsdp2[15] = 2;
    put32(rsdp2 + 16, (uint32_t)RSDT_AT);
    put32(rsdp2 + 20, 36);
    put64(rsdp2 + 24, XSDT_AT);
    rsdp2[8] = (uint8_t)-sum(rsdp2, 20);
    rsdp2[32] = (uint8_t)-sum(rsdp2, 36);
    memcpy(rsdp1, rsdp2, 20);
    rsdp1[15] = 0;
    rsdp1[8] = 0;
    rsdp1[8] = (uint8_t)-sum(rsdp1, 20);
}

static void roots(int with_fadt_in_xsdt) { roots_with(with_fadt_in_xsdt, NULL, 0); }

static int read_power(void) {
    return acpi_read_power(rsdp2, sizeof rsdp2, rsdp1, sizeof rsdp1, map, NULL, &pw, err, sizeof err);
}

TEST(qemu_like_tables) {
    roots(1);
    fadt(244, 3);
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0, "%s", err);
    CHECK(pw.fadt_revision == 3 && pw.fadt_length == 244);
    CHECK(pw.reset_supported && pw.reset_reg.space == ACPI_SPACE_IO && pw.reset_reg.addr == 0xcf9 &&
          pw.reset_value == 6);
    CHECK(pw.pm1a_cnt.space == ACPI_SPACE_IO && pw.pm1a_cnt.addr == 0x604 && pw.pm1a_cnt.bit_width == 16);
    CHECK(pw.pm1b_cnt.addr == 0);
    CHECK(pw.smi_cmd == 0xb2 && pw.acpi_enable == 0xf1 && pw.has_8042 && !pw.hw_reduced);
    CHECK(pw.dsdt_addr == DSDT_AT && pw.have_s5 && pw.slp_typa == 0 && pw.slp_typb == 0);
    CHECK(pw.note[0] == 0, "%s", pw.note);
}

TEST(acpi_1_fadt) {
    roots(1);
    fadt(116, 1);                  /* no reset register, no X_ fields */
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0, "%s", err);
    CHECK(!pw.reset_supported && !pw.has_8042, "revision 1 has no IAPC_BOOT_ARCH");
    CHECK(pw.pm1a_cnt.addr == 0x604 && pw.have_s5);
}

TEST(reset_register_needs_the_flag) {
    roots(1);
    uint8_t *t = fadt(244, 3);
    put32(t + 112, 0);
    seal(t);
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0 && !pw.reset_supported);
}

TEST(x_pm1_blocks_preferred) {
    roots(1);
    uint8_t *t = fadt(244, 5);
    put32(t + 64, 0x1004);                 /* the 32-bit field disagrees */
    put32(t + 68, 0x1044);
    gas_at(t + 184, 1, 16, 0x2044);        /* X_PM1b */
    seal(t);
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0);
    CHECK(pw.pm1a_cnt.addr == 0x604 && pw.pm1b_cnt.addr == 0x2044, "%#llx %#llx",
          (unsigned long long)pw.pm1a_cnt.addr, (unsigned long long)pw.pm1b_cnt.addr);
}

TEST(hardware_reduced) {
    roots(1);
    uint8_t *t = fadt(276, 6);
    put32(t + 112, (1u << 10) | (1u << 20));
    gas_at(t + 244, 0, 8, 0xfed80000ull);
    seal(t);
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0 && pw.hw_reduced && pw.sleep_control.space == ACPI_SPACE_MEMORY &&
          pw.sleep_control.addr == 0xfed80000ull);
}

TEST(fadt_only_in_the_rsdt) {
    roots(0);                             /* the XSDT lists the MADT twice */
    fadt(244, 3);
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == 0, "%s", err);
    CHECK(strstr(pw.note, "no table 'FACP'") && strstr(pw.note, "RSDT"), "%s", pw.note);
}

TEST(damaged_fadt) {
    roots(1);
    uint8_t *t = fadt(244, 3);
    t[100] ^= 1;                           /* checksum */
    dsdt(s5_q35, sizeof s5_q35);
    CHECK(read_power() == -1 && strstr(err, "checksum"), "%s", err);
    fadt(100, 1);                          /* shorter than ACPI 1.0's */
    CHECK(read_power() == -1 && strstr(err, "length"), "%s", err);
    CHECK(acpi_read_power(NULL, 0, NULL, 0, map, NULL, &pw, err, sizeof err) == -1 &&
          strstr(err, "no ACPI RSDP"), "%s", err);
}

TEST(damaged_dsdt_still_reboots) {
    roots(1);
    fadt(244, 3);
    dsdt(s5_q35, sizeof s5_q35);
    at(DSDT_AT)[40] ^= 0x55;
    CHECK(read_power() == 0 && !pw.have_s5 && pw.reset_supported);
    CHECK(strstr(pw.note, "checksum"), "%s", pw.note);
}

/* No \_S5_ in the DSDT: the SSDTs are searched, a damaged one passed
 * over, in the root the FADT was found through; the DSDT's comes first. */
TEST(s5_in_an_ssdt) {
    fadt(244, 3);
    dsdt(no_s5, sizeof no_s5);
    aml_table(SSDT_AT, "SSDT", s5_five, sizeof s5_five);
    roots_with(1, (const uint64_t[]){SSDT_AT}, 1);
    CHECK(read_power() == 0 && pw.have_s5 && pw.slp_typa == 5 && pw.slp_typb == 5, "%s", pw.note);
    CHECK(pw.note[0] == 0, "%s", pw.note);

    dsdt(s5_q35, sizeof s5_q35);                     /* the DSDT's wins */
    CHECK(read_power() == 0 && pw.have_s5 && pw.slp_typa == 0, "SLP_TYPa %u", pw.slp_typa);

    dsdt(no_s5, sizeof no_s5);                       /* a damaged SSDT first */
    aml_table(SSDT_AT, "SSDT", s5_q35, sizeof s5_q35)[40] ^= 0x55;
    aml_table(SSDT2_AT, "SSDT", s5_five, sizeof s5_five);
    roots_with(1, (const uint64_t[]){SSDT_AT, SSDT2_AT}, 2);
    CHECK(read_power() == 0 && pw.have_s5 && pw.slp_typa == 5, "%s", pw.note);

    roots_with(0, (const uint64_t[]){SSDT_AT, SSDT2_AT}, 2);   /* the FADT through the RSDT */
    CHECK(read_power() == 0 && pw.have_s5 && pw.slp_typa == 5, "%s", pw.note);

    aml_table(SSDT2_AT, "SSDT", no_s5, sizeof no_s5);          /* none anywhere */
    CHECK(read_power() == 0 && !pw.have_s5 && pw.reset_supported);
    CHECK(strstr(pw.note, "neither the DSDT nor an SSDT"), "%s", pw.note);
}

/* \_S5_ in the AML forms compilers write. */
static int s5(const uint8_t *aml, size_t n, uint8_t *a, uint8_t *b) {
    *a = *b = 0xEE;
    return acpi_find_s5(aml, n, a, b);
}

TEST(s5_forms) {
    uint8_t a, b;
    CHECK(s5(s5_q35, sizeof s5_q35, &a, &b) == 0 && a == 0 && b == 0);
    static const uint8_t bytes[] = {0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x07, 0x0A, 0x05, 0x00, 0x00};
    CHECK(s5(bytes, sizeof bytes, &a, &b) == 0 && a == 7 && b == 5);
    static const uint8_t rooted[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x01, 0x0A, 0x03};
    CHECK(s5(rooted, sizeof rooted, &a, &b) == 0 && a == 1 && b == 3);
    static const uint8_t words[] = {0x08, '_', 'S', '5', '_', 0x12, 0x09, 0x02, 0x0B, 0x05, 0x00, 0x0C, 0x06, 0, 0, 0};
    CHECK(s5(words, sizeof words, &a, &b) == 0 && a == 5 && b == 6);
    static const uint8_t one_elem[] = {0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0A, 0x07};
    CHECK(s5(one_elem, sizeof one_elem, &a, &b) == 0 && a == 7 && b == 0);
    /* a two-byte PkgLength (0x4x lead byte) */
    static const uint8_t long_pkg[] = {0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x01, 0x02, 0x0A, 0x05, 0x0A, 0x05};
    CHECK(s5(long_pkg, sizeof long_pkg, &a, &b) == 0 && a == 5 && b == 5);
}

TEST(s5_lookalikes) {
    uint8_t a, b;
    /* the name inside a string, a method named _S5_, a cut package */
    static const uint8_t in_string[] = {0x0D, '_', 'S', '5', '_', 0x00, 0x12, 0x06, 0x04, 0x0A, 0x05};
    CHECK(s5(in_string, sizeof in_string, &a, &b) == -1);
    static const uint8_t method[] = {0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xA4, 0x00};
    CHECK(s5(method, sizeof method, &a, &b) == -1);
    static const uint8_t cut[] = {0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x0A};
    CHECK(s5(cut, sizeof cut, &a, &b) == -1);
    static const uint8_t cut2[] = {0x08, '_', 'S', '5', '_', 0x12};
    CHECK(s5(cut2, sizeof cut2, &a, &b) == -1);
    CHECK(s5((const uint8_t *)"_S5_", 4, &a, &b) == -1, "no room for NameOp");
    /* the first good one after a bad one */
    static const uint8_t second[] = {0x0D, '_', 'S', '5', '_', 0x00, 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01};
    CHECK(s5(second, sizeof second, &a, &b) == 0 && a == 1 && b == 1);
}

TEST(random_aml_never_reads_past_the_end) {
    /* every prefix of a valid package: found or not, never out of bounds
     * (the sanitizer build checks the reads) */
    static const uint8_t pkg[] = {0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x04, 0x0C, 1, 2, 3, 4, 0x0B, 1, 2};
    for (size_t n = 0; n <= sizeof pkg; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, pkg, n);
        uint8_t a, b;
        int r = acpi_find_s5(copy, n, &a, &b);
        CHECK(r == (n == sizeof pkg ? 0 : -1), "prefix of %zu bytes", n);
        free(copy);
    }
    uint32_t seed = 12345;
    for (int round = 0; round < 2000; round++) {
        uint8_t buf[64];
        for (size_t i = 0; i < sizeof buf; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (uint8_t)(seed >> 16);
        }
        size_t at = (seed >> 8) % 50;
        memcpy(buf + at, "\x08_S5_\x12", 6);
        size_t n = at + 6 + (seed % 8);
        uint8_t *copy = malloc(n);
        memcpy(copy, buf, n);
        uint8_t a, b;
        acpi_find_s5(copy, n, &a, &b);
        free(copy);
    }
}

RUN_TESTS(qemu_like_tables, s5_in_an_ssdt, acpi_1_fadt, reset_register_needs_the_flag, x_pm1_blocks_preferred,
          hardware_reduced, fadt_only_in_the_rsdt, damaged_fadt, damaged_dsdt_still_reboots,
          s5_forms, s5_lookalikes, random_aml_never_reads_past_the_end)

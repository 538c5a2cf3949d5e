/* Tests kernel/acpi.c with tables built here: an RSDP (ACPI 1.0 and 2.0),
 * an RSDT and an XSDT, and a MADT with every kind of processor entry; then
 * each kind of damage (checksums, signatures, lengths past the end, tables
 * the kernel has not mapped), the fallbacks from a bad XSDT to the RSDT,
 * and random corruption. The map callback hands the walker a copy of each
 * range that ends right at an inaccessible page, so any read past what it
 * asked for crashes the test instead of passing unnoticed. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/check.h"
#include "kernel/acpi.h"
#include "tests/host/table_bytes.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

/* Fake physical memory: PHYS_BASE .. PHYS_BASE + sizeof mem. */
#define PHYS_BASE 0xe0000ull
#define RSDT_AT   (PHYS_BASE + 0x100)
#define XSDT_AT   (PHYS_BASE + 0x200)
#define MADT_AT   (PHYS_BASE + 0x1000)
#define FACP_AT   (PHYS_BASE + 0x400)
#define HPET_AT   (PHYS_BASE + 0x500)
#define UNMAPPED  0x123400000ull      /* above 4 GiB, not RAM: the kernel would refuse it */

static uint8_t mem[0x10000];
static uint8_t rsdp1[20], rsdp2[36];
static struct acpi_madt m;
static char err[256];
static size_t madt_len;

/* ---------------------------------------------------------------- fenced map */

/* The walker holds a few ranges at once (root table, a header, the MADT);
 * older copies are unmapped so that thousands of rounds stay cheap. */
#define LIVE 16
static struct { uint8_t *base; size_t size; } live[LIVE];
static unsigned next_live;

static const void *fenced_copy(const void *src, size_t len) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (len + page - 1) / page * page;
    uint8_t *b = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b == MAP_FAILED) abort();
    mprotect(b + span, page, PROT_NONE);
    unsigned slot = next_live++ % LIVE;
    if (live[slot].base) munmap(live[slot].base, live[slot].size);
    live[slot].base = b;
    live[slot].size = span + page;
    uint8_t *p = b + span - len;
    memcpy(p, src, len);
    return p;
}

static int map_calls;
static const void *map(void *ctx, uint64_t phys, uint64_t len) {
    (void)ctx;
    map_calls++;
    if (phys < PHYS_BASE || len > sizeof mem || phys - PHYS_BASE > sizeof mem - len) return NULL;
    return fenced_copy(mem + (phys - PHYS_BASE), len);
}

/* ---------------------------------------------------------------- builders */

static uint8_t *at(uint64_t phys) { return mem + (phys - PHYS_BASE); }

/* Writes a table header at phys (length set later by seal). */
static uint8_t *header(uint64_t phys, const char *sig) {
    uint8_t *t = at(phys);
    memset(t, 0, 36);
    memcpy(t, sig, 4);
    t[8] = 1;
    memcpy(t + 10, "TESTOE", 6);
    memcpy(t + 16, "TESTTABL", 8);
    return t;
}

static void seal(uint8_t *t, uint32_t len) {
    put32(t + 4, len);
    t[9] = 0;
    t[9] = (uint8_t)-sum(t, len);
}

static void seal_rsdp(void) {
    rsdp1[8] = 0;
    rsdp1[8] = (uint8_t)-sum(rsdp1, 20);
    rsdp2[8] = 0;
    rsdp2[8] = (uint8_t)-sum(rsdp2, 20);
    rsdp2[32] = 0;
    rsdp2[32] = (uint8_t)-sum(rsdp2, 36);
}

/* MADT builder. */
static uint8_t *madt;
static void madt_begin(uint32_t lapic) {
    madt = header(MADT_AT, "APIC");
    put32(madt + 36, lapic);
    put32(madt + 40, 1);
    madt_len = 44;
}
static void lapic(uint8_t uid, uint8_t id, uint32_t flags) {
    uint8_t *e = madt + madt_len;
    e[0] = 0; e[1] = 8; e[2] = uid; e[3] = id;
    put32(e + 4, flags);
    madt_len += 8;
}
static void x2apic(uint32_t id, uint32_t flags, uint32_t uid) {
    uint8_t *e = madt + madt_len;
    e[0] = 9; e[1] = 16;
    put16(e + 2, 0);
    put32(e + 4, id);
    put32(e + 8, flags);
    put32(e + 12, uid);
    madt_len += 16;
}
static void ioapic(void) {   /* type 1: ignored by the walker */
    uint8_t *e = madt + madt_len;
    memset(e, 0, 12);
    e[0] = 1; e[1] = 12; e[2] = 9;
    put32(e + 4, 0xfec00000);
    madt_len += 12;
}
static void override(uint64_t addr) {
    uint8_t *e = madt + madt_len;
    e[0] = 5; e[1] = 12;
    put16(e + 2, 0);
    put64(e + 4, addr);
    madt_len += 12;
}
static void madt_end(void) { seal(madt, (uint32_t)madt_len); }

/* Roots: RSDT and XSDT listing FACP, HPET and the MADT, and both RSDPs. */
static void roots(uint64_t madt_at) {
    uint8_t *f = header(FACP_AT, "FACP");
    seal(f, 36);
    uint8_t *h = header(HPET_AT, "HPET");
    seal(h, 36);
    uint8_t *r = header(RSDT_AT, "RSDT");
    put32(r + 36, (uint32_t)FACP_AT);
    put32(r + 40, (uint32_t)HPET_AT);
    put32(r + 44, (uint32_t)madt_at);
    seal(r, 48);
    uint8_t *x = header(XSDT_AT, "XSDT");
    put64(x + 36, FACP_AT);
    put64(x + 44, HPET_AT);
    put64(x + 52, madt_at);
    seal(x, 60);

    memset(rsdp1, 0, sizeof rsdp1);
    memcpy(rsdp1, "RSD PTR ", 8);
    memcpy(rsdp1 + 9, "TESTOE", 6);
    rsdp1[15] = 0;
    put32(rsdp1 + 16, (uint32_t)RSDT_AT);
    memcpy(rsdp2, rsdp1, 20);
    rsdp2[15] = 2;
    put32(rsdp2 + 20, 36);
    put64(rsdp2 + 24, XSDT_AT);
    seal_rsdp();
}

/* A machine of four processors: APIC ids 0, 1, 2, 4 enabled (id 2 listed
 * twice), id 3 disabled, id 5 hot-pluggable, id 0xff an empty slot. */
static void build_good(void) {
    memset(mem, 0, sizeof mem);
    madt_begin(0xfee00000);
    lapic(0, 0, 1);
    lapic(1, 1, 1);
    ioapic();
    lapic(2, 2, 1);
    lapic(3, 3, 0);
    lapic(4, 4, 1);
    lapic(5, 5, 2);
    lapic(6, 0xff, 1);
    x2apic(2, 1, 2);   /* the same processor again, as some firmware writes it */
    madt_end();
    roots(MADT_AT);
}

static int read_both(void) {
    err[0] = 0;
    return acpi_read_madt(rsdp2, sizeof rsdp2, rsdp1, sizeof rsdp1, map, NULL, &m, err, sizeof err);
}
static int read_v1(void) {
    err[0] = 0;
    return acpi_read_madt(NULL, 0, rsdp1, sizeof rsdp1, map, NULL, &m, err, sizeof err);
}
static int read_v2(void) {
    err[0] = 0;
    return acpi_read_madt(rsdp2, sizeof rsdp2, NULL, 0, map, NULL, &m, err, sizeof err);
}

static void expect_error(int r, const char *word) {
    CHECK(r == -1, "accepted, want an error about \"%s\"", word);
    CHECK(strstr(err, word) != NULL, "error \"%s\" lacks \"%s\"", err, word);
    CHECK(strncmp(err, "acpi: ", 6) == 0 && !strchr(err, '\n'), "form: %s", err);
}

static void expect_good_cpus(void) {
    CHECK(m.cpu_count == 5, "cpu_count %d", m.cpu_count);
    static const uint32_t ids[] = {0, 1, 2, 4, 5};
    static const bool en[] = {true, true, true, true, false};
    for (int i = 0; i < 5 && i < m.cpu_count; i++) {
        CHECK(m.cpus[i].apic_id == ids[i], "cpu %d id %u", i, m.cpus[i].apic_id);
        CHECK(m.cpus[i].enabled == en[i], "cpu %d enabled %d", i, m.cpus[i].enabled);
        CHECK(!m.cpus[i].x2apic_entry, "cpu %d x2", i);
    }
    CHECK(m.cpus_disabled == 1, "disabled %d", m.cpus_disabled);
    CHECK(m.cpus_dropped == 0, "dropped %d", m.cpus_dropped);
}

/* ---------------------------------------------------------------- tests */

TEST(xsdt_good) {
    build_good();
    CHECK(read_both() == 0, "%s", err);
    CHECK(strcmp(m.root, "XSDT") == 0, "root %s", m.root);
    CHECK(m.rsdp_revision == 2, "see the condition");
    CHECK(m.madt_addr == MADT_AT, "see the condition");
    CHECK(m.madt_length == madt_len, "see the condition");
    CHECK(m.lapic_addr == 0xfee00000 && !m.lapic_override, "see the condition");
    CHECK(m.flags == 1, "see the condition");
    CHECK(strcmp(m.oem_id, "TESTOE") == 0, "oem %s", m.oem_id);
    CHECK(m.note[0] == 0, "note %s", m.note);
    expect_good_cpus();
}

TEST(v2_alone_uses_xsdt) {
    build_good();
    CHECK(read_v2() == 0, "%s", err);
    CHECK(strcmp(m.root, "XSDT") == 0, "root %s", m.root);
    expect_good_cpus();
}

TEST(rsdt_good) {
    build_good();
    CHECK(read_v1() == 0, "%s", err);
    CHECK(strcmp(m.root, "RSDT") == 0, "root %s", m.root);
    CHECK(m.rsdp_revision == 0, "see the condition");
    CHECK(m.note[0] == 0, "note %s", m.note);
    expect_good_cpus();
}

TEST(x2apic_entries_and_override) {
    memset(mem, 0, sizeof mem);
    madt_begin(0xfee00000);
    override(0x1fee00000ull);
    x2apic(0, 1, 0);
    x2apic(300, 1, 1);
    x2apic(301, 2, 2);
    x2apic(0xffffffffu, 1, 3);   /* no processor */
    x2apic(302, 0, 4);            /* disabled */
    madt_end();
    roots(MADT_AT);
    CHECK(read_both() == 0, "%s", err);
    CHECK(m.lapic_addr == 0x1fee00000ull && m.lapic_override, "see the condition");
    CHECK(m.cpu_count == 3, "count %d", m.cpu_count);
    CHECK(m.cpus[1].apic_id == 300 && m.cpus[1].uid == 1 && m.cpus[1].enabled && m.cpus[1].x2apic_entry, "see the condition");
    CHECK(m.cpus[2].apic_id == 301 && !m.cpus[2].enabled, "see the condition");
    CHECK(m.cpus_disabled == 1, "disabled %d", m.cpus_disabled);
}

TEST(too_many_cpus_counted) {
    memset(mem, 0, sizeof mem);
    madt_begin(0xfee00000);
    for (uint32_t i = 0; i < ACPI_MAX_CPUS + 10; i++) x2apic(i, 1, i);
    madt_end();
    roots(MADT_AT);
    CHECK(read_both() == 0, "%s", err);
    CHECK(m.cpu_count == ACPI_MAX_CPUS, "count %d", m.cpu_count);
    CHECK(m.cpus_dropped == 10, "dropped %d", m.cpus_dropped);
}

TEST(madt_bad_checksum) {
    build_good();
    madt[9] ^= 0x55;
    expect_error(read_both(), "checksum");
    CHECK(strstr(err, "APIC") != NULL, "%s", err);
}

TEST(madt_length_past_mapped_memory) {
    build_good();
    put32(madt + 4, sizeof mem);   /* runs past the end of fake memory */
    expect_error(read_both(), "not in mapped memory");
}

TEST(madt_entry_past_end) {
    build_good();
    madt[44 + 8 + 1] = 200;        /* second entry claims 200 bytes */
    madt_end();
    expect_error(read_both(), "past the table's end");
}

TEST(madt_entry_length_zero) {
    build_good();
    madt[44 + 1] = 0;
    madt_end();
    expect_error(read_both(), "length 0");
}

TEST(madt_entry_too_short_for_type) {
    build_good();
    uint8_t *e = madt + madt_len;
    e[0] = 9; e[1] = 8;            /* an x2APIC entry needs 16 bytes */
    madt_len += 8;
    madt_end();
    expect_error(read_both(), "needs 16");
}

TEST(madt_truncated_header) {
    build_good();
    seal(madt, 40);                /* shorter than the fixed part */
    expect_error(read_both(), "shorter than its 44-byte header");
    uint8_t small[40] = "APIC";
    err[0] = 0;
    expect_error(acpi_parse_madt(small, sizeof small, &m, err, sizeof err), "shorter");
}

TEST(madt_last_entry_cut) {
    build_good();
    seal(madt, (uint32_t)madt_len - 3);   /* the last entry sticks out of the table */
    expect_error(read_both(), "past the table's end");
}

TEST(xsdt_bad_checksum_falls_back_to_rsdt) {
    build_good();
    at(XSDT_AT)[20] ^= 1;
    CHECK(read_both() == 0, "%s", err);
    CHECK(strcmp(m.root, "RSDT") == 0, "root %s", m.root);
    CHECK(strstr(m.note, "XSDT") && strstr(m.note, "checksum") && strstr(m.note, "RSDT"), "note %s", m.note);
    expect_good_cpus();
}

TEST(xsdt_and_rsdt_bad) {
    build_good();
    at(XSDT_AT)[20] ^= 1;
    at(RSDT_AT)[20] ^= 1;
    expect_error(read_both(), "XSDT");   /* the preferred path's failure is the one reported */
    CHECK(strstr(err, "checksum"), "%s", err);
}

TEST(xsdt_unmapped_entry_skipped) {
    build_good();
    uint8_t *x = at(XSDT_AT);
    put64(x + 36, UNMAPPED);      /* e.g. a table above 4 GiB outside RAM */
    seal(x, 60);
    CHECK(read_v2() == 0, "%s", err);
    expect_good_cpus();
}

TEST(madt_unmapped) {
    build_good();
    uint8_t *x = at(XSDT_AT);
    put64(x + 52, UNMAPPED);
    seal(x, 60);
    CHECK(read_v2() == 0, "%s", err);     /* the 2.0 RSDP's RSDT still names it */
    CHECK(strcmp(m.root, "RSDT") == 0 && strstr(m.note, "not in mapped memory"), "note %s", m.note);
    put32(rsdp2 + 16, 0);                 /* no RSDT: nothing else to try */
    seal_rsdp();
    expect_error(read_v2(), "no MADT");
    CHECK(strstr(err, "not in mapped memory"), "%s", err);
}

TEST(xsdt_unmapped) {
    build_good();
    put64(rsdp2 + 24, UNMAPPED);
    seal_rsdp();
    CHECK(read_both() == 0, "%s", err);   /* the RSDT still works */
    CHECK(strcmp(m.root, "RSDT") == 0 && strstr(m.note, "XSDT"), "root %s note %s", m.root, m.note);
    put32(rsdp2 + 16, 0);
    seal_rsdp();
    expect_error(read_v2(), "XSDT");
    CHECK(strstr(err, "not in mapped memory"), "%s", err);
}

TEST(no_madt) {
    build_good();
    uint8_t *x = at(XSDT_AT);
    seal(x, 52);                  /* drop the MADT entry */
    uint8_t *r = at(RSDT_AT);
    seal(r, 44);
    expect_error(read_both(), "no MADT");
    CHECK(strstr(err, "2 tables of the XSDT"), "%s", err);
}

TEST(wrong_signature_at_root) {
    build_good();
    memcpy(at(RSDT_AT), "RSDX", 4);
    expect_error(read_v1(), "signature 'RSDX'");
}

TEST(rsdp_bad_checksum) {
    build_good();
    rsdp1[8] ^= 1;
    expect_error(read_v1(), "1.0 RSDP");
    CHECK(strstr(err, "damaged"), "%s", err);
}

TEST(rsdp_v2_bad_extended_checksum_falls_back_to_v1) {
    build_good();
    rsdp2[32] ^= 1;
    CHECK(read_both() == 0, "%s", err);
    CHECK(strcmp(m.root, "RSDT") == 0, "root %s", m.root);
    CHECK(strstr(m.note, "2.0 RSDP"), "note %s", m.note);
    expect_error(read_v2(), "2.0 RSDP");
}

TEST(rsdp_v2_length_beyond_copy) {
    build_good();
    put32(rsdp2 + 20, 64);        /* claims more than the boot loader copied */
    seal_rsdp();
    expect_error(read_v2(), "damaged");
}

TEST(rsdp_short_copies) {
    build_good();
    err[0] = 0;
    expect_error(acpi_read_madt(rsdp2, 30, NULL, 0, map, NULL, &m, err, sizeof err), "damaged");
    expect_error(acpi_read_madt(NULL, 0, rsdp1, 12, map, NULL, &m, err, sizeof err), "damaged");
}

TEST(no_rsdp) {
    expect_error(acpi_read_madt(NULL, 0, NULL, 0, map, NULL, &m, err, sizeof err), "no ACPI RSDP");
}

TEST(rsdt_address_zero) {
    build_good();
    put32(rsdp1 + 16, 0);
    seal_rsdp();
    expect_error(read_v1(), "no RSDT address");
}

TEST(small_error_buffer) {
    build_good();
    rsdp1[8] ^= 1;
    char small[8];
    int r = acpi_read_madt(NULL, 0, rsdp1, sizeof rsdp1, map, NULL, &m, small, sizeof small);
    CHECK(r == -1 && strlen(small) == 7, "%d '%s'", r, small);
    CHECK(acpi_read_madt(NULL, 0, rsdp1, sizeof rsdp1, map, NULL, &m, NULL, 0) == -1, "see the condition");
}

/* Random damage to the MADT, with its checksum made right again so that the
 * walker reads the entries: any result must stay inside its limits, and the
 * fenced map turns any read past a table into a crash. */
TEST(random_corruption) {
    srand(12345);
    int ok = 0, bad = 0;
    for (int round = 0; round < 4000; round++) {
        build_good();
        int flips = 1 + rand() % 4;
        for (int i = 0; i < flips; i++) madt[rand() % (int)madt_len] = (uint8_t)rand();
        if (rand() % 2) put32(madt + 4, (uint32_t)(36 + rand() % 120));
        madt[9] = 0;
        uint32_t len = 0;
        memcpy(&len, madt + 4, 4);
        if (len <= sizeof mem - 0x1000) madt[9] = (uint8_t)-sum(madt, len);
        if (read_both() == 0) {
            ok++;
            CHECK(m.cpu_count >= 0 && m.cpu_count <= ACPI_MAX_CPUS, "see the condition");
            CHECK(m.madt_length >= 44 && m.madt_length <= len, "length %u", m.madt_length);
        } else {
            bad++;
            CHECK(strncmp(err, "acpi: ", 6) == 0, "%s", err);
        }
    }
    CHECK(ok > 100 && bad > 100, "ok %d bad %d", ok, bad);
}

RUN_TESTS(xsdt_good, v2_alone_uses_xsdt, rsdt_good, x2apic_entries_and_override,
          too_many_cpus_counted, madt_bad_checksum, madt_length_past_mapped_memory,
          madt_entry_past_end, madt_entry_length_zero, madt_entry_too_short_for_type,
          madt_truncated_header, madt_last_entry_cut, xsdt_bad_checksum_falls_back_to_rsdt,
          xsdt_and_rsdt_bad, xsdt_unmapped_entry_skipped, madt_unmapped, xsdt_unmapped, no_madt,
          wrong_signature_at_root, rsdp_bad_checksum, rsdp_v2_bad_extended_checksum_falls_back_to_v1,
          rsdp_v2_length_beyond_copy, rsdp_short_copies, no_rsdp, rsdt_address_zero,
          small_error_buffer, random_corruption)

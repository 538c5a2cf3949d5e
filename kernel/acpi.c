/* The ACPI walk from the RSDP to the MADT (see acpi.h).
 *
 * Layout facts (ACPI specification, sections 5.2.5 to 5.2.12):
 *  - RSDP: "RSD PTR " (8 bytes), u8 checksum over the first 20 bytes,
 *    6-byte OEM id, u8 revision (0 for ACPI 1.0, 2 for 2.0 and later),
 *    u32 RSDT address; from revision 2 on also u32 length, u64 XSDT
 *    address, u8 extended checksum over `length` bytes, 3 reserved bytes.
 *  - Every system description table starts with a 36-byte header: 4-byte
 *    signature, u32 length (header included), u8 revision, u8 checksum
 *    (all `length` bytes sum to 0 mod 256), 6-byte OEM id, 8-byte OEM table
 *    id, u32 OEM revision, u32 creator id, u32 creator revision.
 *  - RSDT: header + u32 table addresses; XSDT: header + u64 addresses (not
 *    8-byte aligned: the header is 36 bytes).
 *  - MADT ("APIC"): header, u32 local APIC address, u32 flags, then entries
 *    of u8 type, u8 length. Type 0, processor local APIC: u8 ACPI UID, u8
 *    APIC id, u32 flags (bit 0 enabled, bit 1 online capable). Type 5, local
 *    APIC address override: u16 reserved, u64 address. Type 9, processor
 *    local x2APIC: u16 reserved, u32 x2APIC id, u32 flags, u32 ACPI UID.
 * Fields are read with memcpy: nothing in a table is aligned. */
#include "kernel/acpi.h"
#include <stdarg.h>
#include "lib/format.h"
#include "lib/libc.h"

#define SDT_HEADER 36
#define MADT_ENTRIES 44
#define MAX_TABLE (16u << 20)   /* a larger length is corruption, not a table */

enum { MADT_LAPIC = 0, MADT_LAPIC_OVERRIDE = 5, MADT_X2APIC = 9 };
enum { LAPIC_ENABLED = 1u << 0, LAPIC_ONLINE_CAPABLE = 1u << 1 };

static uint32_t rd32(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t rd64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint8_t sum(const uint8_t *p, size_t n) {
    uint8_t s = 0;
    while (n--) s = (uint8_t)(s + *p++);
    return s;
}

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (errlen) {
        int n = fmt_snprintf(err, errlen, "acpi: ");
        if (n > 0 && (size_t)n < errlen) fmt_vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return -1;
}

/* A signature or OEM id as text, for messages: unprintable bytes as '?'. */
static void text(char *dst, const uint8_t *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
    dst[n] = 0;
}

static void add_cpu(struct acpi_madt *m, uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2) {
    if (!(flags & (LAPIC_ENABLED | LAPIC_ONLINE_CAPABLE))) {
        m->cpus_disabled++;
        return;
    }
    bool enabled = flags & LAPIC_ENABLED;
    for (int i = 0; i < m->cpu_count; i++) {
        if (m->cpus[i].apic_id != apic_id) continue;
        m->cpus[i].enabled |= enabled;   /* one processor listed twice (type 0 and 9) */
        return;
    }
    if (m->cpu_count == ACPI_MAX_CPUS) {
        m->cpus_dropped++;
        return;
    }
    m->cpus[m->cpu_count++] = (struct acpi_cpu){apic_id, uid, enabled, x2};
}

int acpi_parse_madt(const void *madt, size_t len, struct acpi_madt *out, char *err, size_t errlen) {
    const uint8_t *t = madt;
    if (len < MADT_ENTRIES) return fail(err, errlen, "MADT of %zu bytes is shorter than its 44-byte header", len);
    if (memcmp(t, "APIC", 4) != 0) {
        char sig[5];
        text(sig, t, 4);
        return fail(err, errlen, "table signature '%s' is not the MADT's 'APIC'", sig);
    }
    uint32_t length = rd32(t + 4);
    if (length < MADT_ENTRIES || length > len)
        return fail(err, errlen, "MADT length %u is outside 44..%zu", length, len);
    if (sum(t, length) != 0) return fail(err, errlen, "MADT checksum is wrong (the table is corrupt)");

    out->madt_length = length;
    text(out->oem_id, t + 10, 6);
    out->lapic_addr = rd32(t + 36);
    out->lapic_override = false;
    out->flags = rd32(t + 40);
    out->cpu_count = out->cpus_dropped = out->cpus_disabled = 0;

    for (uint32_t off = MADT_ENTRIES; off < length;) {
        const uint8_t *e = t + off;
        uint32_t type = e[0], elen = length - off >= 2 ? e[1] : 0;
        if (elen < 2 || elen > length - off)
            return fail(err, errlen, "MADT entry at offset %u (type %u) has length %u, past the table's end of %u",
                        off, type, elen, length);
        uint32_t need = type == MADT_LAPIC ? 8 : type == MADT_LAPIC_OVERRIDE ? 12 : type == MADT_X2APIC ? 16 : 2;
        if (elen < need)
            return fail(err, errlen, "MADT entry at offset %u (type %u) has length %u, needs %u", off, type, elen, need);
        if (type == MADT_LAPIC && e[3] != 0xff)   /* 0xff: no processor */
            add_cpu(out, e[3], e[2], rd32(e + 4), false);
        else if (type == MADT_X2APIC && rd32(e + 4) != 0xffffffffu)
            add_cpu(out, rd32(e + 4), rd32(e + 12), rd32(e + 8), true);
        else if (type == MADT_LAPIC_OVERRIDE) {
            out->lapic_addr = rd64(e + 4);
            out->lapic_override = true;
        }
        off += elen;
    }
    return 0;
}

/* Maps the whole table at phys after checking its header: signature (when
 * sig is not 0), length and checksum. */
static const uint8_t *map_table(uint64_t phys, const char *sig, acpi_map_fn map, void *ctx,
                                uint32_t *len, char *err, size_t errlen) {
    const uint8_t *h = map(ctx, phys, SDT_HEADER);
    if (!h) {
        fail(err, errlen, "%s at %#llx is not in mapped memory", sig, (unsigned long long)phys);
        return 0;
    }
    if (memcmp(h, sig, 4) != 0) {
        char got[5];
        text(got, h, 4);
        fail(err, errlen, "the %s address %#llx holds signature '%s'", sig, (unsigned long long)phys, got);
        return 0;
    }
    uint32_t length = rd32(h + 4);
    if (length < SDT_HEADER || length > MAX_TABLE) {
        fail(err, errlen, "%s at %#llx has a bad length of %u bytes", sig, (unsigned long long)phys, length);
        return 0;
    }
    const uint8_t *t = map(ctx, phys, length);
    if (!t) {
        fail(err, errlen, "%s at %#llx (%u bytes) is not in mapped memory", sig, (unsigned long long)phys, length);
        return 0;
    }
    if (sum(t, length) != 0) {
        fail(err, errlen, "%s at %#llx: checksum is wrong (the table is corrupt)", sig, (unsigned long long)phys);
        return 0;
    }
    *len = length;
    return t;
}

/* Looks through the RSDT (entry size 4) or XSDT (8) at phys for the MADT. */
static int from_root(uint64_t phys, unsigned entry_size, acpi_map_fn map, void *ctx,
                     struct acpi_madt *out, char *err, size_t errlen) {
    const char *name = entry_size == 8 ? "XSDT" : "RSDT";
    uint32_t len;
    const uint8_t *root = map_table(phys, name, map, ctx, &len, err, errlen);
    if (!root) return -1;
    unsigned n = (len - SDT_HEADER) / entry_size, unreadable = 0;
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *p = root + SDT_HEADER + (size_t)i * entry_size;
        uint64_t a = entry_size == 8 ? rd64(p) : rd32(p);
        if (!a) continue;
        const uint8_t *h = map(ctx, a, SDT_HEADER);
        if (!h) { unreadable++; continue; }
        if (memcmp(h, "APIC", 4) != 0) continue;
        uint32_t mlen;
        const uint8_t *madt = map_table(a, "APIC", map, ctx, &mlen, err, errlen);
        if (!madt) return -1;
        if (acpi_parse_madt(madt, mlen, out, err, errlen) != 0) return -1;
        memcpy(out->root, name, 5);
        out->madt_addr = a;
        return 0;
    }
    if (unreadable)
        return fail(err, errlen, "no MADT (signature 'APIC') among the %u tables of the %s; %u of them are not in mapped memory",
                    n, name, unreadable);
    return fail(err, errlen, "no MADT (signature 'APIC') among the %u tables of the %s", n, name);
}

static bool rsdp_ok(const uint8_t *r, size_t size, size_t need) {
    return r && size >= need && memcmp(r, "RSD PTR ", 8) == 0 && sum(r, 20) == 0;
}

/* Remembers the first reason something did not work: that is the one to
 * report when nothing does, or to note when a fallback did. */
static void keep_first(char *first, size_t n, const char *why) {
    if (!first[0]) fmt_snprintf(first, n, "%s", why);
}

static int try_root(uint64_t phys, unsigned entry_size, acpi_map_fn map, void *ctx,
                    struct acpi_madt *out, char *first, size_t n) {
    char why[160];
    if (from_root(phys, entry_size, map, ctx, out, why, sizeof why) == 0) {
        if (first[0])
            fmt_snprintf(out->note, sizeof out->note, "%s; used the %s instead",
                         first + 6 /* no "acpi: " */, entry_size == 8 ? "XSDT" : "RSDT");
        return 0;
    }
    keep_first(first, n, why);
    return -1;
}

int acpi_read_madt(const void *rsdp_v2, size_t v2_size, const void *rsdp_v1, size_t v1_size,
                   acpi_map_fn map, void *ctx, struct acpi_madt *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const uint8_t *v2 = rsdp_v2, *v1 = rsdp_v1;
    char first[160] = "";
    uint64_t rsdt_tried = 0;
    if (!v1 && !v2)
        return fail(err, errlen, "the boot loader passed no ACPI RSDP (multiboot2 tags 14 and 15 are missing)");

    /* ACPI 2.0+: the XSDT, else the RSDT that the same RSDP names. */
    if (v2) {
        uint32_t length = v2_size >= 36 ? rd32(v2 + 20) : 0;
        if (!rsdp_ok(v2, v2_size, 36) || v2[15] < 2 || length < 36 || length > v2_size ||
            sum(v2, length) != 0) {
            keep_first(first, sizeof first,
                       "acpi: the ACPI 2.0 RSDP from the boot loader is damaged (signature, revision, length or checksum)");
        } else {
            uint64_t xsdt = rd64(v2 + 24);
            uint32_t rsdt = rd32(v2 + 16);
            out->rsdp_revision = v2[15];
            if (xsdt && try_root(xsdt, 8, map, ctx, out, first, sizeof first) == 0) return 0;
            if (!xsdt) keep_first(first, sizeof first, "acpi: the ACPI 2.0 RSDP has no XSDT address");
            if (rsdt && try_root(rsdt, 4, map, ctx, out, first, sizeof first) == 0) return 0;
            rsdt_tried = rsdt;
        }
    }
    /* ACPI 1.0: the RSDT (unless that one just failed). */
    if (v1) {
        uint32_t rsdt = v1_size >= 20 ? rd32(v1 + 16) : 0;
        if (!rsdp_ok(v1, v1_size, 20)) {
            keep_first(first, sizeof first, "acpi: the ACPI 1.0 RSDP from the boot loader is damaged (signature or checksum)");
        } else if (!rsdt) {
            keep_first(first, sizeof first, "acpi: the ACPI 1.0 RSDP has no RSDT address");
        } else if (rsdt != rsdt_tried) {
            out->rsdp_revision = v1[15];
            if (try_root(rsdt, 4, map, ctx, out, first, sizeof first) == 0) return 0;
        }
    }
    fmt_snprintf(err, errlen, "%s", first);
    return -1;
}

/* ---------------------------------------------------------------- power
 *
 * FADT ("FACP") fields used, by byte offset (ACPI 6.5, table 5.9): 40 DSDT
 * (u32), 48 SMI_CMD (u32), 52 ACPI_ENABLE (u8), 64 PM1a_CNT_BLK, 68
 * PM1b_CNT_BLK (u32 I/O ports), 89 PM1_CNT_LEN, 109 IAPC_BOOT_ARCH (u16,
 * bit 1: 8042), 112 flags (u32; bit 10 RESET_REG_SUP, bit 20
 * HW_REDUCED_ACPI), 116 RESET_REG (12-byte generic address), 128
 * RESET_VALUE, 140 X_DSDT (u64), 172 X_PM1a_CNT_BLK, 184 X_PM1b_CNT_BLK,
 * 244 SLEEP_CONTROL_REG (generic addresses). An ACPI 1.0 FADT is 116 bytes
 * long; later fields count only when the table is long enough to hold them.
 * A generic address: u8 space, u8 bit width, u8 bit offset, u8 access size,
 * u64 address. */

#define FADT_FLAG_RESET_REG_SUP (1u << 10)
#define FADT_FLAG_HW_REDUCED    (1u << 20)

static void gas(struct acpi_gas *g, const uint8_t *p) {
    g->space = p[0];
    g->bit_width = p[1];
    g->bit_offset = p[2];
    g->access_size = p[3];
    g->addr = rd64(p + 4);
}

static void io_block(struct acpi_gas *g, uint32_t port, unsigned bytes) {
    *g = (struct acpi_gas){ACPI_SPACE_IO, (uint8_t)(8 * bytes), 0, 0, port};
}

int acpi_parse_fadt(const void *fadt, size_t len, struct acpi_power *out, char *err, size_t errlen) {
    const uint8_t *t = fadt;
    if (len < SDT_HEADER) return fail(err, errlen, "FADT of %zu bytes is shorter than a table header", len);
    if (memcmp(t, "FACP", 4) != 0) {
        char sig[5];
        text(sig, t, 4);
        return fail(err, errlen, "table signature '%s' is not the FADT's 'FACP'", sig);
    }
    uint32_t length = rd32(t + 4);
    if (length < 116 || length > len)
        return fail(err, errlen, "FADT length %u is outside 116..%zu", length, len);
    if (sum(t, length) != 0) return fail(err, errlen, "FADT checksum is wrong (the table is corrupt)");

    out->fadt_revision = t[8];
    out->fadt_length = length;
    out->dsdt_addr = rd32(t + 40);
    if (length >= 148 && rd64(t + 140)) out->dsdt_addr = rd64(t + 140);
    out->smi_cmd = rd32(t + 48);
    out->acpi_enable = t[52];
    unsigned cnt_len = t[89] >= 2 ? 2 : t[89] ? t[89] : 2;
    io_block(&out->pm1a_cnt, rd32(t + 64), cnt_len);
    io_block(&out->pm1b_cnt, rd32(t + 68), cnt_len);
    if (length >= 184 && rd64(t + 172 + 4)) gas(&out->pm1a_cnt, t + 172);
    if (length >= 196 && rd64(t + 184 + 4)) gas(&out->pm1b_cnt, t + 184);
    out->flags = rd32(t + 112);
    out->hw_reduced = (out->flags & FADT_FLAG_HW_REDUCED) != 0;
    out->has_8042 = out->fadt_revision >= 2 && (t[109] & 2);
    out->reset_supported = false;
    if (length >= 129) {
        gas(&out->reset_reg, t + 116);
        out->reset_value = t[128];
        out->reset_supported = (out->flags & FADT_FLAG_RESET_REG_SUP) && out->reset_reg.addr &&
                               out->reset_reg.space <= ACPI_SPACE_PCI;
    }
    if (length >= 256) gas(&out->sleep_control, t + 244);
    return 0;
}

/* A PkgLength (ACPI 20.2.4): the lead byte's top two bits say how many
 * bytes follow. Returns the bytes it takes, or 0 past the end. */
static size_t pkg_length_size(const uint8_t *p, const uint8_t *end) {
    if (p >= end) return 0;
    size_t n = 1 + (p[0] >> 6);
    return (size_t)(end - p) >= n ? n : 0;
}

/* An integer element: ZeroOp, OneOp, OnesOp or a prefixed constant.
 * Returns the bytes it takes, or 0 when it is something else. */
static size_t aml_integer(const uint8_t *p, const uint8_t *end, uint64_t *v) {
    if (p >= end) return 0;
    size_t avail = (size_t)(end - p);
    switch (p[0]) {
    case 0x00: *v = 0; return 1;
    case 0x01: *v = 1; return 1;
    case 0xFF: *v = ~0ull; return 1;
    case 0x0A: if (avail < 2) return 0; *v = p[1]; return 2;
    case 0x0B: if (avail < 3) return 0; *v = (uint64_t)p[1] | (uint64_t)p[2] << 8; return 3;
    case 0x0C: if (avail < 5) return 0; *v = rd32(p + 1); return 5;
    }
    return 0;
}

int acpi_find_s5(const void *aml, size_t len, uint8_t *slp_typa, uint8_t *slp_typb) {
    const uint8_t *a = aml, *end = a + len;
    for (size_t i = 1; i + 4 <= len; i++) {
        if (memcmp(a + i, "_S5_", 4) != 0) continue;
        /* NameOp (0x08) right before, or before a root prefix '\' */
        bool named = a[i - 1] == 0x08 || (i >= 2 && a[i - 1] == '\\' && a[i - 2] == 0x08);
        const uint8_t *p = a + i + 4;
        if (!named || p >= end || *p != 0x12) continue;      /* PackageOp */
        p++;
        size_t pl = pkg_length_size(p, end);
        if (!pl) continue;
        p += pl;
        if (p >= end) continue;
        unsigned count = *p++;                              /* NumElements */
        uint64_t va, vb = 0;
        size_t n = count >= 1 ? aml_integer(p, end, &va) : 0;
        if (!n) continue;
        if (count >= 2 && !aml_integer(p + n, end, &vb)) continue;
        *slp_typa = (uint8_t)(va & 7);
        *slp_typb = (uint8_t)(vb & 7);
        return 0;
    }
    return -1;
}

/* The RSDT (entry size 4) or XSDT (8) at phys, header checked; *count:
 * its entries. */
static const uint8_t *map_root(uint64_t phys, unsigned entry_size, acpi_map_fn map, void *ctx,
                               unsigned *count, char *err, size_t errlen) {
    uint32_t rlen;
    const uint8_t *root = map_table(phys, entry_size == 8 ? "XSDT" : "RSDT", map, ctx, &rlen, err, errlen);
    if (root) *count = (rlen - SDT_HEADER) / entry_size;
    return root;
}

/* Entry i of a root table: its address if that table's signature is sig, else 0. */
static uint64_t root_entry(const uint8_t *root, unsigned entry_size, unsigned i, const char *sig,
                           acpi_map_fn map, void *ctx) {
    const uint8_t *p = root + SDT_HEADER + (size_t)i * entry_size;
    uint64_t a = entry_size == 8 ? rd64(p) : rd32(p);
    const uint8_t *h = a ? map(ctx, a, SDT_HEADER) : 0;
    return h && memcmp(h, sig, 4) == 0 ? a : 0;
}

/* Looks through the RSDT (entry size 4) or XSDT (8) at phys for the table
 * with signature sig; returns it whole (header checked) with its address. */
static const uint8_t *find_table(uint64_t phys, unsigned entry_size, const char *sig,
                                 acpi_map_fn map, void *ctx, uint64_t *addr, uint32_t *len,
                                 char *err, size_t errlen) {
    unsigned n;
    const uint8_t *root = map_root(phys, entry_size, map, ctx, &n, err, errlen);
    if (!root) return 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t a = root_entry(root, entry_size, i, sig, map, ctx);
        if (!a) continue;
        *addr = a;
        return map_table(a, sig, map, ctx, len, err, errlen);
    }
    fail(err, errlen, "no table '%s' among the %u tables of the %s", sig, n,
         entry_size == 8 ? "XSDT" : "RSDT");
    return 0;
}

/* \_S5_ in one of the SSDTs of the root table at phys: some firmware
 * defines its sleep states there rather than in the DSDT. A damaged SSDT
 * is passed over. */
static bool s5_in_ssdts(uint64_t phys, unsigned entry_size, acpi_map_fn map, void *ctx,
                        struct acpi_power *out) {
    unsigned n;
    char why[160];
    const uint8_t *root = map_root(phys, entry_size, map, ctx, &n, why, sizeof why);
    for (unsigned i = 0; root && i < n; i++) {
        uint64_t a = root_entry(root, entry_size, i, "SSDT", map, ctx);
        uint32_t len;
        const uint8_t *t = a ? map_table(a, "SSDT", map, ctx, &len, why, sizeof why) : 0;
        if (t && acpi_find_s5(t + SDT_HEADER, len - SDT_HEADER, &out->slp_typa, &out->slp_typb) == 0)
            return true;
    }
    return false;
}

int acpi_read_power(const void *rsdp_v2, size_t v2_size, const void *rsdp_v1, size_t v1_size,
                    acpi_map_fn map, void *ctx, struct acpi_power *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const uint8_t *v2 = rsdp_v2, *v1 = rsdp_v1;
    if (!v1 && !v2)
        return fail(err, errlen, "the boot loader passed no ACPI RSDP (multiboot2 tags 14 and 15 are missing)");
    /* The roots to try, best first: the XSDT, then the RSDTs. */
    struct { uint64_t addr; unsigned entry; } roots[3];
    int nroots = 0;
    if (v2) {
        uint32_t length = v2_size >= 36 ? rd32(v2 + 20) : 0;
        if (rsdp_ok(v2, v2_size, 36) && v2[15] >= 2 && length >= 36 && length <= v2_size &&
            sum(v2, length) == 0) {
            if (rd64(v2 + 24)) roots[nroots++] = (typeof(roots[0])){rd64(v2 + 24), 8};
            if (rd32(v2 + 16)) roots[nroots++] = (typeof(roots[0])){rd32(v2 + 16), 4};
        }
    }
    if (v1 && rsdp_ok(v1, v1_size, 20) && rd32(v1 + 16) &&
        !(nroots && roots[nroots - 1].entry == 4 && roots[nroots - 1].addr == rd32(v1 + 16)))
        roots[nroots++] = (typeof(roots[0])){rd32(v1 + 16), 4};
    if (!nroots) return fail(err, errlen, "the ACPI RSDP from the boot loader is damaged");

    char first[160] = "";
    const uint8_t *fadt = 0;
    uint64_t fadt_addr;
    uint32_t flen = 0;
    int r = 0;                            /* the root the FADT came from */
    for (; r < nroots; r++) {
        char why[160];
        fadt = find_table(roots[r].addr, roots[r].entry, "FACP", map, ctx, &fadt_addr, &flen,
                          why, sizeof why);
        if (fadt && acpi_parse_fadt(fadt, flen, out, why, sizeof why) != 0) fadt = 0;
        if (fadt) break;
        keep_first(first, sizeof first, why);
    }
    if (!fadt) {
        fmt_snprintf(err, errlen, "%s", first);
        return -1;
    }
    if (first[0])
        fmt_snprintf(out->note, sizeof out->note, "%s; used the %s instead", first + 6,
                     roots[r].entry == 8 ? "XSDT" : "RSDT");

    /* \_S5_ in the DSDT's AML, else in an SSDT of the root the FADT came from */
    uint32_t dlen;
    char why[160];
    const uint8_t *dsdt = out->dsdt_addr ? map_table(out->dsdt_addr, "DSDT", map, ctx, &dlen, why, sizeof why) : 0;
    if (dsdt && acpi_find_s5(dsdt + SDT_HEADER, dlen - SDT_HEADER, &out->slp_typa, &out->slp_typb) == 0)
        out->have_s5 = true;
    else if (s5_in_ssdts(roots[r].addr, roots[r].entry, map, ctx, out))
        out->have_s5 = true;
    else if (!out->dsdt_addr)
        fmt_snprintf(out->note, sizeof out->note, "the FADT names no DSDT, and no SSDT has a \\_S5_ package");
    else if (!dsdt)
        fmt_snprintf(out->note, sizeof out->note, "%s", why + 6);
    else
        fmt_snprintf(out->note, sizeof out->note, "neither the DSDT nor an SSDT has a \\_S5_ package");
    return 0;
}
